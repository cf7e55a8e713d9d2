// SPDX-License-Identifier: MIT
// The kernel's TCP transitions from the sock:inet_sock_set_state tracepoint: its format and
// records read from bytes, and (as root, where tracefs is there) the real trace of a
// loopback connection whose client closes first, applied to a registry as the app does.

#include "kernelmerger.h"
#include "loopback.h"
#include "netlinksocketsource.h"
#include "socketregistry.h"
#include "statetrace.h"
#include "statetracefollower.h"

#include <QtTest>

#include <sys/wait.h>

using namespace SocketScope;
using namespace SocketScope::Test;

namespace {

// A line of trace_pipe as Linux 6.18 writes it (mono clock).
QByteArray line(QByteArrayView fields, QByteArrayView stamp = "22415.345048")
{
    return QByteArray("          socketscope-4242    [001] ..s2. ") + stamp.toByteArray()
           + ": inet_sock_set_state: " + fields.toByteArray();
}

const QByteArray kV4Fields = "family=AF_INET protocol=IPPROTO_TCP sport=47306 dport=35309 "
                             "saddr=127.0.0.1 daddr=127.0.0.2 saddrv6=::ffff:127.0.0.1 "
                             "daddrv6=::ffff:127.0.0.2 oldstate=TCP_FIN_WAIT1 "
                             "newstate=TCP_FIN_WAIT2";

SocketRecord tcpRecord(SocketRole role, quint16 localPort, std::optional<quint16> remotePort,
                       SocketState state)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = role;
    record.local = {QHostAddress::LocalHost, localPort};
    if (remotePort)
        record.remote = Endpoint{QHostAddress::LocalHost, *remotePort};
    record.state = state;
    return record;
}

} // namespace

