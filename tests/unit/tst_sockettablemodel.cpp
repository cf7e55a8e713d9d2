// SPDX-License-Identifier: MIT
#include "sockettablemodel.h"
#include "tableexporter.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);

SocketId addTcp(SocketRegistry &registry, SocketRole role, quint16 localPort,
                std::optional<quint16> remotePort)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = role;
    record.local = {kLoopback, localPort};
    if (remotePort)
        record.remote = Endpoint{kLoopback, *remotePort};
    record.state = remotePort ? SocketState::Established : SocketState::Listen;
    record.program = QStringLiteral("socketscope");
    return registry.add(record);
}

SocketId addUdp(SocketRegistry &registry, quint16 localPort)
{
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpServer;
    record.local = {kLoopback, localPort};
    record.state = SocketState::Unconnected;
    return registry.add(record);
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestSocketTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsFollowTheRegistry();
    void columnsReadLikeNetstat();
    void udpHasNoState();
    void udpRecvQIsKernelMemory();
    void kernelFactsShowInQueuesAndState();
    void changesEmitDataChanged();
    void proxySortsPortsAsNumbers();
    void proxyFiltersByProtocolAndText();
    void ageText_data();
    void ageText();
    void ageFollowsTheInjectedClock();
    void newAndChangedRowsHighlightThenFade();
    void closingRowsStayTinted();
    void proxyFiltersByStateAndPort();
    void exportsCsvAndText();
    void coalescedRowsComeAndGoAsRanges();
};

void TestSocketTableModel::rowsFollowTheRegistry()
{
    SocketRegistry registry;
    const SocketId early = addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    SocketTableModel model(registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1); // records that existed before the model are shown too
    const SocketId a = addTcp(registry, SocketRole::TcpServerSide, 9877, 50001);
    const SocketId b = addTcp(registry, SocketRole::TcpServerSide, 9877, 50002);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.socketAt(0), early);
    QCOMPARE(model.rowOf(b), 2);
    QVERIFY(registry.remove(a));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(a), -1);
    QCOMPARE(model.rowOf(b), 1); // rows after a removal move up
    QCOMPARE(model.index(1, 0).data(SocketTableModel::SocketIdRole).value<SocketId>(), b);
    registry.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestSocketTableModel::columnsReadLikeNetstat()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    addTcp(registry, SocketRole::TcpServerSide, 9877, 51234);
    QCOMPARE(model.columnCount(), 9);
    QCOMPARE(model.headerData(SocketTableModel::LocalAddress, Qt::Horizontal).toString(),
             QStringLiteral("Local Address"));
    QCOMPARE(cell(model, 0, SocketTableModel::Proto), QStringLiteral("tcp"));
    QCOMPARE(cell(model, 0, SocketTableModel::LocalAddress), QStringLiteral("127.0.0.1:9877"));
    QCOMPARE(cell(model, 0, SocketTableModel::ForeignAddress), QStringLiteral("127.0.0.1:51234"));
    QCOMPARE(cell(model, 0, SocketTableModel::State), QStringLiteral("ESTABLISHED"));
    QCOMPARE(cell(model, 0, SocketTableModel::PidProgram),
             QString::number(QCoreApplication::applicationPid()) + QStringLiteral("/socketscope"));
    QCOMPARE(cell(model, 0, SocketTableModel::Role), QStringLiteral("tcp-server-side"));
    QCOMPARE(cell(model, 0, SocketTableModel::Age), QStringLiteral("0s"));

    addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    QCOMPARE(cell(model, 1, SocketTableModel::ForeignAddress), QStringLiteral("*:*"));
    QCOMPARE(cell(model, 1, SocketTableModel::State), QStringLiteral("LISTEN"));
}

void TestSocketTableModel::udpHasNoState()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    addUdp(registry, 9877);
    QCOMPARE(cell(model, 0, SocketTableModel::Proto), QStringLiteral("udp"));
    QCOMPARE(cell(model, 0, SocketTableModel::State), QString());
    QVERIFY(model.index(0, SocketTableModel::State)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("connectionless")));
    // A connected UDP socket (the server's per-client one) reads as netstat prints it.
    const SocketId connected = addUdp(registry, 9877);
    QVERIFY(registry.update(connected, [](SocketRecord &r) {
        r.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), 50001};
        r.kernel = KernelFacts{SocketState::Established, 0, 0, 4712, 4242, -1, {}, {}, {}};
    }));
    QCOMPARE(cell(model, 1, SocketTableModel::State), QStringLiteral("ESTABLISHED"));
    QVERIFY(model.index(1, SocketTableModel::State)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("connected UDP socket")));
    QCOMPARE(cell(model, 0, SocketTableModel::State), QString());
}

