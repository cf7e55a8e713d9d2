// SPDX-License-Identifier: MIT
// The diagram's layout as a pure step: records in, sections, rows and rectangles out, with
// no scene and no item. What the picture promises is checked on the plan itself.

#include "diagramlayout.h"
#include "diagramtext.h"

#include <QTest>

#include <memory>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);
constexpr quint16 kServerPort = 9877;
constexpr qint64 kOwnPid = 4000;

// Records the way the registry holds them, each with its own id, in order of appearance.
class Records
{
public:
    SocketId listener()
    {
        SocketRecord &r = add(Protocol::Tcp, SocketRole::TcpListener, kServerPort);
        r.state = SocketState::Listen;
        return r.id;
    }
    SocketId tcpClient(quint16 port)
    {
        SocketRecord &r = add(Protocol::Tcp, SocketRole::TcpClient, port);
        r.remote = Endpoint{kLoopback, kServerPort};
        return r.id;
    }
    SocketId accepted(quint16 clientPort, qint64 pid = kOwnPid, qint64 threadId = 0)
    {
        SocketRecord &r = add(Protocol::Tcp, SocketRole::TcpServerSide, kServerPort);
        r.remote = Endpoint{kLoopback, clientPort};
        r.pid = pid;
        r.threadId = threadId;
        return r.id;
    }
    SocketId udpServer(std::optional<quint16> connectedTo = std::nullopt)
    {
        SocketRecord &r = add(Protocol::Udp, SocketRole::UdpServer, kServerPort);
        if (connectedTo)
            r.remote = Endpoint{kLoopback, *connectedTo};
        return r.id;
    }
    SocketId udpClient(quint16 port) { return add(Protocol::Udp, SocketRole::UdpClient, port).id; }
    QList<const SocketRecord *> list() const
    {
        QList<const SocketRecord *> out;
        for (const auto &record : m_records)
            out.append(record.get());
        return out;
    }

private:
    SocketRecord &add(Protocol protocol, SocketRole role, quint16 port)
    {
        auto record = std::make_unique<SocketRecord>();
        record->id = ++m_lastId;
        record->protocol = protocol;
        record->role = role;
        record->local = {kLoopback, port};
        record->state
                = protocol == Protocol::Tcp ? SocketState::Established : SocketState::Unconnected;
        record->pid = kOwnPid;
        m_records.push_back(std::move(record));
        return *m_records.back();
    }
    std::vector<std::unique_ptr<SocketRecord>> m_records;
    SocketId m_lastId = 100;
};

// Numbers clients the way the scene does, and remembers whom it was asked about.
struct Numbering
{
    QList<SocketId> asked;
    DiagramLayout::Options options(int collapseLimit = 12, bool showAll = false)
    {
        DiagramLayout::Options o;
        o.collapseLimit = collapseLimit;
        o.showAll = showAll;
        o.ownPid = kOwnPid;
        o.clientNumber = [this](SocketId id, Protocol) {
            if (!asked.contains(id))
                asked.append(id);
            return int(asked.indexOf(id)) + 1;
        };
        return o;
    }
};

const DiagramLayout::Card *cardOf(const DiagramLayout::Plan &plan, SocketId id)
{
    for (const DiagramLayout::Card &card : plan.cards) {
        if (card.id == id)
            return &card;
    }
    return nullptr;
}

QRectF rectOf(const DiagramLayout::Plan &plan, SocketId id)
{
    const DiagramLayout::Card *card = cardOf(plan, id);
    return card ? QRectF(card->pos, QSizeF(card->width, DiagramLayout::CardHeight)) : QRectF();
}

QRectF frameRect(const DiagramLayout::Plan &plan, const QString &key)
{
    for (const DiagramLayout::Frame &frame : plan.frames) {
        if (frame.key == key)
            return frame.rect;
    }
    return {};
}

QString textOf(const DiagramLayout::Plan &plan, const QString &key)
{
    for (const DiagramLayout::Text &text : plan.texts) {
        if (text.key == key)
            return text.content;
    }
    return {};
}

} // namespace

class TestDiagramLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void serverSideSocketsShareTheListenersSection();
    void clientsInOrderOfAppearance();
    void anAcceptedSocketBeforeItsClientSharesTheRow();
    void collapseLimitIsRespected_data();
    void collapseLimitIsRespected();
    void newConnectionMovesNothingAbove();
    void workersGetBoxesAroundTheirSocket();
    void theParentsNoteSaysWhatItHolds();
    void udpSocketsTakeTheirOwnSection();
    void compactPictureFitsItsRoom_data();
    void compactPictureFitsItsRoom();
    void foldingKeepsTheRowsInFocus();
    void theSectionOutOfFocusFoldsIntoOneLine_data();
    void theSectionOutOfFocusFoldsIntoOneLine();
    void compactLeavesOutAnEmptySection();
};

void TestDiagramLayout::serverSideSocketsShareTheListenersSection()
{
    Records records;
    const SocketId listener = records.listener();
    QList<QPair<SocketId, SocketId>> connections;
    for (quint16 port : {51001, 51002, 51003}) {
        const SocketId client = records.tcpClient(port);
        connections.append({client, records.accepted(port)});
    }
    Numbering numbering;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options());

    QCOMPARE(plan.sections.listeners.size(), 1);
    QCOMPARE(plan.sections.tcpRows.size(), 3);
    QCOMPARE(plan.sections.serverSideSockets, 3);
    const QRectF server = frameRect(plan, QStringLiteral("tcp-server-process"));
    QVERIFY(!server.isEmpty());
    QVERIFY(server.contains(rectOf(plan, listener)));
    for (const auto &[client, accepted] : connections) {
        // The accepted socket is in the listener's process, below the listener; its client
        // is outside it, on the left, on the same row.
        QVERIFY(server.contains(rectOf(plan, accepted)));
        QVERIFY(rectOf(plan, accepted).top() > rectOf(plan, listener).bottom());
        QVERIFY(rectOf(plan, client).right() < server.left());
        QCOMPARE(rectOf(plan, client).top(), rectOf(plan, accepted).top());
    }
    // One line per connection, between its two cards; the listener's queue beside it.
    QCOMPARE(plan.lines.size(), 3);
    QCOMPARE(plan.lines.at(1).left, connections.at(1).first);
    QCOMPARE(plan.lines.at(1).right, connections.at(1).second);
    QCOMPARE(plan.queues.size(), 1);
    QCOMPARE(plan.queues.first().listener, listener);
    QVERIFY(plan.queues.first().pos.x() > rectOf(plan, listener).right());
    QCOMPARE(plan.connectArrowTo, listener);
    QVERIFY(textOf(plan, QStringLiteral("port-sharing")).contains(QStringLiteral(":9877")));
    // Everything lies inside the host and the scene.
    const QRectF host = frameRect(plan, QStringLiteral("host"));
    for (const DiagramLayout::Card &card : plan.cards)
        QVERIFY(host.contains(rectOf(plan, card.id)));
    QVERIFY(plan.sceneRect.contains(host));
}

void TestDiagramLayout::clientsInOrderOfAppearance()
{
    Records records;
    records.listener();
    QList<SocketId> clients;
    for (quint16 port : {52005, 52001, 52003}) { // ports out of order: appearance decides
        clients.append(records.tcpClient(port));
        records.accepted(port);
    }
    Numbering numbering;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options());
    QCOMPARE(numbering.asked, clients);
    for (int i = 0; i < clients.size(); ++i) {
        QCOMPARE(cardOf(plan, clients.at(i))->caption, QStringLiteral("client %1").arg(i + 1));
        if (i > 0)
            QCOMPARE(rectOf(plan, clients.at(i)).top() - rectOf(plan, clients.at(i - 1)).top(),
                     DiagramLayout::RowPitch);
    }
}

void TestDiagramLayout::anAcceptedSocketBeforeItsClientSharesTheRow()
{
    Records records;
    records.listener();
    const SocketId accepted = records.accepted(53001); // reported first
    const SocketId client = records.tcpClient(53001);
    Numbering numbering;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options());
    QCOMPARE(plan.sections.tcpRows.size(), 1);
    QCOMPARE(plan.sections.tcpRows.first().left->id, client);
    QCOMPARE(plan.sections.tcpRows.first().right->id, accepted);
    QCOMPARE(rectOf(plan, client).top(), rectOf(plan, accepted).top());
}

void TestDiagramLayout::collapseLimitIsRespected_data()
{
    QTest::addColumn<int>("connections");
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("showAll");
    QTest::addColumn<int>("rowsShown");
    QTest::addColumn<QString>("fold");
    QTest::newRow("under the limit") << 4 << 12 << false << 4 << QString();
    QTest::newRow("folded") << 7 << 3 << false << 3 << QStringLiteral("+ 4 more connections");
    QTest::newRow("all shown") << 7 << 3 << true << 7 << QStringLiteral("show fewer");
}

