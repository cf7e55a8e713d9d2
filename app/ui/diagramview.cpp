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
    if (auto *diagram = qobject_cast<DiagramScene *>(scene)) {
        connect(diagram, &DiagramScene::layoutHoldReleased, this, [this] {
            if (m_refitHeld && m_fitting)
                refit();
            m_refitHeld = false;
        });
    }

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

void DiagramView::setTextScale(qreal scale)
{
    if (qFuzzyCompare(scale, m_textScale))
        return;
    m_textScale = scale;
    if (m_fitting) {
        foldToFit();
        refit();
    }
}

void DiagramView::setPresenting(bool presenting)
{
    m_presenting = presenting;
    // Scroll bars would take width from the tuples; dragging still pans.
    const Qt::ScrollBarPolicy policy = presenting ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded;
    setHorizontalScrollBarPolicy(policy);
    setVerticalScrollBarPolicy(policy);
    m_minimap->setSuppressed(presenting);
}

qreal DiagramView::minimumZoom() const
{
    const auto *diagram = qobject_cast<const DiagramScene *>(scene());
    const int tuplePixels = diagram ? diagram->diagramPalette().tupleFont.pixelSize() : 14;
    if (m_presenting)
        return m_textScale * PresentedTuplePixels / qMax(1, tuplePixels);
    // At a desk, 1x fits the whole diagram as it always did; more asks for larger text.
    return m_textScale > 1.0 ? m_textScale * kReadableZoom : 0.0;
}

void DiagramView::refit()
{
    if (!scene())
        return;
    // Zooming now would move the card under the pointer as surely as a relayout would.
    if (const auto *diagram = qobject_cast<DiagramScene *>(scene());
        diagram && diagram->holdsLayout()) {
        m_refitHeld = true;
        return;
    }
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    // Never blow a small diagram up past 1.5x (or past the text scale's zoom): text would
    // look coarse and nothing is gained.
    const qreal floor = minimumZoom();
    const qreal cap = qMax(1.5, floor);
    if (zoomFactor() > cap)
        setTransform(QTransform::fromScale(cap, cap));
    if (zoomFactor() < floor) {
        // Larger than the window: the top left (the host's title, the listener) in view.
        setTransform(QTransform::fromScale(floor, floor));
        horizontalScrollBar()->setValue(horizontalScrollBar()->minimum());
        verticalScrollBar()->setValue(verticalScrollBar()->minimum());
    }
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
    auto *diagram = qobject_cast<DiagramScene *>(scene());
    if (!diagram)
        return;
    // Text kept at a size: the layout gets the room the viewport has at that size, and
    // fits its columns and rows into it instead of the view shrinking the picture.
    const qreal floor = minimumZoom();
    diagram->setLayoutRoom(floor > 0 ? QSizeF(viewport()->size()) / floor : QSizeF());
    diagram->fitCollapseLimitTo(viewport()->height(), qMax(kReadableZoom, floor));
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
