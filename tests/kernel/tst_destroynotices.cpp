// SPDX-License-Identifier: MIT
// sock_diag's destroy notices, which need no privilege: this test drops root before it
// starts (when run as root, as in CI), so it proves the path works for an ordinary user.

#include "destroynotices.h"
#include "kernelmerger.h"
#include "loopback.h"
#include "netlinksocketsource.h"
#include "socketregistry.h"
#include "statetrace.h"

#include <QtTest>

#include <grp.h>

using namespace SocketScope;
using namespace SocketScope::Test;

namespace {

constexpr uid_t kNobody = 65534;

SocketRecord recordWith(Protocol protocol, SocketRole role, quint16 localPort,
                        std::optional<quint16> remotePort, int kernelState = -1)
{
    SocketRecord record;
    record.protocol = protocol;
    record.role = role;
    record.local = {QHostAddress::LocalHost, localPort};
    if (remotePort)
        record.remote = Endpoint{QHostAddress::LocalHost, *remotePort};
    record.state = protocol == Protocol::Udp ? SocketState::Unconnected : SocketState::Established;
    if (kernelState >= 0) { // -1: the kernel has not spoken
        KernelFacts facts;
        facts.state = SocketState(kernelState);
        facts.tcpInfo = KernelTcpInfo{100, 50, 0, 0, 10};
        record.kernel = facts;
    }
    return record;
}

KernelSocket noticeFor(const SocketRecord &record, std::optional<KernelTcpInfo> tcpInfo)
{
    KernelSocket notice;
    notice.protocol = record.protocol;
    notice.local = record.local;
    notice.remote = record.remote;
    notice.facts.state = SocketState::Close;
    notice.tcpInfo = tcpInfo;
    return notice;
}

} // namespace