void TestDiagramLayout::collapseLimitIsRespected()
{
    QFETCH(int, connections);
    QFETCH(int, limit);
    QFETCH(bool, showAll);
    QFETCH(int, rowsShown);
    QFETCH(QString, fold);
    Records records;
    records.listener();
    for (int i = 0; i < connections; ++i) {
        records.tcpClient(quint16(54000 + i));
        records.accepted(quint16(54000 + i));
    }
    Numbering numbering;
    const DiagramLayout::Plan plan
            = DiagramLayout::plan(records.list(), numbering.options(limit, showAll));
    QCOMPARE(plan.rowsShown, rowsShown);
    QCOMPARE(plan.cards.size(), 1 + 2 * rowsShown);
    QCOMPARE(plan.lines.size(), rowsShown);
    QCOMPARE(plan.hiddenSockets, 2 * (connections - rowsShown));
    // Numbers go to clients shown; a folded one gets its number when it appears.
    QCOMPARE(numbering.asked.size(), rowsShown);
    if (fold.isEmpty()) {
        QVERIFY(plan.foldKeys.isEmpty());
    } else {
        QVERIFY2(textOf(plan, plan.foldKeys.value(0)).startsWith(fold),
                 qPrintable(textOf(plan, plan.foldKeys.value(0))));
    }
}

void TestDiagramLayout::newConnectionMovesNothingAbove()
{
    Records records;
    records.listener();
    for (quint16 port : {55001, 55002}) {
        records.tcpClient(port);
        records.accepted(port);
    }
    const SocketId udp = records.udpServer();
    Numbering numbering;
    const DiagramLayout::Plan before = DiagramLayout::plan(records.list(), numbering.options());
    records.tcpClient(55003);
    records.accepted(55003);
    const DiagramLayout::Plan after = DiagramLayout::plan(records.list(), numbering.options());
    for (const DiagramLayout::Card &card : before.cards) {
        if (card.id != udp)
            QCOMPARE(rectOf(after, card.id), rectOf(before, card.id));
    }
    // The UDP section below makes room for the new row.
    QCOMPARE(rectOf(after, udp).top() - rectOf(before, udp).top(), DiagramLayout::RowPitch);
    QCOMPARE(after.sceneRect.height() - before.sceneRect.height(), DiagramLayout::RowPitch);
}

void TestDiagramLayout::workersGetBoxesAroundTheirSocket()
{
    Records records;
    records.listener();
    records.tcpClient(56001);
    const SocketId inChild = records.accepted(56001, kOwnPid + 1);
    records.tcpClient(56002);
    const SocketId inThread = records.accepted(56002, kOwnPid, 777);
    Numbering numbering;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options());
    QCOMPARE(plan.sections.inChildProcesses, 1);
    QCOMPARE(plan.sections.inThreads, 1);
    QVERIFY(frameRect(plan, QStringLiteral("worker-%1").arg(inChild))
                    .contains(rectOf(plan, inChild)));
    QVERIFY(frameRect(plan, QStringLiteral("worker-%1").arg(inThread))
                    .contains(rectOf(plan, inThread)));
    QCOMPARE(cardOf(plan, inChild)->caption, QStringLiteral("child process 4001"));
    QCOMPARE(cardOf(plan, inThread)->caption, QStringLiteral("worker thread 777"));
}

void TestDiagramLayout::theParentsNoteSaysWhatItHolds()
{
    const auto note = [](const DiagramLayout::Plan &plan) {
        for (const DiagramLayout::Frame &frame : plan.frames) {
            if (frame.key == QLatin1String("tcp-server-process"))
                return frame.note;
        }
        return QString();
    };
    Records records;
    records.listener();
    records.tcpClient(56001);
    records.accepted(56001, kOwnPid + 1); // served by a child process
    Numbering numbering;
    QCOMPARE(note(DiagramLayout::plan(records.list(), numbering.options())),
             QStringLiteral("parent pid %1 holds only the listener").arg(kOwnPid));
    // A connection accepted before the switch to process per client stays in the parent.
    records.tcpClient(56002);
    records.accepted(56002, kOwnPid);
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options());
    QCOMPARE(plan.sections.inParent, 1);
    QCOMPARE(note(plan), QStringLiteral("parent pid %1 holds the listener and 1 accepted socket(s)")
                                 .arg(kOwnPid));
}

