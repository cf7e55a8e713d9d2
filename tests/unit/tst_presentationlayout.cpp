// SPDX-License-Identifier: MIT
// The diagram as the back row sees it: presentation view at 1280x720 and 2x, measured on
// the rendered pixels; and cards that stay put while the lecturer's pointer is on them.
#include "diagramscene.h"
#include "diagramview.h"
#include "trafficanimator.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QGraphicsSimpleTextItem>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);
constexpr quint16 kServerPort = 43929; // five digits, as with --tcp-port 0: the longest tuple

SocketId addListener(SocketRegistry &registry)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpListener;
    record.local = {kLoopback, kServerPort};
    record.state = SocketState::Listen;
    return registry.add(record);
}

QPair<SocketId, SocketId> addConnection(SocketRegistry &registry, quint16 clientPort)
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
    const SocketId c = registry.add(client);
    return {c, registry.add(accepted)};
}

// The rows of `image` within `rect` that hold a dark pixel (text on the card's light box):
// from the first to the last, the height of the glyphs as drawn.
int inkBandHeight(const QImage &image, const QRect &rect)
{
    int first = -1;
    int last = -1;
    const QRect area = rect.intersected(image.rect());
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            if (QColor(image.pixel(x, y)).lightness() < 110) {
                if (first < 0)
                    first = y;
                last = y;
                break;
            }
        }
    }
    return first < 0 ? 0 : last - first + 1;
}

QPoint viewPointOf(const DiagramView &view, const SocketItem &item)
{
    return view.mapFromScene(item.mapToScene(item.tupleRect().center()));
}

} // namespace

class TestPresentationLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void tuplesAreReadableFromTheBackRow_data();
    void tuplesAreReadableFromTheBackRow();
    void cardsHoldStillWhilePressed();
    void cardsHoldStillWhileTheirMenuIsOpen();

private:
    // Lets the view and scene settle: relayout, refit, relayout for the new room.
    void settle();

    std::unique_ptr<SocketRegistry> m_registry;
    std::unique_ptr<DiagramScene> m_scene;
    std::unique_ptr<DiagramView> m_view;
};

void TestPresentationLayout::init()
{
    m_registry = std::make_unique<SocketRegistry>();
    m_scene = std::make_unique<DiagramScene>(*m_registry);
    m_view = std::make_unique<DiagramView>(m_scene.get());
    m_view->resize(1280, 720);
}

void TestPresentationLayout::cleanup()
{
    m_view.reset();
    m_scene.reset();
    m_registry.reset();
}

void TestPresentationLayout::settle()
{
    for (int i = 0; i < 3; ++i) {
        m_scene->flush();
        QCoreApplication::processEvents();
    }
}

void TestPresentationLayout::tuplesAreReadableFromTheBackRow_data()
{
    QTest::addColumn<int>("clients");
    QTest::addColumn<qreal>("scale");
    QTest::addColumn<qreal>("minimumPixels");
    QTest::addColumn<int>("tuplesOnScreen");
    // 720 px at 2x hold the listener and two connections (their four cards) with the fold
    // line; the UDP section, with nothing in focus, folds into a line of its own.
    QTest::newRow("30 clients, 2x") << 30 << 2.0 << 24.0 << 5;
    QTest::newRow("2 clients, 2x") << 2 << 2.0 << 24.0 << 5;
    // 1.5x: both sections in full, the listener, one connection and the UDP server's socket.
    QTest::newRow("30 clients, 1.5x") << 30 << 1.5 << 18.0 << 4;
}

