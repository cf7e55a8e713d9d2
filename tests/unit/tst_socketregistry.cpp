// SPDX-License-Identifier: MIT
#include "socketregistry.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

SocketRecord tcpRecord(SocketRole role, quint16 localPort, std::optional<quint16> remotePort)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = role;
    record.local = {QHostAddress(QHostAddress::LocalHost), localPort};
    if (remotePort)
        record.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), *remotePort};
    record.state = remotePort ? SocketState::Established : SocketState::Listen;
    return record;
}

} // namespace

class TestSocketRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void addAssignsFreshIdsAndSignals();
    void updateSignalsOnlyRealChanges();
    void updateUnknownIdFails();
    void removeSignalsAndForgets();
    void findByTupleTellsSharedPortSocketsApart();
    void findByTupleFollowsEndpointChanges();
    void trafficCountsBytesAndDatagrams_data();
    void trafficCountsBytesAndDatagrams();
    void markClosedStampsTime();
    void stateNamesRoundTrip_data();
    void stateNamesRoundTrip();
    void linuxStateNumbers_data();
    void linuxStateNumbers();
    void endpointText_data();
    void endpointText();
    void effectiveStatePrefersKernel();
};

void TestSocketRegistry::addAssignsFreshIdsAndSignals()
{
    SocketRegistry registry;
    QSignalSpy added(&registry, &SocketRegistry::socketAdded);
    SocketRecord record = tcpRecord(SocketRole::TcpListener, 9877, std::nullopt);
    record.id = 42; // must be ignored: the registry owns identity
    const SocketId first = registry.add(record);
    const SocketId second = registry.add(tcpRecord(SocketRole::TcpClient, 50000, 9877));
    QVERIFY(first != InvalidSocketId);
    QVERIFY(second != first);
    QCOMPARE(added.count(), 2);
    QCOMPARE(added.at(0).at(0).value<SocketId>(), first);
    QCOMPARE(registry.count(), 2);
    QCOMPARE(registry.ids(), (QList<SocketId>{first, second}));
    QCOMPARE(registry.find(first)->id, first);
    QVERIFY(registry.find(first)->created.isValid());
    QCOMPARE(registry.find(first)->pid, QCoreApplication::applicationPid());
}

void TestSocketRegistry::updateSignalsOnlyRealChanges()
{
    SocketRegistry registry;
    const SocketId id = registry.add(tcpRecord(SocketRole::TcpClient, 50000, 9877));
    QSignalSpy changed(&registry, &SocketRegistry::socketChanged);
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.state = SocketState::Established; }));
    QCOMPARE(changed.count(), 0); // it was already established
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.state = SocketState::FinWait1; }));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(registry.find(id)->state, SocketState::FinWait1);
    QVERIFY(registry.update(id, [](SocketRecord &r) {
        r.kernel = KernelFacts{SocketState::FinWait2, 0, 0, 77, 1, -1, {}, {}, {}};
    }));
    QCOMPARE(changed.count(), 2);
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.id = 999; }));
    QCOMPARE(registry.find(id)->id, id);
}

void TestSocketRegistry::updateUnknownIdFails()
{
    SocketRegistry registry;
    QSignalSpy changed(&registry, &SocketRegistry::socketChanged);
    QVERIFY(!registry.update(12345, [](SocketRecord &r) { r.state = SocketState::Close; }));
    QVERIFY(!registry.markClosed(12345));
    QVERIFY(!registry.remove(12345));
    QCOMPARE(changed.count(), 0);
}

void TestSocketRegistry::removeSignalsAndForgets()
{
    SocketRegistry registry;
    const SocketId a = registry.add(tcpRecord(SocketRole::TcpClient, 50000, 9877));
    const SocketId b = registry.add(tcpRecord(SocketRole::TcpClient, 50001, 9877));
    QSignalSpy removed(&registry, &SocketRegistry::socketRemoved);
    QVERIFY(registry.remove(a));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(0).value<SocketId>(), a);
    QVERIFY(!registry.find(a));
    QCOMPARE(registry.ids(), QList<SocketId>{b});
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {QHostAddress(QHostAddress::LocalHost), 50000},
                                  Endpoint{QHostAddress(QHostAddress::LocalHost), 9877}),
             InvalidSocketId);
    registry.clear();
    QCOMPARE(registry.count(), 0);
    QCOMPARE(removed.count(), 2);
}

