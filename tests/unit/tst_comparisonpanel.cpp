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
}

QTEST_MAIN(TestComparisonPanel)
#include "tst_comparisonpanel.moc"
