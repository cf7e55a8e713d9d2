// SPDX-License-Identifier: MIT
#include "diagramexporter.h"
#include "diagramminimap.h"
#include "diagramscene.h"
#include "diagramtext.h"
#include "diagramview.h"
#include "pacer.h"
#include "presentationclock.h"
#include "trafficanimator.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QGraphicsView>
#include <QPainter>
#include <QSet>
#include <QSignalSpy>
#include <QStyleOptionGraphicsItem>
#include <QTemporaryDir>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);
constexpr quint16 kServerPort = 9877;

QString tupleText(const SocketItem *item)
{
    return item ? item->card().tupleParts.join(QString()) : QString();
}

} // namespace

// Drives the diagram from registry records, the way the network engine reports sockets.
class TestDiagramScene : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void oneItemPerSocketWithExactTuples();
    void tupleEndsBeforeTheStateBadge_data();
    void tupleEndsBeforeTheStateBadge();
    void acceptedSocketsGroupUnderTheListener();
    void connectNotePointsAtTheListener();
    void newClientNeverMovesTheOthers();
    void manyConnectionsFoldIntoMore();
    void closedSocketsFadeOut();
    void aSeekShowsNoCardOfAnotherMoment();
    void datagramsFlyFromTheirSender();
    void datagramFlightFollowsThePresentationClock_data();
    void datagramFlightFollowsThePresentationClock();
    void pausedPictureHoldsItsAnimations();
    void selectionRoundTrip();
    void renderIsNotBlank();
    void svgExportCarriesTheTuples();
    void doubleClickOnServerAsksForAClient();
    void workersGetBoxesOfTheirOwn();
    void pausedReadingShowsOnTheCard();
    void timeWaitShowsItsCountdown();
    void anExternalPeerIsNotDrawnAsKernelOnly();
    void trafficUpdatesCardsAndStateChangesRelayout();
    void numbersFollowAtTheirOwnPace();
    void farZoomDrawsBoxesWithoutText();
    void minimapShowsWhereTheViewIs();
    void fittedViewFoldsToStayReadable();

private:
    SocketId addListener();
    QPair<SocketId, SocketId> addConnection(quint16 clientPort);
    SocketId addUdpServer();
    SocketId addUdpClient(quint16 port);

    std::unique_ptr<SocketRegistry> m_registry;
    std::unique_ptr<DiagramScene> m_scene;
};

void TestDiagramScene::init()
{
    m_registry = std::make_unique<SocketRegistry>();
    m_scene = std::make_unique<DiagramScene>(*m_registry);
}

void TestDiagramScene::cleanup()
{
    m_scene.reset();
    m_registry.reset();
}

SocketId TestDiagramScene::addListener()
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpListener;
    record.local = {kLoopback, kServerPort};
    record.state = SocketState::Listen;
    return m_registry->add(record);
}

QPair<SocketId, SocketId> TestDiagramScene::addConnection(quint16 clientPort)
{
    SocketRecord client;
    client.protocol = Protocol::Tcp;
    client.role = SocketRole::TcpClient;
    client.local = {kLoopback, clientPort};
    client.remote = Endpoint{kLoopback, kServerPort};
    client.state = SocketState::Established;
    SocketRecord accepted = client;
    accepted.role = SocketRole::TcpServerSide;
    accepted.local = {kLoopback, kServerPort};
    accepted.remote = Endpoint{kLoopback, clientPort};
    const SocketId c = m_registry->add(client);
    return {c, m_registry->add(accepted)};
}

SocketId TestDiagramScene::addUdpServer()
{
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpServer;
    record.local = {kLoopback, kServerPort};
    record.state = SocketState::Unconnected;
    return m_registry->add(record);
}

SocketId TestDiagramScene::addUdpClient(quint16 port)
{
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpClient;
    record.local = {kLoopback, port};
    record.state = SocketState::Unconnected;
    return m_registry->add(record);
}

