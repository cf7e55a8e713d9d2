// SPDX-License-Identifier: MIT
#include "comparisonpanel.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);

SocketRecord record(Protocol protocol, SocketRole role, quint16 local,
                    std::optional<quint16> remote, SocketState state, qint64 pid)
{
    SocketRecord r;
    r.protocol = protocol;
    r.role = role;
    r.local = {kLoopback, local};
    if (remote)
        r.remote = Endpoint{kLoopback, *remote};
    r.state = state;
    r.pid = pid;
    return r;
}

} // namespace

class TestComparisonPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void contrastsTheSameClients();
    void spawnsTheSameNumberForBoth();
    void timeWaitLeftoversAreNoClients();
};

void TestComparisonPanel::contrastsTheSameClients()
{
    SocketRegistry registry;
    ComparisonPanel panel(registry);
    // TCP, process per client: a listener in the parent, one accepted socket per child.
    registry.add(
            record(Protocol::Tcp, SocketRole::TcpListener, 9877, {}, SocketState::Listen, 100));
    for (quint16 i = 0; i < 3; ++i) {
        registry.add(record(Protocol::Tcp, SocketRole::TcpClient, 50000 + i, 9877,
                            SocketState::Established, 100));
        registry.add(record(Protocol::Tcp, SocketRole::TcpServerSide, 9877, 50000 + i,
                            SocketState::Established, 201 + i));
    }
    // UDP: one socket in one process for every client.
    registry.add(
            record(Protocol::Udp, SocketRole::UdpServer, 9877, {}, SocketState::Unconnected, 100));
    for (quint16 i = 0; i < 3; ++i)
        registry.add(record(Protocol::Udp, SocketRole::UdpClient, 40000 + i, {},
                            SocketState::Unconnected, 100));
    const auto cell = [&panel](int row, int column) { return panel.cellText(row, column); };
    QTRY_COMPARE(cell(0, 0), QStringLiteral("3")); // coalesced: arrives after a moment
    QCOMPARE(cell(0, 1), QStringLiteral("3"));
    QCOMPARE(cell(1, 0), QStringLiteral("4"));
    QCOMPARE(cell(1, 1), QStringLiteral("1"));
    QCOMPARE(cell(2, 0), QStringLiteral("1.00"));
    QCOMPARE(cell(2, 1), QStringLiteral("0.00"));
    QCOMPARE(cell(3, 0), QStringLiteral("3 ESTABLISHED\n1 LISTEN"));
    QVERIFY(cell(3, 1).startsWith(QStringLiteral("1 UNCONN")));
    QCOMPARE(cell(4, 0), QStringLiteral("4")); // the parent and three children
    QCOMPARE(cell(4, 1), QStringLiteral("1"));
    QVERIFY(cell(5, 1).startsWith(QStringLiteral("local address only")));
    // Connected UDP: a socket per client with a remote end, told apart by the tuple too.
    registry.add(record(Protocol::Udp, SocketRole::UdpServer, 9877, 40000, SocketState::Established,
                        100));
    QTRY_VERIFY(cell(5, 1).startsWith(QStringLiteral("connected sockets: the 4-tuple")));
}

void TestComparisonPanel::spawnsTheSameNumberForBoth()
{
    SocketRegistry registry;
    ComparisonPanel panel(registry);
    QSignalSpy spy(&panel, &ComparisonPanel::spawnBothRequested);
    const auto buttons = panel.findChildren<QPushButton *>();
    QCOMPARE(buttons.size(), 1);
    buttons.first()->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 3);
    QCOMPARE(spy.at(0).at(1).toInt(), 3);

    // Uneven sides (two TCP clients, one UDP client): the button evens them out, three more
    // than the side with more, so both end with five.
    for (quint16 i = 0; i < 2; ++i)
        registry.add(record(Protocol::Tcp, SocketRole::TcpClient, 50000 + i, 9877,
                            SocketState::Established, 100));
    registry.add(
            record(Protocol::Udp, SocketRole::UdpClient, 40000, {}, SocketState::Unconnected, 100));
    buttons.first()->click(); // at once: it counts what is there, not the last refresh
    QCOMPARE(spy.count(), 2);
    const int tcpMore = spy.at(1).at(0).toInt();
    const int udpMore = spy.at(1).at(1).toInt();
    QCOMPARE(tcpMore, 3);
    QCOMPARE(udpMore, 4);
    QCOMPARE(panel.tcpClients() + tcpMore, panel.udpClients() + udpMore);
}

void TestComparisonPanel::timeWaitLeftoversAreNoClients()
{
    SocketRegistry registry;
    ComparisonPanel panel(registry);
    registry.add(
            record(Protocol::Tcp, SocketRole::TcpListener, 9877, {}, SocketState::Listen, 100));
    registry.add(record(Protocol::Tcp, SocketRole::TcpClient, 50000, 9877, SocketState::Established,
                        100));
    registry.add(record(Protocol::Tcp, SocketRole::TcpServerSide, 9877, 50000,
                        SocketState::Established, 100));
    // What the kernel merger adds after a client closed first: its tuple, in TIME_WAIT.
    SocketRecord leftover
            = record(Protocol::Tcp, SocketRole::TcpClient, 50001, 9877, SocketState::Close, 0);
    leftover.kernelOnly = true;
    leftover.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 41000, {}, {}, {}};
    registry.add(leftover);
    QTRY_VERIFY(panel.cellText(0, 0).startsWith(QLatin1String("1")));
    QCOMPARE(panel.tcpClients(), 1);
    QVERIFY2(panel.cellText(0, 0).contains(QLatin1String("1 in TIME_WAIT, kernel only")),
             qPrintable(panel.cellText(0, 0)));
    QCOMPARE(panel.cellText(1, 0), QStringLiteral("2")); // the listener and the accepted one
}

QTEST_MAIN(TestComparisonPanel)
#include "tst_comparisonpanel.moc"