void TestSocketRegistry::findByTupleTellsSharedPortSocketsApart()
{
    // The textbook point: accepted sockets share the listener's local port and differ only
    // in the remote end, so the tuple, not the port, is their identity.
    SocketRegistry registry;
    const QHostAddress lo(QHostAddress::LocalHost);
    const SocketId listener = registry.add(tcpRecord(SocketRole::TcpListener, 9877, std::nullopt));
    const SocketId a = registry.add(tcpRecord(SocketRole::TcpServerSide, 9877, 51234));
    const SocketId b = registry.add(tcpRecord(SocketRole::TcpServerSide, 9877, 51235));
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {lo, 9877}, std::nullopt), listener);
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {lo, 9877}, Endpoint{lo, 51234}), a);
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {lo, 9877}, Endpoint{lo, 51235}), b);
    QCOMPARE(registry.findByTuple(Protocol::Udp, {lo, 9877}, std::nullopt), InvalidSocketId);
}

void TestSocketRegistry::findByTupleFollowsEndpointChanges()
{
    SocketRegistry registry;
    const QHostAddress lo(QHostAddress::LocalHost);
    SocketRecord connecting = tcpRecord(SocketRole::TcpClient, 0, 9877);
    connecting.state = SocketState::SynSent;
    const SocketId id = registry.add(connecting);
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.local.port = 40001; }));
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {lo, 40001}, Endpoint{lo, 9877}), id);
    QCOMPARE(registry.findByTuple(Protocol::Tcp, {lo, 0}, Endpoint{lo, 9877}), InvalidSocketId);
}

void TestSocketRegistry::trafficCountsBytesAndDatagrams_data()
{
    QTest::addColumn<bool>("datagram");
    QTest::newRow("stream") << false;
    QTest::newRow("datagram") << true;
}

void TestSocketRegistry::trafficCountsBytesAndDatagrams()
{
    QFETCH(bool, datagram);
    SocketRegistry registry;
    const SocketId id = registry.add(tcpRecord(SocketRole::TcpClient, 50000, 9877));
    QSignalSpy traffic(&registry, &SocketRegistry::trafficObserved);
    const Endpoint peer{QHostAddress(QHostAddress::LocalHost), 9877};
    registry.recordTraffic(id, TrafficDirection::Sent, 10, peer, datagram);
    registry.recordTraffic(id, TrafficDirection::Sent, 5, peer, datagram);
    registry.recordTraffic(id, TrafficDirection::Received, 7, peer, datagram);
    registry.recordTraffic(4242, TrafficDirection::Received, 7, peer, datagram); // unknown id
    const SocketRecord *record = registry.find(id);
    QCOMPARE(record->bytesSent, 15u);
    QCOMPARE(record->bytesReceived, 7u);
    QCOMPARE(record->datagramsSent, datagram ? 2u : 0u);
    QCOMPARE(record->datagramsReceived, datagram ? 1u : 0u);
    QCOMPARE(traffic.count(), 3);
    QCOMPARE(traffic.at(2).at(1).value<TrafficDirection>(), TrafficDirection::Received);
    QCOMPARE(traffic.at(2).at(2).toLongLong(), 7);
}

void TestSocketRegistry::markClosedStampsTime()
{
    SocketRegistry registry;
    const SocketId id = registry.add(tcpRecord(SocketRole::TcpClient, 50000, 9877));
    QVERIFY(registry.find(id)->isOpen());
    QVERIFY(registry.markClosed(id, SocketState::TimeWait));
    QVERIFY(!registry.find(id)->isOpen());
    QCOMPARE(registry.find(id)->state, SocketState::TimeWait);
    const QDateTime closed = registry.find(id)->closed;
    QVERIFY(registry.markClosed(id));
    QCOMPARE(registry.find(id)->closed, closed); // the first close time stays
}