void TestDiagramScene::oneItemPerSocketWithExactTuples()
{
    const SocketId listener = addListener();
    QList<QPair<SocketId, SocketId>> connections;
    for (quint16 port : {51234, 51236, 51240})
        connections.append(addConnection(port));
    const SocketId udpServer = addUdpServer();
    const SocketId udpA = addUdpClient(40001);
    const SocketId udpB = addUdpClient(40007);
    m_scene->flush();

    QCOMPARE(m_scene->socketItemCount(), m_registry->count());
    for (SocketId id : m_registry->ids())
        QVERIFY2(m_scene->itemFor(id), qPrintable(QStringLiteral("no item for %1").arg(id)));
    QCOMPARE(tupleText(m_scene->itemFor(listener)), QStringLiteral("{127.0.0.1:9877, *:*}"));
    QCOMPARE(m_scene->itemFor(listener)->card().stateText, QStringLiteral("LISTEN"));
    QCOMPARE(tupleText(m_scene->itemFor(connections[0].first)),
             QStringLiteral("{127.0.0.1:51234, 127.0.0.1:9877}"));
    QCOMPARE(tupleText(m_scene->itemFor(connections[0].second)),
             QStringLiteral("{127.0.0.1:9877, 127.0.0.1:51234}"));
    QCOMPARE(tupleText(m_scene->itemFor(connections[2].second)),
             QStringLiteral("{127.0.0.1:9877, 127.0.0.1:51240}"));
    QCOMPARE(m_scene->itemFor(connections[1].second)->card().stateText,
             QStringLiteral("ESTABLISHED"));
    QCOMPARE(m_scene->itemFor(connections[1].second)->card().protocol, QStringLiteral("TCP"));
    // The part that tells accepted sockets apart is their remote end.
    const SocketCard accepted = m_scene->itemFor(connections[1].second)->card();
    QCOMPARE(accepted.tupleParts.at(accepted.highlightPart), QStringLiteral("127.0.0.1:51236"));
    const SocketCard client = m_scene->itemFor(connections[1].first)->card();
    QCOMPARE(client.tupleParts.at(client.highlightPart), QStringLiteral("127.0.0.1:51236"));
    QCOMPARE(tupleText(m_scene->itemFor(udpServer)), QStringLiteral("{127.0.0.1:9877}"));
    QCOMPARE(m_scene->itemFor(udpServer)->card().stateText, QStringLiteral("UNCONN"));
    QCOMPARE(m_scene->itemFor(udpServer)->card().protocol, QStringLiteral("UDP"));
    QCOMPARE(tupleText(m_scene->itemFor(udpA)), QStringLiteral("{127.0.0.1:40001}"));
    QCOMPARE(m_scene->itemFor(udpB)->card().caption, QStringLiteral("udp client 2"));
    QCOMPARE(m_scene->connectionLineCount(), 3);
}

void TestDiagramScene::tupleEndsBeforeTheStateBadge_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<bool>("ipv6");
    QTest::addColumn<int>("serverPort");
    QTest::newRow("established") << int(SocketState::Established) << false << 9877;
    // --tcp-port 0: a five-digit server port, the longest loopback tuple.
    QTest::newRow("established, port 0") << int(SocketState::Established) << false << 43929;
    QTest::newRow("time-wait") << int(SocketState::TimeWait) << false << 43929;
    QTest::newRow("syn-sent") << int(SocketState::SynSent) << false << 9877;
    QTest::newRow("fin-wait2, ipv6") << int(SocketState::FinWait2) << true << 43929;
}

// The closing brace of a client's tuple used to be drawn under its state badge: the card
// was as wide for every tuple and badge. Every card now leaves room for both.
void TestDiagramScene::tupleEndsBeforeTheStateBadge()
{
    QFETCH(int, state);
    QFETCH(bool, ipv6);
    QFETCH(int, serverPort);
    const auto port0 = quint16(serverPort);
    const QHostAddress address = ipv6 ? QHostAddress(QHostAddress::LocalHostIPv6) : kLoopback;
    addListener();
    QList<SocketId> clients;
    for (quint16 port : {40001, 50002, 65535}) {
        SocketRecord client;
        client.protocol = Protocol::Tcp;
        client.role = SocketRole::TcpClient;
        client.local = {address, port};
        client.remote = Endpoint{address, port0};
        client.state = SocketState(state);
        clients.append(m_registry->add(client));
        SocketRecord accepted = client;
        accepted.role = SocketRole::TcpServerSide;
        accepted.local = {address, port0};
        accepted.remote = Endpoint{address, port};
        clients.append(m_registry->add(accepted));
    }
    addUdpServer();
    clients.append(addUdpClient(40001));
    clients.append(addUdpClient(65535));
    m_scene->flush();
    for (SocketId id : std::as_const(clients)) {
        const SocketItem *item = m_scene->itemFor(id);
        QVERIFY(item);
        const QRectF tuple = item->tupleRect();
        const QRectF badge = item->stateBadgeRect();
        QVERIFY2(tuple.width() > 100, qPrintable(tupleText(item)));
        // The whole tuple is drawn only if it ends a gap before the badge (paint() cuts it
        // there); the old cards, one width for all, lost the brace at exactly this point.
        QVERIFY2(tuple.right() + SocketItem::TupleBadgeGap <= badge.left() + 0.01,
                 qPrintable(QStringLiteral("%1: tuple ends at %2, badge starts at %3")
                                    .arg(tupleText(item))
                                    .arg(tuple.right())
                                    .arg(badge.left())));
        QVERIFY(badge.right() <= item->width());
    }
}