class TestDestroyNotices : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() == 0) {
            QVERIFY(::setgroups(0, nullptr) == 0);
            QVERIFY(::setgid(kNobody) == 0);
            QVERIFY(::setuid(kNobody) == 0);
        }
        QVERIFY2(::geteuid() != 0, "the destroy-notice path must be shown to need no root");
    }

    void noticeSaysOnlyWhatItKnows_data()
    {
        QTest::addColumn<int>("protocol");
        QTest::addColumn<int>("knownState"); // -1: the kernel has not spoken
        QTest::addColumn<bool>("newCounters");
        QTest::addColumn<int>("expectedKind"); // -1: nothing to say
        QTest::addColumn<int>("expectedState"); // of the record afterwards (kernel's)
        const int tcp = int(Protocol::Tcp);
        const int udp = int(Protocol::Udp);
        const int changed = int(EventKind::StateChanged);
        const int facts = int(EventKind::KernelFactsChanged);
        QTest::newRow("UDP ends") << udp << int(SocketState::Unconnected) << false << changed
                                  << int(SocketState::Close);
        QTest::newRow("a listener closed")
                << tcp << int(SocketState::Listen) << false << changed << int(SocketState::Close);
        QTest::newRow("LAST_ACK is the end")
                << tcp << int(SocketState::LastAck) << true << changed << int(SocketState::Close);
        QTest::newRow("CLOSE_WAIT leads only to the end")
                << tcp << int(SocketState::CloseWait) << false << changed
                << int(SocketState::Close);
        QTest::newRow("FIN_WAIT2 may live on in TIME_WAIT: counters only")
                << tcp << int(SocketState::FinWait2) << true << facts << int(SocketState::FinWait2);
        QTest::newRow("ESTABLISHED may have closed first: counters only")
                << tcp << int(SocketState::Established) << true << facts
                << int(SocketState::Established);
        QTest::newRow("ESTABLISHED, same counters: nothing")
                << tcp << int(SocketState::Established) << false << -1
                << int(SocketState::Established);
        QTest::newRow("the kernel never spoke: nothing") << tcp << -1 << true << -1 << -1;
        QTest::newRow("already CLOSE: nothing")
                << tcp << int(SocketState::Close) << false << -1 << int(SocketState::Close);
    }
    void noticeSaysOnlyWhatItKnows()
    {
        QFETCH(int, protocol);
        QFETCH(int, knownState);
        QFETCH(bool, newCounters);
        QFETCH(int, expectedKind);
        QFETCH(int, expectedState);
        SocketRecord record
                = recordWith(Protocol(protocol), SocketRole::TcpClient, 40000, 9877, knownState);
        record.id = 7;
        const KernelTcpInfo finalInfo{200, 10, 3, 0, 12};
        const std::optional<KernelTcpInfo> info
                = newCounters ? std::optional(finalInfo)
                              : (record.kernel ? record.kernel->tcpInfo : std::nullopt);
        const auto event = eventForDestroyNotice(record, noticeFor(record, info), 42);
        if (expectedKind < 0) {
            QVERIFY(!event);
            return;
        }
        QVERIFY(event);
        QCOMPARE(int(event->kind), expectedKind);
        QCOMPARE(event->socket, SocketId(7));
        QCOMPARE(event->monotonicNs, 42);
        if (event->kind == EventKind::StateChanged)
            QCOMPARE(event->source, StateSource::DestroyNotice);
        applyEvent(*event, record);
        QCOMPARE(int(record.kernel->state), expectedState);
        if (newCounters)
            QCOMPARE(record.kernel->tcpInfo, std::optional(finalInfo));
    }

    // A listener and a UDP socket are closed; their ends arrive as destroy notices at once,
    // no poll in between.
    void endsAreCaughtBetweenPolls()
    {
        SocketRegistry registry;
        DestroyNoticeFollower follower(registry);
        QVERIFY2(follower.isListening(), qPrintable(follower.error()));
        QList<SocketEvent> notices;
        connect(&registry, &SocketRegistry::eventApplied, this, [&](const SocketEvent &event) {
            if (event.kind == EventKind::StateChanged && event.source == StateSource::DestroyNotice)
                notices.append(event);
        });
        QSignalSpy ended(&follower, &DestroyNoticeFollower::socketEnded);

        Fd listener = listenTcp(8);
        Fd udp = bindUdp();
        const quint16 tcpPort = localPort(listener.get());
        const quint16 udpPort = localPort(udp.get());
        const SocketId listenerId = registry.add(
                recordWith(Protocol::Tcp, SocketRole::TcpListener, tcpPort, std::nullopt));
        const SocketId udpId = registry.add(
                recordWith(Protocol::Udp, SocketRole::UdpClient, udpPort, std::nullopt));
        // One poll, as the probe would do, so the kernel has spoken of both.
        KernelFilter filter;
        filter.ports = {tcpPort};
        filter.udpPorts = {udpPort};
        NetlinkSocketSource source;
        QString error;
        const auto snapshot = source.read(filter, &error);
        QVERIFY2(snapshot, qPrintable(error));
        KernelMerger(registry).apply(*snapshot);
        QCOMPARE(registry.find(listenerId)->effectiveState(), SocketState::Listen);

        listener.reset();
        udp.reset();
        QTRY_COMPARE(notices.size(), 2);
        QCOMPARE(notices.at(0).socket, listenerId);
        QCOMPARE(notices.at(0).from, SocketState::Listen);
        QCOMPARE(notices.at(0).to, SocketState::Close);
        QCOMPARE(notices.at(1).socket, udpId);
        QCOMPARE(notices.at(1).to, SocketState::Close);
        QCOMPARE(registry.find(listenerId)->effectiveState(), SocketState::Close);
        QCOMPARE(ended.size(), 2);
        QCOMPARE(follower.noticeCount(), 2u);
    }

    // A connection that ends while the kernel last said ESTABLISHED may have become a
    // TIME_WAIT: the notice must not claim it closed.
    void aConnectionsEndClaimsNoState()
    {
        SocketRegistry registry;
        DestroyNoticeFollower follower(registry);
        QVERIFY(follower.isListening());
        Fd listener = listenTcp(8);
        const quint16 port = localPort(listener.get());
        Fd client = connectTcp(port);
        Fd server = acceptOne(listener.get());
        const quint16 clientPort = localPort(client.get());
        const SocketId clientId
                = registry.add(recordWith(Protocol::Tcp, SocketRole::TcpClient, clientPort, port));
        KernelFilter filter;
        filter.ports = {port};
        NetlinkSocketSource source;
        QString error;
        const auto snapshot = source.read(filter, &error);
        QVERIFY2(snapshot, qPrintable(error));
        KernelMerger(registry).apply(*snapshot);
        QCOMPARE(registry.find(clientId)->effectiveState(), SocketState::Established);
        int stateClaims = 0;
        connect(&registry, &SocketRegistry::eventApplied, this, [&](const SocketEvent &event) {
            stateClaims += event.kind == EventKind::StateChanged ? 1 : 0;
        });
        QSignalSpy ended(&follower, &DestroyNoticeFollower::socketEnded);
        client.reset(); // closes first: FIN_WAIT1, FIN_WAIT2, then a time-wait socket
        QTRY_VERIFY(ended.size() >= 1);
        QCOMPARE(stateClaims, 0);
        QCOMPARE(registry.find(clientId)->effectiveState(), SocketState::Established);
    }

    // Without the rights the trace needs, the reason is said plainly.
    void exactTransitionsSayWhatTheyNeed()
    {
        QString why;
        if (StateTrace::open(&why))
            QSKIP("this machine lets an ordinary user write to tracefs");
        QVERIFY2(why.contains(QLatin1String("tracefs")), qPrintable(why));
        QVERIFY2(why.contains(QLatin1String("polling saw")), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestDestroyNotices)
#include "tst_destroynotices.moc"