void TestDiagramLayout::udpSocketsTakeTheirOwnSection()
{
    Records records;
    records.listener();
    const SocketId server = records.udpServer();
    const SocketId connected = records.udpServer(57009);
    QList<SocketId> clients;
    for (quint16 port : {57001, 57002, 57003, 57004})
        clients.append(records.udpClient(port));
    Numbering numbering;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), numbering.options(2));
    QCOMPARE(plan.sections.udpServers.size(), 1);
    QCOMPARE(plan.sections.udpConnected.size(), 1);
    QCOMPARE(plan.sections.udpClients.size(), 4);
    const QRectF udpServer = frameRect(plan, QStringLiteral("udp-server-process"));
    QVERIFY(udpServer.contains(rectOf(plan, server)));
    QVERIFY(udpServer.contains(rectOf(plan, connected)));
    QVERIFY(udpServer.top() > frameRect(plan, QStringLiteral("tcp-server-process")).bottom());
    // Two clients shown, two folded; datagrams from a folded one still find their sender.
    QVERIFY(cardOf(plan, clients.at(1)));
    QVERIFY(!cardOf(plan, clients.at(2)));
    QCOMPARE(plan.hiddenSockets, 2);
    QCOMPARE(plan.udpClientByLocal.size(), 4);
    QCOMPARE(plan.udpClientByLocal.value(QStringLiteral("127.0.0.1:57004")), clients.at(3));
    QVERIFY(textOf(plan, QStringLiteral("more-udp")).startsWith(QStringLiteral("+ 2 more")));
    QVERIFY(!textOf(plan, DiagramLayout::udpQueueKey(server)).isEmpty());
    QCOMPARE(plan.sectionsWithRows, 1);
    // Connected UDP: the heading no longer says one socket, the caption names the peer in
    // full, and the highlight is on the peer, the part that tells the server's sockets apart.
    QCOMPARE(textOf(plan, QStringLiteral("udp-server-title")),
             QStringLiteral("UDP server — a connected socket per client, all on one local port"));
    QCOMPARE(cardOf(plan, connected)->caption, QStringLiteral("connected to 127.0.0.1:57009"));
    QList<const SocketRecord *> all = records.list();
    const SocketRecord *connectedRecord = *std::find_if(
            all.cbegin(), all.cend(), [&](const SocketRecord *r) { return r->id == connected; });
    const SocketCard look = DiagramText::card(*connectedRecord);
    QCOMPARE(look.tupleParts.at(look.highlightPart), QStringLiteral("127.0.0.1:57009"));
    // Without a connected socket it is the one socket for everyone.
    all.removeOne(connectedRecord);
    QVERIFY(textOf(DiagramLayout::plan(all, numbering.options(2)),
                   QStringLiteral("udp-server-title"))
                    .contains(QStringLiteral("one socket, datagrams handled one after another")));
}

void TestDiagramLayout::compactPictureFitsItsRoom_data()
{
    QTest::addColumn<int>("clients");
    QTest::addColumn<int>("udpClients");
    QTest::addColumn<qreal>("height");
    QTest::addColumn<int>("rowsExpected"); // rows per section shown
    // 1280x720 at 2x in presentation view: 659 x 371 scene units; the compact picture's
    // lower cards and rows fit the listener and three connections with the fold line.
    QTest::newRow("30 clients, 2x, 720 high") << 30 << 0 << 371.0 << 3;
    // Taller (or smaller text) leaves room for more rows, up to the standard fold.
    QTest::newRow("30 clients, 1080 high") << 30 << 0 << 556.0 << 6;
    QTest::newRow("30 clients, 1x") << 30 << 0 << 742.0 << 8;
    QTest::newRow("3 clients, room for all") << 3 << 0 << 742.0 << 3;
    // Both sections in full, as many rows each as fit.
    QTest::newRow("tcp and udp") << 30 << 5 << 742.0 << 3;
}