void TestDiagramScene::acceptedSocketsGroupUnderTheListener()
{
    const SocketId listener = addListener();
    QList<QPair<SocketId, SocketId>> connections;
    for (quint16 port : {50001, 50002, 50003})
        connections.append(addConnection(port));
    m_scene->flush();
    const SocketItem *listenerItem = m_scene->itemFor(listener);
    qreal previousY = listenerItem->pos().y();
    for (const auto &[client, accepted] : connections) {
        const SocketItem *clientItem = m_scene->itemFor(client);
        const SocketItem *acceptedItem = m_scene->itemFor(accepted);
        // Accepted sockets sit in the server's column, below the listener, in order ...
        QVERIFY(acceptedItem->pos().x() >= listenerItem->pos().x());
        QVERIFY(acceptedItem->pos().y() > previousY);
        previousY = acceptedItem->pos().y();
        // ... each on the same row as its client, which is on the other side.
        QCOMPARE(clientItem->pos().y(), acceptedItem->pos().y());
        QVERIFY(clientItem->pos().x() + clientItem->width() < acceptedItem->pos().x());
    }
}

void TestDiagramScene::connectNotePointsAtTheListener()
{
    const auto arrows = [this] {
        QList<const GuideArrowItem *> found;
        for (const QGraphicsItem *item : m_scene->items()) {
            if (item->type() == GuideArrowItemType && item->isVisible())
                found.append(static_cast<const GuideArrowItem *>(item));
        }
        return found;
    };
    const SocketId listener = addListener();
    m_scene->flush();
    QVERIFY(arrows().isEmpty()); // no client yet: nothing has reached the listener
    addConnection(50001);
    m_scene->flush();
    QCOMPARE(arrows().size(), 1);
    QCOMPARE(arrows().constFirst()->tip(),
             m_scene->itemFor(listener)->leftAnchor() - QPointF(4, 0));
}

void TestDiagramScene::newClientNeverMovesTheOthers()
{
    addListener();
    addUdpServer();
    const auto first = addConnection(50001);
    const auto second = addConnection(50002);
    const SocketId udp = addUdpClient(40001);
    m_scene->flush();
    const QPointF a = m_scene->itemFor(first.first)->pos();
    const QPointF b = m_scene->itemFor(second.second)->pos();
    addConnection(50003);
    addUdpClient(40002);
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(first.first)->pos(), a);
    QCOMPARE(m_scene->itemFor(second.second)->pos(), b);
    QVERIFY(m_scene->itemFor(udp)); // still drawn
}

void TestDiagramScene::manyConnectionsFoldIntoMore()
{
    addListener();
    m_scene->setCollapseLimit(5);
    for (quint16 port = 50000; port < 50020; ++port)
        addConnection(port);
    m_scene->flush();
    QCOMPARE(m_scene->socketItemCount(), 1 + 5 * 2);
    QCOMPARE(m_scene->hiddenSocketCount(), 15 * 2);
    m_scene->setShowAll(true);
    m_scene->flush();
    QCOMPARE(m_scene->socketItemCount(), 1 + 20 * 2);
    QCOMPARE(m_scene->hiddenSocketCount(), 0);
}

void TestDiagramScene::closedSocketsFadeOut()
{
    addListener();
    const auto connection = addConnection(50001);
    const auto later = addConnection(50002);
    m_scene->flush();
    const QPointF laterPos = m_scene->itemFor(later.first)->pos();
    QVERIFY(m_registry->remove(connection.first));
    m_scene->flush();
    // Still there while it fades, so the reader sees it go; the others hold still meanwhile.
    QVERIFY(m_scene->itemFor(connection.first));
    QCOMPARE(m_scene->itemFor(later.first)->pos(), laterPos);
    QTRY_VERIFY_WITH_TIMEOUT(!m_scene->itemFor(connection.first), 5000);
    m_scene->flush();
    QCOMPARE(m_scene->socketItemCount(), m_registry->count());
}

// replaceAll() is a seek: a socket of that moment is drawn as it was then, at once (not as
// the fading card of a later close), and one of a later moment is not drawn at all.
void TestDiagramScene::aSeekShowsNoCardOfAnotherMoment()
{
    addListener();
    const auto connection = addConnection(50001);
    const auto later = addConnection(50002);
    m_scene->flush();
    const QList<SocketRecord> before = m_registry->records();
    m_registry->update(connection.first,
                       [](SocketRecord &record) { record.state = SocketState::CloseWait; });
    m_scene->flush();
    QVERIFY(m_registry->remove(connection.first)); // closed: its card starts to fade
    m_scene->flush();
    QVERIFY(m_scene->itemFor(connection.first));
    QCOMPARE(m_scene->itemFor(connection.first)->card().state, SocketState::CloseWait);

    m_registry->replaceAll(before); // back to when both were established
    m_scene->flush();
    QCOMPARE(m_scene->socketItemCount(), m_registry->count());
    for (SocketId id : m_registry->ids()) {
        QCOMPARE(m_scene->itemFor(id)->card().state, m_registry->find(id)->effectiveState());
        QCOMPARE(m_scene->itemFor(id)->opacity(), 1.0);
    }

    QList<SocketRecord> earlier = before;
    earlier.removeIf([&](const SocketRecord &record) { return record.id == later.first; });
    m_registry->replaceAll(earlier); // before the second connection was made
    m_scene->flush();
    QVERIFY(!m_scene->itemFor(later.first)); // gone at once, not fading
    QCOMPARE(m_scene->socketItemCount(), m_registry->count());
}