void TestSocketTableModel::udpRecvQIsKernelMemory()
{
    // Three datagrams of 5 bytes each: the kernel counts 3 x 832 B, which is no payload size.
    SocketRegistry registry;
    SocketTableModel model(registry);
    const SocketId udp = addUdp(registry, 9877);
    const SocketId tcp = addTcp(registry, SocketRole::TcpClient, 51234, 9877);
    for (SocketId id : {udp, tcp})
        QVERIFY(registry.update(id, [](SocketRecord &r) {
            r.kernel = KernelFacts{r.state, 2496, 0, 4711, 4242, -1, {}, {}, {}};
        }));
    const auto tip = [&model](int row) {
        return model.index(row, SocketTableModel::RecvQ).data(Qt::ToolTipRole).toString();
    };
    QCOMPARE(cell(model, 0, SocketTableModel::Proto), QStringLiteral("udp"));
    QVERIFY2(tip(0).contains(QLatin1String("kernel memory, not payload")), qPrintable(tip(0)));
    QVERIFY2(!tip(1).contains(QLatin1String("kernel memory")), qPrintable(tip(1)));
    QVERIFY(model.headerData(SocketTableModel::RecvQ, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("for UDP, kernel memory")));
}

void TestSocketTableModel::kernelFactsShowInQueuesAndState()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    const SocketId id = addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    QVERIFY(registry.update(id, [](SocketRecord &r) {
        r.kernel = KernelFacts{SocketState::Listen, 3, 128, 4711, 4242, -1, {}, {}, {}};
    }));
    QCOMPARE(cell(model, 0, SocketTableModel::RecvQ), QStringLiteral("3"));
    QCOMPARE(cell(model, 0, SocketTableModel::SendQ), QStringLiteral("128"));
    QCOMPARE(cell(model, 0, SocketTableModel::PidProgram), QStringLiteral("4242/socketscope"));
}

void TestSocketTableModel::changesEmitDataChanged()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    addTcp(registry, SocketRole::TcpClient, 50000, 9877);
    const SocketId id = addTcp(registry, SocketRole::TcpClient, 50001, 9877);
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.state = SocketState::FinWait1; }));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(cell(model, 1, SocketTableModel::State), QStringLiteral("FIN_WAIT1"));
}

void TestSocketTableModel::proxySortsPortsAsNumbers()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    SocketFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // As text "9999" sorts after "10000"; as ports it must come first.
    addTcp(registry, SocketRole::TcpClient, 10000, 9877);
    addTcp(registry, SocketRole::TcpClient, 9999, 9877);
    addTcp(registry, SocketRole::TcpClient, 65000, 9877);
    proxy.sort(SocketTableModel::LocalAddress, Qt::AscendingOrder);
    QCOMPARE(cell(proxy, 0, SocketTableModel::LocalAddress), QStringLiteral("127.0.0.1:9999"));
    QCOMPARE(cell(proxy, 1, SocketTableModel::LocalAddress), QStringLiteral("127.0.0.1:10000"));
    QCOMPARE(cell(proxy, 2, SocketTableModel::LocalAddress), QStringLiteral("127.0.0.1:65000"));
}