// Presentation view at a large text scale: the picture is given the room the window has at
// that scale and fills it, two columns side by side, folding rows rather than shrinking.
void TestDiagramLayout::compactPictureFitsItsRoom()
{
    QFETCH(int, clients);
    QFETCH(int, udpClients);
    QFETCH(qreal, height);
    QFETCH(int, rowsExpected);
    Records records;
    records.listener();
    QList<QPair<SocketId, SocketId>> rows;
    for (int i = 0; i < clients; ++i) {
        const auto port = quint16(40000 + i);
        rows.append({records.tcpClient(port), records.accepted(port)});
    }
    if (udpClients > 0)
        records.udpServer();
    for (int i = 0; i < udpClients; ++i)
        records.udpClient(quint16(50000 + i));
    Numbering numbering;
    DiagramLayout::Options options = numbering.options();
    options.width = 659;
    options.height = height;
    QVERIFY(DiagramLayout::isCompact(options));
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), options);
    QVERIFY(plan.compact);
    QVERIFY(!plan.showLegend);
    QCOMPARE(plan.sceneRect.width(), 659.0);
    // The whole picture in the room, nothing a drag away.
    QVERIFY2(plan.sceneRect.height() <= height,
             qPrintable(QString::number(plan.sceneRect.height())));
    QVERIFY(!plan.tcpFolded && !plan.udpFolded);
    QCOMPARE(qMin(clients, plan.collapseLimit), rowsExpected);
    // As many as fit: one row more per section would not.
    if (rowsExpected < clients)
        QVERIFY(plan.sceneRect.height() + plan.sectionsWithRows * DiagramLayout::CompactRowPitch
                > height);
    // Every card inside the room, the two of a row side by side without touching.
    for (const DiagramLayout::Card &card : plan.cards) {
        const QRectF rect(card.pos, QSizeF(card.width, DiagramLayout::CompactCardHeight));
        QVERIFY(plan.sceneRect.contains(rect));
        QVERIFY(card.width >= 290); // a 34-character tuple at 14 px: 287 units
    }
    const QRectF client = rectOf(plan, rows.first().first);
    const QRectF accepted = rectOf(plan, rows.first().second);
    QVERIFY(client.right() + 10 < accepted.left());
    QCOMPARE(client.top(), accepted.top());
    // The rest is counted, not drawn: "+ N more" with the right N.
    const qsizetype hiddenRows = clients - rowsExpected;
    bool foundMore = hiddenRows == 0;
    for (const DiagramLayout::Text &text : plan.texts) {
        if (text.key == QLatin1String("more-rows")) {
            QVERIFY2(text.content.startsWith(QStringLiteral("+ %1 more").arg(hiddenRows)),
                     qPrintable(text.content));
            foundMore = true;
        }
    }
    QVERIFY(foundMore);
    QCOMPARE(rectOf(plan, rows.at(rowsExpected - 1).first).isNull(), false);
    if (hiddenRows > 0)
        QVERIFY(!cardOf(plan, rows.at(rowsExpected).first));

    // The same records without a room: the standard picture, as wide as it always was.
    DiagramLayout::Options standard = numbering.options();
    const DiagramLayout::Plan wide = DiagramLayout::plan(records.list(), standard);
    QVERIFY(!wide.compact);
    QCOMPARE(wide.sceneRect.width(), DiagramLayout::StandardWidth);
}

// A tour step about the 20th connection, at the hall's text size: its row is drawn, the
// others fill what room is left in their order, and the rest is counted.
void TestDiagramLayout::foldingKeepsTheRowsInFocus()
{
    Records records;
    records.listener();
    QList<QPair<SocketId, SocketId>> rows;
    for (int i = 0; i < 30; ++i) {
        const auto port = quint16(40000 + i);
        rows.append({records.tcpClient(port), records.accepted(port)});
    }
    Numbering numbering;
    DiagramLayout::Options options = numbering.options();
    options.width = 659;
    options.height = 371;
    const DiagramLayout::Plan unfocused = DiagramLayout::plan(records.list(), options);
    QVERIFY(!cardOf(unfocused, rows.at(19).second));
    options.focus = {rows.at(19).second};
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), options);
    QCOMPARE(plan.collapseLimit, unfocused.collapseLimit); // the same room, the same count
    QVERIFY(cardOf(plan, rows.at(19).first));
    QVERIFY(cardOf(plan, rows.at(19).second));
    QVERIFY(cardOf(plan, rows.at(0).first)); // then the oldest
    QVERIFY(!cardOf(plan, rows.at(plan.collapseLimit - 1).first)); // gave its place
    // In order of appearance: the 20th below the first.
    QVERIFY(rectOf(plan, rows.at(19).first).top() > rectOf(plan, rows.at(0).first).top());
    QVERIFY(textOf(plan, QStringLiteral("more-rows"))
                    .startsWith(QStringLiteral("+ %1 more").arg(30 - plan.collapseLimit)));
    QVERIFY(plan.sceneRect.height() <= options.height);
}