void TestDiagramScene::datagramsFlyFromTheirSender()
{
    const SocketId server = addUdpServer();
    const SocketId client = addUdpClient(40001);
    m_scene->flush();
    m_registry->recordTraffic(client, TrafficDirection::Sent, 5, {kLoopback, kServerPort}, true);
    QCOMPARE(m_scene->flyingDatagramCount(), 1);
    // The server's reply goes back to the sender's address carried by the datagram.
    m_registry->recordTraffic(server, TrafficDirection::Sent, 5, {kLoopback, 40001}, true);
    QCOMPARE(m_scene->flyingDatagramCount(), 2);
    // Received-side reports describe the same datagrams and add no second envelope.
    m_registry->recordTraffic(server, TrafficDirection::Received, 5, {kLoopback, 40001}, true);
    QCOMPARE(m_scene->flyingDatagramCount(), 2);
    // Request and reply travel one route, drawn from the client's card to the server's.
    QCOMPARE(m_scene->datagramRouteCount(), 1);
    QList<QGraphicsItem *> routes;
    for (QGraphicsItem *graphicsItem : m_scene->items()) {
        if (graphicsItem->type() == DatagramRouteItemType)
            routes.append(graphicsItem);
    }
    QCOMPARE(routes.size(), 1);
    const QRectF ends = routes.constFirst()->boundingRect().adjusted(4, 4, -4, -4);
    QCOMPARE(ends.left(), m_scene->itemFor(client)->rightAnchor().x());
    QCOMPARE(ends.right(), m_scene->itemFor(server)->leftAnchor().x());
    QTRY_COMPARE_WITH_TIMEOUT(m_scene->flyingDatagramCount(), 0, 5000);
    QCOMPARE(m_registry->find(server)->datagramsSent, 1u);
    // With no more datagrams the route fades: UDP keeps nothing between datagrams.
    QCOMPARE(m_scene->datagramRouteCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_scene->datagramRouteCount(), 0, 8000);
}

// A pacer and a presentation clock on the test's own real-time source: the diagram moves
// on presentation time, the test moves real time and asks for frames. No sleeps.
struct PacedClock
{
    static constexpr qint64 Ms = 1'000'000;
    qint64 realNs = 3'000 * Ms;
    SocketRegistry journalled; // the pacer's journal needs one; the scene reads its own
    SocketRegistry presented;
    EventJournal journal{journalled, nullptr};
    Pacer pacer{journal, presented};
    PresentationClock clock{[this] { return realNs; }, &pacer};

