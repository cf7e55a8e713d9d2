// SPDX-License-Identifier: MIT
#include "diagramview.h"

#include "diagramminimap.h"
#include "diagramscene.h"
#include "socketselection.h"

#include <QScrollBar>
#include <QWheelEvent>

namespace SocketScope {

namespace {
constexpr qreal kMinZoom = 0.1;
constexpr qreal kMaxZoom = 6.0;
constexpr qreal kStep = 1.2;
// Fitted, a folded diagram is not drawn smaller than this: its text stays readable.
constexpr qreal kReadableZoom = 0.55;
} // namespace

DiagramView::DiagramView(QGraphicsScene *scene, QWidget *parent) : QGraphicsView(scene, parent)
{
    setObjectName(QStringLiteral("diagramView"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing
                   | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlag(QGraphicsView::DontSavePainterState);
    setFrameShape(QFrame::NoFrame);
    // The scene grows as sockets appear; keep it fitted until the user takes over.
    connect(scene, &QGraphicsScene::sceneRectChanged, this, [this] {
        if (m_fitting) {
            foldToFit();
            refit();
        }
    });

    m_minimap = new DiagramMinimap(this);
    const auto follow = [this] { m_minimap->follow(); };
    connect(scene, &QGraphicsScene::sceneRectChanged, m_minimap, follow);
    connect(this, &DiagramView::zoomChanged, m_minimap, follow);
    for (QScrollBar *bar : {horizontalScrollBar(), verticalScrollBar()}) {
        connect(bar, &QScrollBar::valueChanged, m_minimap, follow);
        connect(bar, &QScrollBar::rangeChanged, m_minimap, follow);
    }
}

void DiagramView::followSelection(DiagramScene &scene, SocketSelection &selection)
{
    connect(&scene, &QGraphicsScene::selectionChanged, this, [this, &scene, &selection] {
        if (m_syncingSelection)
            return;
        m_syncingSelection = true;
        selection.select(scene.selectedSockets());
        m_syncingSelection = false;
    });
    connect(&selection, &SocketSelection::selectionChanged, this,
            [this, &scene](const QList<SocketId> &ids) {
                if (m_syncingSelection)
                    return;
                // One card, the first: the diagram shows where one socket is.
                m_syncingSelection = true;
                scene.selectSocket(ids.isEmpty() ? InvalidSocketId : ids.constFirst());
                if (SocketItem *item = ids.isEmpty() ? nullptr : scene.itemFor(ids.constFirst()))
                    ensureVisible(item);
                m_syncingSelection = false;
            });
}

void DiagramView::zoomIn()
{
    setZoom(zoomFactor() * kStep);
}

void DiagramView::zoomOut()
{
    setZoom(zoomFactor() / kStep);
}

void DiagramView::resetZoom()
{
    setZoom(1.0);
}

void DiagramView::fitToWindow()
{
    m_fitting = true;
    foldToFit();
    refit();
}

void DiagramView::refit()
{
    if (!scene())
        return;
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    // Never blow a small diagram up past 1.5x: text would look coarse and nothing is gained.
    if (zoomFactor() > 1.5)
        setTransform(QTransform::fromScale(1.5, 1.5));
    Q_EMIT zoomChanged(zoomFactor());
}

void DiagramView::setZoom(qreal factor)
{
    m_fitting = false;
    factor = qBound(kMinZoom, factor, kMaxZoom);
    setTransform(QTransform::fromScale(factor, factor));
    Q_EMIT zoomChanged(factor);
}

void DiagramView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal steps = event->angleDelta().y() / 120.0;
        setZoom(zoomFactor() * std::pow(kStep, steps));
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void DiagramView::foldToFit()
{
    if (auto *diagram = qobject_cast<DiagramScene *>(scene()))
        diagram->fitCollapseLimitTo(viewport()->height(), kReadableZoom);
}

void DiagramView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitting) {
        foldToFit();
        refit();
    }
    m_minimap->follow();
}

} // namespace SocketScope