void TestDiagramLayout::theSectionOutOfFocusFoldsIntoOneLine_data()
{
    QTest::addColumn<bool>("focusOnUdp");
    QTest::newRow("a UDP step: TCP folds") << true;
    QTest::newRow("a TCP step: UDP folds") << false;
}

// At 2x on 1280x720 a TCP section of three connections and a UDP section of two clients do
// not fit together; the one the step is not about becomes one line saying what it holds.
void TestDiagramLayout::theSectionOutOfFocusFoldsIntoOneLine()
{
    QFETCH(bool, focusOnUdp);
    Records records;
    const SocketId listener = records.listener();
    QList<SocketId> tcpClients;
    for (int i = 0; i < 3; ++i) {
        const auto port = quint16(40000 + i);
        tcpClients << records.tcpClient(port);
        records.accepted(port);
    }
    const SocketId udpServer = records.udpServer();
    const SocketId udpClient1 = records.udpClient(50000);
    const SocketId udpClient2 = records.udpClient(50001);
    Numbering numbering;
    DiagramLayout::Options options = numbering.options();
    options.width = 659;
    options.height = 371;
    options.focus = focusOnUdp ? QSet<SocketId>{udpServer, udpClient1, udpClient2}
                               : QSet<SocketId>{tcpClients.first()};
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), options);
    QVERIFY(plan.sceneRect.height() <= options.height);
    QCOMPARE(plan.tcpFolded, focusOnUdp);
    QCOMPARE(plan.udpFolded, !focusOnUdp);
    if (focusOnUdp) {
        QCOMPARE(textOf(plan, QStringLiteral("tcp-folded")),
                 QStringLiteral(
                         "TCP: listening on 127.0.0.1:9877, 3 connection(s) — click to show"));
        QVERIFY(plan.foldKeys.contains(QStringLiteral("tcp-folded")));
        QVERIFY(!cardOf(plan, listener));
        for (SocketId id : {udpServer, udpClient1, udpClient2})
            QVERIFY(cardOf(plan, id));
        QCOMPARE(plan.hiddenSockets, 7); // the listener and three connections' two ends
    } else {
        QCOMPARE(textOf(plan, QStringLiteral("udp-folded")),
                 QStringLiteral("UDP: one server socket on 127.0.0.1:9877, 2 client(s) — click to "
                                "show"));
        QVERIFY(cardOf(plan, listener));
        QVERIFY(cardOf(plan, tcpClients.first()));
        QVERIFY(!cardOf(plan, udpServer));
        // Its clients are still known by address: a datagram's route needs no card to be
        // matched (and is not drawn without one).
        QCOMPARE(plan.udpClientByLocal.size(), 2);
    }
    // No section title when the other section is a line: the cards say which they are.
    QVERIFY(textOf(plan, QStringLiteral("tcp-clients-title")).isEmpty());
    QVERIFY(textOf(plan, QStringLiteral("udp-clients-title")).isEmpty());
}

// Only TCP running, the compact picture gives the UDP section's room to the connections.
void TestDiagramLayout::compactLeavesOutAnEmptySection()
{
    Records records;
    records.listener();
    for (int i = 0; i < 2; ++i) {
        records.tcpClient(quint16(40000 + i));
        records.accepted(quint16(40000 + i));
    }
    Numbering numbering;
    DiagramLayout::Options options = numbering.options();
    options.width = 659;
    options.height = 371;
    const DiagramLayout::Plan plan = DiagramLayout::plan(records.list(), options);
    QVERIFY(textOf(plan, QStringLiteral("no-udp-server")).isEmpty());
    QVERIFY(frameRect(plan, QStringLiteral("udp-server-process")).isNull());
    QCOMPARE(plan.rowsShown, 2);
    // At a desk the standard picture keeps both, so the missing UDP server is said.
    const DiagramLayout::Plan standard = DiagramLayout::plan(records.list(), numbering.options());
    QVERIFY(!textOf(standard, QStringLiteral("no-udp-server")).isEmpty());
}

QTEST_GUILESS_MAIN(TestDiagramLayout)
#include "tst_diagramlayout.moc"