    // Frames of 16 ms of real time until `done` or `limitMs` pass; returns the real time taken.
    qint64 runFrames(TrafficAnimator &animator, const std::function<bool()> &done,
                     qint64 limitMs = 20'000)
    {
        qint64 passed = 0;
        while (!done() && passed < limitMs * Ms) {
            realNs += 16 * Ms;
            passed += 16 * Ms;
            animator.advanceFrame();
        }
        return passed;
    }
};

void TestDiagramScene::datagramFlightFollowsThePresentationClock_data()
{
    QTest::addColumn<double>("rate"); // 0: live
    QTest::addColumn<qint64>("minFlightMs");
    QTest::addColumn<qint64>("maxFlightMs");
    // DatagramFlightSeconds (0.7 s) of presentation time, in 16 ms frames of real time.
    QTest::newRow("live") << 0.0 << qint64(690) << qint64(720);
    QTest::newRow("0.25x") << 0.25 << qint64(2790) << qint64(2820);
}

void TestDiagramScene::datagramFlightFollowsThePresentationClock()
{
    QFETCH(double, rate);
    QFETCH(qint64, minFlightMs);
    QFETCH(qint64, maxFlightMs);
    PacedClock paced;
    if (rate > 0)
        paced.pacer.setSlowMotion(rate, paced.realNs);
    DiagramScene scene(*m_registry);
    scene.setPresentationClock(paced.clock);
    addUdpServer();
    const SocketId client = addUdpClient(40001);
    scene.flush();
    m_registry->recordTraffic(client, TrafficDirection::Sent, 5, {kLoopback, kServerPort}, true);
    QCOMPARE(scene.flyingDatagramCount(), 1);
    const qint64 flight = paced.runFrames(scene.trafficAnimator(),
                                          [&scene] { return scene.flyingDatagramCount() == 0; });
    QCOMPARE(scene.flyingDatagramCount(), 0);
    const qint64 flightMs = flight / PacedClock::Ms;
    QVERIFY2(flightMs >= minFlightMs && flightMs <= maxFlightMs,
             qPrintable(QString::number(flightMs)));
    // At 0.25x the flight lasts over a second of real time; live, well under one.
    QCOMPARE(flightMs >= 1000, rate > 0);
}

void TestDiagramScene::pausedPictureHoldsItsAnimations()
{
    PacedClock paced;
    DiagramScene scene(*m_registry);
    scene.setPresentationClock(paced.clock);
    addListener();
    const auto connection = addConnection(50001);
    addUdpServer();
    const SocketId client = addUdpClient(40001);
    scene.flush();
    m_registry->recordTraffic(client, TrafficDirection::Sent, 5, {kLoopback, kServerPort}, true);
    QVERIFY(m_registry->remove(connection.first));
    scene.flush();
    TrafficAnimator &animator = scene.trafficAnimator();
    paced.runFrames(
            animator, [] { return false; }, 160); // a little way into the flight
    const QPointF inFlight = [&scene] {
        for (QGraphicsItem *item : scene.items()) {
            if (item->type() == DatagramItemType)
                return item->pos();
        }
        return QPointF();
    }();
    const qreal opacity = scene.itemFor(connection.first)->opacity();
    QVERIFY(opacity < 1.0);

    paced.pacer.pause();
    QVERIFY(!animator.isRunning()); // a still picture needs no frames
    paced.runFrames(
            animator, [] { return false; }, 10'000);
    // Ten seconds later nothing has moved: the envelope, the fading socket, the route.
    QCOMPARE(scene.flyingDatagramCount(), 1);
    for (QGraphicsItem *item : scene.items()) {
        if (item->type() == DatagramItemType)
            QCOMPARE(item->pos(), inFlight);
    }
    QVERIFY(scene.itemFor(connection.first));
    QCOMPARE(scene.itemFor(connection.first)->opacity(), opacity);
    QCOMPARE(scene.datagramRouteCount(), 1);

    paced.pacer.goLive();
    QVERIFY(animator.isRunning());
    // Back live the rest of the flight takes the rest of its time, not a jump to the end.
    const qint64 rest
            = paced.runFrames(animator, [&scene] { return scene.flyingDatagramCount() == 0; });
    QVERIFY2(rest > 400 * PacedClock::Ms && rest < 700 * PacedClock::Ms,
             qPrintable(QString::number(rest / PacedClock::Ms)));
    paced.runFrames(animator, [&scene, &connection] { return !scene.itemFor(connection.first); });
    QVERIFY(!scene.itemFor(connection.first));
}

void TestDiagramScene::selectionRoundTrip()
{
    addListener();
    const auto connection = addConnection(50001);
    m_scene->flush();
    QSignalSpy spy(m_scene.get(), &QGraphicsScene::selectionChanged);
    m_scene->selectSocket(connection.second);
    QCOMPARE(m_scene->selectedSockets(), QList<SocketId>{connection.second});
    QVERIFY(spy.count() >= 1);
    m_scene->selectSocket(InvalidSocketId);
    QVERIFY(m_scene->selectedSockets().isEmpty());
}

void TestDiagramScene::renderIsNotBlank()
{
    addListener();
    addConnection(50001);
    addUdpServer();
    m_scene->flush();
    const QImage image = DiagramExporter::toImage(*m_scene, 1.0);
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
}

void TestDiagramScene::svgExportCarriesTheTuples()
{
    addListener();
    addConnection(51234);
    m_scene->flush();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("diagram.svg"));
    QString error;
    QVERIFY2(DiagramExporter::writeFile(*m_scene, path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray svg = file.readAll();
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("127.0.0.1:51234"));
    QVERIFY(svg.contains("127.0.0.1:9877"));
    QVERIFY(svg.contains("ESTABLISHED"));
    QVERIFY(!DiagramExporter::writeFile(*m_scene, dir.filePath(QStringLiteral("d.bmp")), &error));
    QVERIFY2(error.contains(QStringLiteral(".png")), qPrintable(error));
}

void TestDiagramScene::doubleClickOnServerAsksForAClient()
{
    const SocketId listener = addListener();
    m_scene->flush();
    QSignalSpy spy(m_scene.get(), &DiagramScene::spawnClientRequested);
    QGraphicsView view(m_scene.get());
    view.resize(1600, 1000);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const SocketItem *item = m_scene->itemFor(listener);
    const QPoint point = view.mapFromScene(item->mapToScene(item->boundingRect().center()));
    QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, point);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<Protocol>(), Protocol::Tcp);
}