// The measure: at 1280x720 in presentation view at 2x, with many clients, every
// tuple on screen is at least 24 px tall, measured on the rendered image and from the
// font's metrics through the view's transform; the rest is a "+ N more" line, on screen.
void TestPresentationLayout::tuplesAreReadableFromTheBackRow()
{
    QFETCH(int, clients);
    QFETCH(qreal, scale);
    QFETCH(qreal, minimumPixels);
    QFETCH(int, tuplesOnScreen);
    addListener(*m_registry);
    QList<QPair<SocketId, SocketId>> rows;
    for (int i = 0; i < clients; ++i)
        rows.append(addConnection(*m_registry, quint16(50000 + i)));
    SocketRecord udp;
    udp.protocol = Protocol::Udp;
    udp.role = SocketRole::UdpServer;
    udp.local = {kLoopback, kServerPort};
    udp.state = SocketState::Unconnected;
    m_registry->add(udp);
    m_view->setPresenting(true);
    m_view->setTextScale(scale);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_view->fitToWindow();
    settle();
    QCOMPARE(m_view->viewport()->size(), QSize(1280, 720));
    // The view never goes below the text scale's zoom to fit more.
    QVERIFY(m_view->zoomFactor() >= m_view->minimumZoom() - 1e-9);

    const QImage image = m_view->grab().toImage();
    const QRect screen = m_view->viewport()->rect();
    const QFontMetricsF metrics(m_scene->diagramPalette().tupleFont);
    int measured = 0;
    int drawn = 0; // client cards in the picture, on screen or a drag away
    int smallestInk = 1000;
    qreal smallestMetric = 1000;
    for (QGraphicsItem *graphicsItem : m_scene->items()) {
        const auto *item = qgraphicsitem_cast<SocketItem *>(graphicsItem);
        if (!item || !item->isVisible())
            continue;
        if (m_registry->find(item->socketId())->role == SocketRole::TcpClient)
            ++drawn;
        const QRect onScreen
                = m_view->mapFromScene(item->mapToScene(item->tupleRect())).boundingRect();
        if (!screen.contains(onScreen))
            continue;
        const QString tuple = item->card().tupleParts.join(QString());
        smallestMetric = qMin(smallestMetric, metrics.tightBoundingRect(tuple).height()
                                                      * m_view->transform().m22());
        smallestInk = qMin(smallestInk, inkBandHeight(image, onScreen.adjusted(0, -4, 0, 4)));
        ++measured;
    }
    QCOMPARE(measured, tuplesOnScreen);
    QVERIFY(m_scene->itemFor(rows.first().first)->isVisible()); // the first is always drawn
    qInfo("%d of %d connections drawn, %d tuples on screen; the smallest %d px tall on the "
          "image, %.1f px from the font's ink metrics x zoom %.3f (em %.1f px)",
          drawn, clients, measured, smallestInk, smallestMetric, m_view->transform().m22(),
          m_scene->diagramPalette().tupleFont.pixelSize() * m_view->transform().m22());
    QVERIFY2(smallestInk >= minimumPixels, qPrintable(QString::number(smallestInk)));
    QVERIFY2(smallestMetric >= minimumPixels, qPrintable(QString::number(smallestMetric)));

    // Whatever is not drawn is counted on a line of its own, on screen at 2x.
    const int hidden = clients - drawn;
    bool foundMore = false;
    for (QGraphicsItem *item : m_scene->items()) {
        auto *text = dynamic_cast<QGraphicsSimpleTextItem *>(item);
        if (!text || !text->isVisible() || !text->text().startsWith(QLatin1String("+ "))
            || !text->text().contains(QLatin1String("connections")))
            continue;
        QCOMPARE(text->text(),
                 QStringLiteral("+ %1 more connections — click to show all").arg(hidden));
        if (scale <= 2)
            QVERIFY(screen.contains(
                    m_view->mapFromScene(text->sceneBoundingRect()).boundingRect()));
        foundMore = true;
    }
    QCOMPARE(foundMore, hidden > 0);
}

// A card under a pressed mouse button stays where it is while the rows above it close up;
// once let go, it takes its new place.
void TestPresentationLayout::cardsHoldStillWhilePressed()
{
    addListener(*m_registry);
    QList<QPair<SocketId, SocketId>> rows;
    for (quint16 port : {40001, 40002, 40003})
        rows.append(addConnection(*m_registry, port));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    settle();
    SocketItem *third = m_scene->itemFor(rows.at(2).first);
    QVERIFY(third);
    const QPointF before = third->pos();
    const QTransform zoomBefore = m_view->transform();

    QTest::mousePress(m_view->viewport(), Qt::LeftButton, {}, viewPointOf(*m_view, *third));
    QVERIFY(m_scene->holdsLayout());
    // The first connection goes: its row closes up once its fade is over.
    m_registry->remove(rows.at(0).first);
    m_registry->remove(rows.at(0).second);
    m_scene->trafficAnimator().finishFades();
    settle();
    QCOMPARE(third->pos(), before);
    QCOMPARE(m_view->transform(), zoomBefore);

    QTest::mouseRelease(m_view->viewport(), Qt::LeftButton, {}, viewPointOf(*m_view, *third));
    QVERIFY(!m_scene->holdsLayout());
    settle();
    QVERIFY2(third->pos().y() < before.y(), "the held card takes its new place once let go");
}

// The context menu runs its own event loop; relayouts during it leave its card alone.
void TestPresentationLayout::cardsHoldStillWhileTheirMenuIsOpen()
{
    addListener(*m_registry);
    QList<QPair<SocketId, SocketId>> rows;
    for (quint16 port : {40001, 40002, 40003})
        rows.append(addConnection(*m_registry, port));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    settle();
    SocketItem *third = m_scene->itemFor(rows.at(2).second);
    QVERIFY(third);
    const QPointF before = third->pos();
    bool menuShown = false;
    QPointF duringMenu;
    connect(m_scene.get(), &DiagramScene::socketContextMenuRequested, this, [&](SocketId id) {
        // As the menu's own event loop would: the registry changes, frames are drawn.
        menuShown = id == rows.at(2).second;
        m_registry->remove(rows.at(0).first);
        m_registry->remove(rows.at(0).second);
        m_scene->trafficAnimator().finishFades();
        settle();
        duringMenu = third->pos();
    });
    const QPoint at = viewPointOf(*m_view, *third);
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, m_view->viewport()->mapToGlobal(at));
    QApplication::sendEvent(m_view->viewport(), &event);
    QVERIFY(menuShown);
    QCOMPARE(duringMenu, before);
    settle();
    QVERIFY(third->pos().y() < before.y());
}

QTEST_MAIN(TestPresentationLayout)
#include "tst_presentationlayout.moc"