void TestSocketTableModel::proxyFiltersByProtocolAndText()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    SocketFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    addTcp(registry, SocketRole::TcpServerSide, 9877, 51234);
    addUdp(registry, 9877);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setProtocolFilter(Protocol::Udp);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(cell(proxy, 0, SocketTableModel::Proto), QStringLiteral("udp"));
    proxy.setProtocolFilter(Protocol::Tcp);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setTextFilter(QStringLiteral("51234"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setTextFilter(QStringLiteral("listen")); // case does not matter
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(cell(proxy, 0, SocketTableModel::Role), QStringLiteral("tcp-listener"));
    proxy.setProtocolFilter(std::nullopt);
    proxy.setTextFilter(QString());
    QCOMPARE(proxy.rowCount(), 3);
    addTcp(registry, SocketRole::TcpServerSide, 9877, 51235); // dynamic filtering keeps up
    QCOMPARE(proxy.rowCount(), 4);
}

void TestSocketTableModel::ageText_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << qint64(0) << QStringLiteral("0s");
    QTest::newRow("59") << qint64(59) << QStringLiteral("59s");
    QTest::newRow("61") << qint64(61) << QStringLiteral("1m 01s");
    QTest::newRow("3725") << qint64(3725) << QStringLiteral("1h 02m");
}

void TestSocketTableModel::ageText()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(SocketTableModel::ageText(seconds), text);
}

void TestSocketTableModel::newAndChangedRowsHighlightThenFade()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    // Highlights end on the model's clock (the picture's, in the window): driven here.
    QDateTime now = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000, Qt::UTC);
    model.setWallClock([&now] { return now; });
    using Highlight = SocketTableModel::Highlight;
    const auto highlight = [&model](int row) {
        return static_cast<Highlight>(
                model.index(row, 0).data(SocketTableModel::HighlightRole).toInt());
    };
    const SocketId id = addTcp(registry, SocketRole::TcpClient, 50000, 9877);
    QCOMPARE(highlight(0), Highlight::New);
    now = now.addMSecs(SocketTableModel::NewHighlightMs - 1);
    QTest::qWait(400); // the model looks at its clock a few times a second
    QCOMPARE(highlight(0), Highlight::New); // the clock stood (nearly) still: it stays
    now = now.addMSecs(1);
    QTRY_COMPARE_WITH_TIMEOUT(highlight(0), Highlight::None, 2000);
    // Traffic alone is not a change worth flashing; a new state is.
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.bytesSent += 10; }));
    QCOMPARE(highlight(0), Highlight::None);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(registry.update(id, [](SocketRecord &r) {
        r.kernel = KernelFacts{SocketState::SynSent, 0, 0, 1, 0, -1, {}, {}, {}};
    }));
    QCOMPARE(highlight(0), Highlight::Changed);
    now = now.addMSecs(SocketTableModel::ChangedHighlightMs);
    QTRY_COMPARE_WITH_TIMEOUT(highlight(0), Highlight::None, 2000);
    QVERIFY(changed.count() >= 2); // the change, then the end of its highlight

    // A seek (replaceAll) puts every socket back at once: no row flashes as new.
    const SocketId other = addTcp(registry, SocketRole::TcpClient, 50001, 9877);
    QCOMPARE(highlight(model.rowOf(other)), Highlight::New);
    registry.replaceAll(registry.records());
    QCOMPARE(highlight(model.rowOf(id)), Highlight::None);
    QCOMPARE(highlight(model.rowOf(other)), Highlight::None);
}

void TestSocketTableModel::closingRowsStayTinted()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    using Highlight = SocketTableModel::Highlight;
    const SocketId id = addTcp(registry, SocketRole::TcpClient, 50000, 9877);
    QVERIFY(registry.update(id, [](SocketRecord &r) {
        r.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 60000, {}, {}, {}};
        r.kernelOnly = true;
    }));
    QTRY_COMPARE_WITH_TIMEOUT(
            static_cast<Highlight>(model.index(0, 0).data(SocketTableModel::HighlightRole).toInt()),
            Highlight::Closing, SocketTableModel::ChangedHighlightMs + 2000);
    QVERIFY(model.index(0, 0).data(SocketTableModel::KernelOnlyRole).toBool());
}

void TestSocketTableModel::proxyFiltersByStateAndPort()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    SocketFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    addTcp(registry, SocketRole::TcpServerSide, 9877, 51234);
    addTcp(registry, SocketRole::TcpClient, 51234, 9877);
    addTcp(registry, SocketRole::TcpClient, 40000, 8080);
    proxy.setStateFilter(SocketState::Listen);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setStateFilter(SocketState::Established);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setPortFilter(51234); // local or remote, like ss's sport/dport
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setStateFilter(std::nullopt);
    proxy.setPortFilter(9877);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setPortFilter(std::nullopt);
    QCOMPARE(proxy.rowCount(), 4);
}