void TestDiagramScene::workersGetBoxesOfTheirOwn()
{
    addListener();
    const auto inChild = addConnection(50001);
    const auto inThread = addConnection(50002);
    const auto inLoop = addConnection(50003);
    // As the engine reports them: a child's pid, a worker thread's tid, or neither.
    QVERIFY(m_registry->update(inChild.second, [](SocketRecord &r) { r.pid = 4213; }));
    QVERIFY(m_registry->update(inThread.second, [](SocketRecord &r) { r.threadId = 777; }));
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(inChild.second)->card().caption,
             QStringLiteral("child process 4213"));
    QVERIFY(m_scene->itemFor(inChild.second)->card().detail.contains(QStringLiteral("pid 4213")));
    QCOMPARE(m_scene->itemFor(inThread.second)->card().caption,
             QStringLiteral("worker thread 777"));
    QCOMPARE(m_scene->itemFor(inLoop.second)->card().caption, QStringLiteral("accepted socket"));
    // The client side stays in the client's process, whatever serves it.
    QCOMPARE(m_scene->itemFor(inChild.first)->card().caption, QStringLiteral("client 1"));
}

// Flow control made visible: a server socket that stopped reading because its peer does not
// read says so on its card, and the pause ends when the activity line is cleared.
void TestDiagramScene::pausedReadingShowsOnTheCard()
{
    addListener();
    const auto connection = addConnection(50001);
    QVERIFY(m_registry->update(connection.second, [](SocketRecord &r) {
        r.activity = QStringLiteral("paused reading: the peer is not reading");
    }));
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(connection.second)->card().caption,
             QStringLiteral("accepted socket · paused"));
    QVERIFY(m_scene->tooltipText(connection.second)
                    .contains(QStringLiteral("peer is not reading")));
    QCOMPARE(m_scene->itemFor(connection.first)->card().caption, QStringLiteral("client 1"));
    QVERIFY(m_registry->update(connection.second, [](SocketRecord &r) { r.activity.clear(); }));
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(connection.second)->card().caption,
             QStringLiteral("accepted socket"));
}

void TestDiagramScene::anExternalPeerIsNotDrawnAsKernelOnly()
{
    // A student's nc on our port: only the kernel tells us of it (Qt does not have it), but
    // a program holds it. The legend's "dashed = kernel only" must not be drawn for it.
    addListener();
    SocketRecord nc;
    nc.protocol = Protocol::Tcp;
    nc.role = SocketRole::ExternalPeer;
    nc.local = {kLoopback, 50010};
    nc.remote = Endpoint{kLoopback, kServerPort};
    nc.kernelOnly = true;
    nc.pid = 7777;
    nc.program = QStringLiteral("nc");
    nc.kernel = KernelFacts{SocketState::Established, 0, 0, 4242, 7777, -1, {},
                            QStringLiteral("nc"),     {}};
    const SocketId id = m_registry->add(nc);
    m_scene->flush();
    const SocketCard card = m_scene->itemFor(id)->card();
    QVERIFY(!card.kernelOnly);
    QVERIFY(card.otherProgram);
    QVERIFY(!m_scene->tooltipText(id).contains(QLatin1String("no program has it open")));
    // The legend names both outlines.
    QVERIFY(DiagramText::outlineLegend().contains(QLatin1String("dashed = kernel only")));
    QVERIFY(DiagramText::outlineLegend().contains(QLatin1String("dotted = another program")));
}

void TestDiagramScene::timeWaitShowsItsCountdown()
{
    addListener();
    // What the kernel merger adds after our client closed first: only the kernel holds it.
    SocketRecord timeWait;
    timeWait.protocol = Protocol::Tcp;
    timeWait.role = SocketRole::TcpClient;
    timeWait.local = {kLoopback, 50007};
    timeWait.remote = Endpoint{kLoopback, kServerPort};
    timeWait.kernelOnly = true;
    timeWait.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 41500, {}, {}, {}};
    const SocketId id = m_registry->add(timeWait);
    m_scene->flush();
    const SocketCard card = m_scene->itemFor(id)->card();
    QCOMPARE(card.stateText, QStringLiteral("TIME_WAIT"));
    QVERIFY(card.kernelOnly);
    QVERIFY2(card.detail.contains(QStringLiteral("42 s left")), qPrintable(card.detail));
    QCOMPARE(card.caption, QStringLiteral("closed client (kernel only)"));

    // On the server side, the kernel-only sockets are either waiting to be accepted or left
    // behind after the server closed; the caption says which.
    SocketRecord queued = timeWait;
    queued.role = SocketRole::TcpServerSide;
    queued.local = Endpoint{kLoopback, kServerPort};
    queued.remote = Endpoint{kLoopback, 50008};
    queued.kernel->state = SocketState::Established;
    queued.kernel->timerMs = -1;
    const SocketId queuedId = m_registry->add(queued);
    SocketRecord serverTimeWait = timeWait;
    serverTimeWait.role = SocketRole::TcpServerSide;
    serverTimeWait.local = Endpoint{kLoopback, kServerPort};
    serverTimeWait.remote = Endpoint{kLoopback, 50009};
    const SocketId serverTimeWaitId = m_registry->add(serverTimeWait);
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(queuedId)->card().caption,
             QStringLiteral("in the accept queue (kernel only)"));
    QCOMPARE(m_scene->itemFor(serverTimeWaitId)->card().caption,
             QStringLiteral("closed (kernel only)"));
}

