// SPDX-License-Identifier: MIT
// The diagram as the back row sees it: cards that stay put while the lecturer's pointer is
// on them.
#include "diagramscene.h"
#include "diagramview.h"
#include "trafficanimator.h"

#include <QApplication>
#include <QContextMenuEvent>
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