void TestSocketRegistry::stateNamesRoundTrip_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("name");
    QTest::newRow("listen") << int(SocketState::Listen) << QStringLiteral("LISTEN");
    QTest::newRow("established") << int(SocketState::Established) << QStringLiteral("ESTABLISHED");
    QTest::newRow("fin-wait-2") << int(SocketState::FinWait2) << QStringLiteral("FIN_WAIT2");
    QTest::newRow("close-wait") << int(SocketState::CloseWait) << QStringLiteral("CLOSE_WAIT");
    QTest::newRow("time-wait") << int(SocketState::TimeWait) << QStringLiteral("TIME_WAIT");
    QTest::newRow("udp") << int(SocketState::Unconnected) << QStringLiteral("UNCONN");
}

void TestSocketRegistry::stateNamesRoundTrip()
{
    QFETCH(int, state);
    QFETCH(QString, name);
    QCOMPARE(stateName(static_cast<SocketState>(state)), name);
    QCOMPARE(stateFromName(name), std::optional(static_cast<SocketState>(state)));
    QVERIFY(!stateFromName(name.toLower()));
    QCOMPARE(roleFromName(roleName(SocketRole::TcpServerSide)),
             std::optional(SocketRole::TcpServerSide));
    QVERIFY(!roleFromName(QStringLiteral("tcp-server")));
}

void TestSocketRegistry::linuxStateNumbers_data()
{
    QTest::addColumn<int>("linux");
    QTest::addColumn<int>("state");
    QTest::newRow("1 established") << 1 << int(SocketState::Established);
    QTest::newRow("6 time-wait") << 6 << int(SocketState::TimeWait);
    QTest::newRow("8 close-wait") << 8 << int(SocketState::CloseWait);
    QTest::newRow("10 listen") << 10 << int(SocketState::Listen);
    QTest::newRow("0 unknown") << 0 << int(SocketState::Unknown);
    QTest::newRow("99 unknown") << 99 << int(SocketState::Unknown);
}

void TestSocketRegistry::linuxStateNumbers()
{
    QFETCH(int, linux);
    QFETCH(int, state);
    QCOMPARE(stateFromLinuxTcpState(linux), static_cast<SocketState>(state));
}

void TestSocketRegistry::endpointText_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("text");
    QTest::newRow("v4") << QStringLiteral("127.0.0.1") << 9877 << QStringLiteral("127.0.0.1:9877");
    QTest::newRow("v6") << QStringLiteral("::1") << 9877 << QStringLiteral("[::1]:9877");
    QTest::newRow("any v4") << QStringLiteral("0.0.0.0") << 9877 << QStringLiteral("*:9877");
    QTest::newRow("any v6") << QStringLiteral("::") << 53 << QStringLiteral("*:53");
}

void TestSocketRegistry::endpointText()
{
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, text);
    QCOMPARE((Endpoint{QHostAddress(address), static_cast<quint16>(port)}.toString()), text);
}

void TestSocketRegistry::effectiveStatePrefersKernel()
{
    SocketRecord record = tcpRecord(SocketRole::TcpClient, 50000, 9877);
    QCOMPARE(record.effectiveState(), SocketState::Established);
    QCOMPARE(record.recvQ(), 0u);
    record.kernel = KernelFacts{SocketState::CloseWait, 12, 3, 1, 1, -1, {}, {}, {}};
    QCOMPARE(record.effectiveState(), SocketState::CloseWait);
    QCOMPARE(record.recvQ(), 12u);
    QCOMPARE(record.sendQ(), 3u);
}

QTEST_GUILESS_MAIN(TestSocketRegistry)
#include "tst_socketregistry.moc"