void TestDiagramScene::trafficUpdatesCardsAndStateChangesRelayout()
{
    addListener();
    const auto connection = addConnection(50001);
    m_scene->flush();
    const QString before = m_scene->itemFor(connection.first)->card().detail;
    m_registry->recordTraffic(connection.first, TrafficDirection::Sent, 1500,
                              {kLoopback, kServerPort}, false);
    m_scene->flush();
    const QString after = m_scene->itemFor(connection.first)->card().detail;
    QVERIFY2(after != before && after.contains(QStringLiteral("↑")), qPrintable(after));
    QCOMPARE(m_scene->itemFor(connection.first)->card().caption, QStringLiteral("client 1"));
    // A state change goes through the full layout: the pill and the line follow it.
    QVERIFY(m_registry->update(connection.second, [](SocketRecord &r) {
        r.kernel = KernelFacts{
                SocketState::CloseWait, 0, 0, 1, 0, -1, KernelTcpInfo{1500, 250, 2, 0, 10}, {}, {}};
    }));
    m_scene->flush();
    QCOMPARE(m_scene->itemFor(connection.second)->card().stateText, QStringLiteral("CLOSE_WAIT"));
    QCOMPARE(m_scene->itemFor(connection.second)->card().caption,
             QStringLiteral("accepted socket"));
    const QString tip = m_scene->tooltipText(connection.second);
    QVERIFY2(tip.contains(QStringLiteral("state (kernel): CLOSE_WAIT")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("RTT 1.500 ms")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("2 retransmitted")), qPrintable(tip));
    QVERIFY(m_scene->tooltipText(987654).isEmpty());
}

void TestDiagramScene::numbersFollowAtTheirOwnPace()
{
    addListener();
    const auto connection = addConnection(50001);
    m_scene->flush();
    // A burst of traffic: the card's counters catch up by themselves, without a flush.
    for (int i = 0; i < 20; ++i)
        m_registry->recordTraffic(connection.first, TrafficDirection::Sent, 100,
                                  {kLoopback, kServerPort}, false);
    QTRY_VERIFY2_WITH_TIMEOUT(
            m_scene->itemFor(connection.first)->card().detail.contains(QStringLiteral("↑2")),
            qPrintable(m_scene->itemFor(connection.first)->card().detail), 2000);
    // While number updates are being held back, a state change is not: it shows in a frame
    // or two, well before the next number refresh.
    m_registry->recordTraffic(connection.first, TrafficDirection::Sent, 100,
                              {kLoopback, kServerPort}, false);
    QVERIFY(m_registry->update(connection.second, [](SocketRecord &r) {
        r.kernel = KernelFacts{SocketState::CloseWait, 0, 0, 1, 0, -1, {}, {}, {}};
    }));
    QElapsedTimer timer;
    timer.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_scene->itemFor(connection.second)->card().stateText,
                              QStringLiteral("CLOSE_WAIT"), 2000);
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
}