class TestStateTrace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void linesAreRead()
    {
        const auto v4 = StateTraceFormat::parseLine(line(kV4Fields));
        QVERIFY(v4);
        QCOMPARE(v4->monotonicNs, 22415345048000);
        QCOMPARE(v4->from, SocketState::FinWait1);
        QCOMPARE(v4->to, SocketState::FinWait2);
        QCOMPARE(v4->local, (Endpoint{QHostAddress(QStringLiteral("127.0.0.1")), 47306}));
        QCOMPARE(v4->remote, (Endpoint{QHostAddress(QStringLiteral("127.0.0.2")), 35309}));

        const auto v6 = StateTraceFormat::parseLine(
                line("family=AF_INET6 protocol=IPPROTO_TCP sport=9877 dport=0 saddr=0.0.0.0 "
                     "daddr=0.0.0.0 saddrv6=::1 daddrv6=:: oldstate=TCP_CLOSE "
                     "newstate=TCP_LISTEN",
                     "7.000001"));
        QVERIFY(v6);
        QCOMPARE(v6->monotonicNs, 7000001000);
        QCOMPARE(v6->local, (Endpoint{QHostAddress(QStringLiteral("::1")), 9877}));
        QCOMPARE(v6->remote.port, quint16(0));
        QCOMPARE(v6->to, SocketState::Listen);
    }

    void otherLinesAreDropped_data()
    {
        QTest::addColumn<QByteArray>("text");
        QByteArray sctp = kV4Fields;
        sctp.replace("IPPROTO_TCP", "IPPROTO_SCTP");
        QByteArray badState = kV4Fields;
        badState.replace("TCP_FIN_WAIT2", "TCP_TELEPORTED");
        QByteArray badPort = kV4Fields;
        badPort.replace("sport=47306", "sport=70000");
        QByteArray badAddress = kV4Fields;
        badAddress.replace("saddr=127.0.0.1", "saddr=banana");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("another event")
                << QByteArray("  x-1 [000] ..... 1.000000: sched_switch: a=b");
        QTest::newRow("lost events note") << QByteArray("CPU:1 [LOST 12 EVENTS]");
        QTest::newRow("not TCP") << line(sctp);
        QTest::newRow("unknown state") << line(badState);
        QTest::newRow("port out of range") << line(badPort);
        QTest::newRow("not an address") << line(badAddress);
        QTest::newRow("cut short") << line(kV4Fields).left(90);
        QTest::newRow("local clock, not mono") << line(kV4Fields, "22415.345048123");
        // Found by tests/fuzz/fuzz_statetrace: seconds * 10^9 overflowed (undefined behaviour).
        QTest::newRow("seconds past what ns can hold")
                << line(kV4Fields, "8555555555555555573.612000");
        static const char binary[] = "\x00\xff: inet_sock_set_state: \x01";
        QTest::newRow("binary") << QByteArray(binary, sizeof binary - 1);
    }
    void otherLinesAreDropped()
    {
        QFETCH(QByteArray, text);
        QVERIFY(!StateTraceFormat::parseLine(text));
    }

    // Nothing of the trace outlives it: its tracefs instance goes with it.
    void instanceIsRemovedAtTheEnd()
    {
        QString why;
        std::unique_ptr<StateTrace> trace = StateTrace::open(&why);
        if (!trace)
            QSKIP(qPrintable(why));
        const QString instance = trace->instancePath();
        QVERIFY(QFileInfo(instance).isDir());
        trace.reset();
        QVERIFY(!QFileInfo::exists(instance));
    }

    // One left by a run that crashed (its pid gone) is cleared by the next run.
    void instanceOfACrashedRunIsCleared()
    {
        QString why;
        std::unique_ptr<StateTrace> probe = StateTrace::open(&why);
        if (!probe)
            QSKIP(qPrintable(why));
        const QString instances = QFileInfo(probe->instancePath()).path();
        probe.reset();
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        QVERIFY(child > 0);
        ::waitpid(child, nullptr, 0); // now a pid nobody has
        const QString stale = instances + QStringLiteral("/socketscope-%1").arg(child);
        QVERIFY(QDir().mkdir(stale));
        std::unique_ptr<StateTrace> trace = StateTrace::open(&why);
        QVERIFY2(trace, qPrintable(why));
        QVERIFY(!QFileInfo::exists(stale));
    }

    // The issue's own case: a client that closes first goes SYN_SENT -> ESTABLISHED ->
    // FIN_WAIT1 -> FIN_WAIT2 by the trace (to the µs), and on into TIME_WAIT, which the
    // tracepoint does not follow: the kernel's poll shows it, and the trace's CLOSE of the
    // handed-over socket is never shown as the connection's end.
    void clientThatClosesFirstIsTracedExactly()
    {
        QString why;
        std::unique_ptr<StateTrace> trace = StateTrace::open(&why);
        if (!trace)
            QSKIP(qPrintable(why));
        SocketRegistry registry;
        StateTraceFollower follower(registry, std::move(trace));
        QList<SocketEvent> traced;
        connect(&registry, &SocketRegistry::eventApplied, this, [&](const SocketEvent &event) {
            if (event.kind == EventKind::StateChanged && event.source == StateSource::KernelTrace)
                traced.append(event);
        });

        Fd listener = listenTcp(8);
        const quint16 port = localPort(listener.get());
        KernelFilter filter;
        filter.ports = {port};
        follower.setFilter(filter);
        Fd client = connectTcp(port);
        Fd server = acceptOne(listener.get());
        QVERIFY(client.isValid() && server.isValid());
        const quint16 clientPort = localPort(client.get());
        // The records come after the kernel's transitions, as the app's do (Qt reports them
        // when it notices): what the trace saw before is the path's history.
        const SocketId clientId = registry.add(
                tcpRecord(SocketRole::TcpClient, clientPort, port, SocketState::Established));
        const SocketId serverId = registry.add(
                tcpRecord(SocketRole::TcpServerSide, port, clientPort, SocketState::Established));
        const auto statesOf = [&traced](SocketId id) {
            QList<SocketState> states;
            for (const SocketEvent &event : std::as_const(traced))
                if (event.socket == id)
                    states.append(event.to);
            return states;
        };
        QTRY_COMPARE(statesOf(clientId),
                     (QList<SocketState>{SocketState::SynSent, SocketState::Established}));
        QTRY_COMPARE(statesOf(serverId),
                     (QList<SocketState>{SocketState::SynRecv, SocketState::Established}));
        for (const SocketEvent &event : std::as_const(traced))
            QVERIFY2(event.history, "a transition from before the record must not move it");

        client.reset(); // the client closes first
        const auto describe = [&] {
            QStringList lines;
            for (const SocketEvent &event : std::as_const(traced))
                lines << describeEvent(event);
            return lines.join(QLatin1Char('\n'));
        };
        QTRY_VERIFY2(statesOf(clientId).size() >= 4, qPrintable(describe()));
        QTRY_COMPARE(statesOf(clientId),
                     (QList<SocketState>{SocketState::SynSent, SocketState::Established,
                                         SocketState::FinWait1, SocketState::FinWait2}));
        server.reset();
        QTRY_COMPARE(statesOf(serverId),
                     (QList<SocketState>{SocketState::SynRecv, SocketState::Established,
                                         SocketState::CloseWait, SocketState::LastAck,
                                         SocketState::Close}));
        QTRY_VERIFY(follower.heldCloseCount() > 0 || statesOf(clientId).size() > 4);

        // As KernelLink does it: trace first, then the poll's snapshot, then the held CLOSEs.
        NetlinkSocketSource source;
        KernelMerger merger(registry);
        for (int poll = 0; poll < 3; ++poll) {
            QString error;
            const auto snapshot = source.read(filter, &error);
            QVERIFY2(snapshot, qPrintable(error));
            follower.drain();
            merger.apply(*snapshot);
            follower.snapshotMerged(*snapshot);
        }
        QCOMPARE(follower.heldCloseCount(), 0);
        QCOMPARE(statesOf(clientId).size(), 4); // no CLOSE: the connection lives on
        QCOMPARE(registry.find(clientId)->effectiveState(), SocketState::TimeWait);

        // Exact: every step has the kernel's own time, in order, microseconds apart at most
        // a few milliseconds on loopback.
        qint64 previous = 0;
        for (const SocketEvent &event : std::as_const(traced)) {
            if (event.socket != clientId)
                continue;
            QVERIFY(event.monotonicNs > previous);
            previous = event.monotonicNs;
        }
    }

    // A socket on a port the filter does not watch yet (KernelLink widens it a moment after
    // the socket appears) is not lost: its transitions wait, parked, for the filter.
    void transitionsWaitForTheFilter()
    {
        QString why;
        std::unique_ptr<StateTrace> trace = StateTrace::open(&why);
        if (!trace)
            QSKIP(qPrintable(why));
        SocketRegistry registry;
        StateTraceFollower follower(registry, std::move(trace));
        int traced = 0;
        connect(&registry, &SocketRegistry::eventApplied, this, [&](const SocketEvent &event) {
            traced += event.source == StateSource::KernelTrace ? 1 : 0;
        });
        Fd listener = listenTcp(8);
        const quint16 port = localPort(listener.get());
        registry.add(tcpRecord(SocketRole::TcpListener, port, std::nullopt, SocketState::Listen));
        follower.drain(); // the ring has the LISTEN the moment listen() returns

        QCOMPARE(traced, 0);
        KernelFilter filter;
        filter.ports = {port};
        follower.setFilter(filter);
        QCOMPARE(traced, 1);
    }
};

QTEST_GUILESS_MAIN(TestStateTrace)
#include "tst_statetrace.moc"