void TestSocketTableModel::exportsCsvAndText()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    const SocketId id = addTcp(registry, SocketRole::TcpClient, 51234, 9877);
    QVERIFY(registry.update(id, [](SocketRecord &r) { r.program = QStringLiteral("a,\"b\""); }));
    const QString csv = TableExporter::toCsv(model);
    const QStringList lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith(QStringLiteral("Proto,Local Address,Foreign Address,State")));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("tcp,127.0.0.1:9877,*:*,LISTEN,")),
             qPrintable(lines.at(1)));
    // RFC 4180: a field with a comma or a quote is quoted, quotes doubled.
    QVERIFY2(lines.at(2).contains(QStringLiteral("/a,\"\"b\"\"\"")), qPrintable(lines.at(2)));
    const QString text = TableExporter::toText(model, {1});
    const QStringList textLines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(textLines.size(), 2); // header and the one row asked for
    // Columns line up: the second column starts at the same place in every line.
    QCOMPARE(textLines.at(0).indexOf(QStringLiteral("Local Address")),
             textLines.at(1).indexOf(QStringLiteral("127.0.0.1:51234")));
}

// The window's table: a batch of changes becomes a few range insertions and removals once
// control is back in the event loop, in id order, and a socket gone within the batch that
// made it is never a row.
void TestSocketTableModel::coalescedRowsComeAndGoAsRanges()
{
    SocketRegistry registry;
    const SocketId listener = addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    SocketTableModel model(registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SocketFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    model.setCoalescing(true);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QList<SocketId> ids;
    for (quint16 port = 50001; port <= 50010; ++port)
        ids.append(addTcp(registry, SocketRole::TcpServerSide, 9877, port));
    const SocketId brief = addTcp(registry, SocketRole::TcpServerSide, 9877, 50011);
    QVERIFY(registry.remove(brief)); // born and gone in one batch
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.hasPendingRows());
    QCoreApplication::processEvents();
    QVERIFY(!model.hasPendingRows());
    QCOMPARE(inserted.size(), 1); // ten sockets, one range
    QCOMPARE(model.rowCount(), 11);
    QCOMPARE(proxy.rowCount(), 11);
    QCOMPARE(model.rowOf(brief), -1);
    QCOMPARE(model.socketAt(0), listener);
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(model.socketAt(i + 1), ids.at(i));

    // Rows 2-4 and 8-9 go (two ranges); the rest keep their order.
    for (int i : {1, 2, 3, 7, 8})
        QVERIFY(registry.remove(ids.at(i)));
    QCOMPARE(model.rowCount(), 11); // until the batch is over
    model.flush();
    QCOMPARE(removed.size(), 2);
    QCOMPARE(model.rowCount(), 6);
    const QList<SocketId> left{listener, ids.at(0), ids.at(4), ids.at(5), ids.at(6), ids.at(9)};
    for (int row = 0; row < left.size(); ++row)
        QCOMPARE(model.socketAt(row), left.at(row));
    QCOMPARE(cell(model, 2, SocketTableModel::ForeignAddress), QStringLiteral("127.0.0.1:50005"));

    // Turned off, rows follow each change at once again.
    model.setCoalescing(false);
    const SocketId now = addTcp(registry, SocketRole::TcpServerSide, 9877, 50020);
    QCOMPARE(model.rowOf(now), 6);
}

QTEST_GUILESS_MAIN(TestSocketTableModel)
#include "tst_sockettablemodel.moc"

// In the window the table's ages are the picture's: what the injected clock says (the
// presentation clock's wall time), not the machine's.
void TestSocketTableModel::ageFollowsTheInjectedClock()
{
    SocketRegistry registry;
    SocketTableModel model(registry);
    const SocketId id = addTcp(registry, SocketRole::TcpListener, 9877, std::nullopt);
    const QDateTime created = registry.find(id)->created;
    QDateTime now = created.addSecs(65);
    model.setWallClock([&now] { return now; });
    const QModelIndex age = model.index(model.rowOf(id), SocketTableModel::Age);
    QCOMPARE(age.data().toString(), QStringLiteral("1m 05s"));
    now = created.addSecs(7);
    QCOMPARE(age.data().toString(), QStringLiteral("7s"));
}