void TestDiagramScene::farZoomDrawsBoxesWithoutText()
{
    addListener();
    addConnection(50001);
    m_scene->flush();
    SocketItem *card = nullptr;
    for (QGraphicsItem *item : m_scene->items()) {
        if (item->type() == SocketItemType)
            card = static_cast<SocketItem *>(item);
    }
    QVERIFY(card);
    // The same card at 100 % and at 20 %: far out it is a box in its state's colour, and
    // none of the text's dark pixels.
    const auto render = [card](qreal scale) {
        const QRectF rect = card->boundingRect();
        QImage image((rect.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.scale(scale, scale);
        painter.translate(-rect.topLeft());
        QStyleOptionGraphicsItem option;
        card->paint(&painter, &option, nullptr);
        return image;
    };
    const auto darkPixels = [](const QImage &image) {
        int dark = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                dark += qGray(image.pixel(x, y)) < 60 ? 1 : 0;
        }
        return dark;
    };
    const QImage near = render(1.0);
    const QImage far = render(0.2);
    QVERIFY(darkPixels(near) > 20); // the tuple's text
    QCOMPARE(darkPixels(far), 0);
    const QColor state = m_scene->diagramPalette().stateColour(card->card().state);
    bool stateColourSeen = false;
    for (int y = 0; y < far.height() && !stateColourSeen; ++y) {
        for (int x = 0; x < far.width() && !stateColourSeen; ++x)
            stateColourSeen = far.pixelColor(x, y) == state;
    }
    QVERIFY(stateColourSeen);
}

void TestDiagramScene::minimapShowsWhereTheViewIs()
{
    addListener();
    for (quint16 port = 50001; port < 50009; ++port)
        addConnection(port);
    addUdpServer();
    addUdpClient(40001);
    m_scene->flush();
    DiagramView view(m_scene.get());
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    DiagramMinimap *minimap = view.minimap();
    QVERIFY(minimap);

    // The whole diagram in view: nothing to find, no minimap.
    view.fitToWindow();
    QVERIFY(minimap->isHidden());

    // Zoomed in: it appears in the bottom right corner, its outline smaller than itself.
    for (int i = 0; i < 6; ++i)
        view.zoomIn();
    QVERIFY(minimap->isVisible());
    const QRect viewport = view.viewport()->geometry();
    QVERIFY(viewport.contains(minimap->geometry()));
    QVERIFY(minimap->geometry().right() > viewport.center().x());
    QVERIFY(minimap->geometry().bottom() > viewport.center().y());
    const QRectF outline = minimap->viewportOutline();
    QVERIFY(!outline.isEmpty());
    QVERIFY(outline.width() < minimap->width() && outline.height() < minimap->height());
    // It draws the diagram, not an empty box: many colours in its picture.
    QImage picture(minimap->size(), QImage::Format_ARGB32_Premultiplied);
    minimap->render(&picture);
    QSet<QRgb> colours;
    for (int y = 0; y < picture.height(); y += 2) {
        for (int x = 0; x < picture.width(); x += 2)
            colours.insert(picture.pixel(x, y));
    }
    QVERIFY2(colours.size() > 8, qPrintable(QString::number(colours.size())));

    // A click in its top left corner brings the diagram's top left into view; the outline
    // follows.
    const QPoint corner(6, 6);
    QTest::mouseClick(minimap, Qt::LeftButton, {}, corner);
    const QRectF visible = view.mapToScene(view.viewport()->rect()).boundingRect();
    QVERIFY(visible.contains(minimap->sceneAt(corner)));
    QVERIFY(minimap->viewportOutline().contains(QPointF(8, 8)));

    // Switched off by the user, it stays away however far one zooms.
    minimap->setWanted(false);
    QVERIFY(minimap->isHidden());
    view.zoomIn();
    QVERIFY(minimap->isHidden());
    minimap->setWanted(true);
    QVERIFY(minimap->isVisible());
}

void TestDiagramScene::fittedViewFoldsToStayReadable()
{
    addListener();
    for (quint16 port = 50001; port < 50041; ++port)
        addConnection(port);
    addUdpServer();
    for (quint16 port = 40001; port < 40021; ++port)
        addUdpClient(port);
    m_scene->flush();
    QCOMPARE(m_scene->collapseLimit(), DiagramScene::DefaultCollapseLimit);

    // A small window: fewer rows, and the fitted diagram is not shrunk below ~half size.
    DiagramView view(m_scene.get());
    view.resize(1000, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY((m_scene->flush(), m_scene->collapseLimit() < DiagramScene::DefaultCollapseLimit));
    m_scene->flush();
    const int small = m_scene->collapseLimit();
    QVERIFY(small >= DiagramScene::MinCollapseLimit);
    QVERIFY2(small == DiagramScene::MinCollapseLimit || view.zoomFactor() >= 0.5,
             qPrintable(QStringLiteral("limit %1, zoom %2").arg(small).arg(view.zoomFactor())));
    QVERIFY(m_scene->hiddenSocketCount() > 0);

    // A projector's full screen: more rows fit.
    view.resize(1900, 1400);
    QTRY_VERIFY((m_scene->flush(), m_scene->collapseLimit() > small));

    // Zoomed by hand, the user decides: resizing no longer refolds.
    view.zoomIn();
    const int chosen = m_scene->collapseLimit();
    view.resize(900, 500);
    QTest::qWait(50);
    m_scene->flush();
    QCOMPARE(m_scene->collapseLimit(), chosen);
}

QTEST_MAIN(TestDiagramScene)
#include "tst_diagramscene.moc"
