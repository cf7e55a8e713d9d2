// SPDX-License-Identifier: MIT
#include "diagramminimap.h"

#include <QGraphicsScene>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QPainter>

namespace SocketScope {

namespace {
constexpr int kLongSide = 220; // px: enough to recognise the layout, small enough to spare the view
constexpr int kMargin = 12;
constexpr int kPadding = 4;
} // namespace

DiagramMinimap::DiagramMinimap(QGraphicsView *view) : QWidget(view), m_view(view)
{
    setObjectName(QStringLiteral("diagramMinimap"));
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview of the whole diagram: click or drag to move the view there"));
    m_refresh.setInterval(RefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        redrawThumbnail();
        update();
    });
    hide();
}

void DiagramMinimap::setWanted(bool wanted)
{
    m_wanted = wanted;
    follow();
}

void DiagramMinimap::setSuppressed(bool suppressed)
{
    m_suppressed = suppressed;
    follow();
}

void DiagramMinimap::follow()
{
    QGraphicsScene *scene = m_view->scene();
    const QRect viewport = m_view->viewport()->geometry();
    const QRectF sceneRect = scene ? scene->sceneRect() : QRectF();
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    // A pixel of slack: a fitted view's visible rectangle can miss the scene's by rounding.
    const bool wholeDiagramVisible = visible.adjusted(-1, -1, 1, 1).contains(sceneRect);
    const bool roomForIt = viewport.width() > 2 * kLongSide && viewport.height() > kLongSide;
    if (!m_wanted || m_suppressed || !scene || sceneRect.isEmpty() || wholeDiagramVisible
        || !roomForIt) {
        m_refresh.stop();
        hide();
        return;
    }
    const qreal aspect = sceneRect.height() / sceneRect.width();
    QSize size = aspect <= 1 ? QSize(kLongSide, qMax(40, qRound(kLongSide * aspect)))
                             : QSize(qMax(40, qRound(kLongSide / aspect)), kLongSide);
    size += QSize(2 * kPadding, 2 * kPadding);
    setGeometry(QRect(viewport.right() - kMargin - size.width() + 1,
                      viewport.bottom() - kMargin - size.height() + 1, size.width(),
                      size.height()));
    if (isHidden()) {
        redrawThumbnail();
        show();
        raise();
        m_refresh.start();
    }
    update();
}

QRectF DiagramMinimap::pictureRect() const
{
    return QRectF(rect()).adjusted(kPadding, kPadding, -kPadding, -kPadding);
}

QRectF DiagramMinimap::viewportOutline() const
{
    const QGraphicsScene *scene = m_view->scene();
    if (!scene || scene->sceneRect().isEmpty())
        return {};
    const QRectF sceneRect = scene->sceneRect();
    const QRectF picture = pictureRect();
    const qreal sx = picture.width() / sceneRect.width();
    const qreal sy = picture.height() / sceneRect.height();
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    const QRectF outline((visible.left() - sceneRect.left()) * sx + picture.left(),
                         (visible.top() - sceneRect.top()) * sy + picture.top(),
                         visible.width() * sx, visible.height() * sy);
    return outline.intersected(picture);
}

QPointF DiagramMinimap::sceneAt(const QPointF &pos) const
{
    const QGraphicsScene *scene = m_view->scene();
    if (!scene)
        return {};
    const QRectF sceneRect = scene->sceneRect();
    const QRectF picture = pictureRect();
    return {sceneRect.left() + (pos.x() - picture.left()) * sceneRect.width() / picture.width(),
            sceneRect.top() + (pos.y() - picture.top()) * sceneRect.height() / picture.height()};
}

void DiagramMinimap::redrawThumbnail()
{
    QGraphicsScene *scene = m_view->scene();
    if (!scene)
        return;
    const qreal ratio = devicePixelRatioF();
    const QSize pixels = (pictureRect().size() * ratio).toSize();
    if (pixels.isEmpty())
        return;
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(ratio);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    // At this size every card takes its far-zoom form: a box in its state's colour.
    scene->render(&painter, QRectF(QPointF(0, 0), pictureRect().size()), scene->sceneRect(),
                  Qt::IgnoreAspectRatio);
    painter.end();
    m_thumbnail = image;
}

void DiagramMinimap::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QColor background = palette().color(QPalette::Base);
    background.setAlpha(235);
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.setBrush(background);
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    painter.drawImage(pictureRect().topLeft(), m_thumbnail);
    QColor highlight = palette().color(QPalette::Highlight);
    painter.setPen(QPen(highlight, 2));
    highlight.setAlpha(40);
    painter.setBrush(highlight);
    painter.drawRect(viewportOutline());
}

void DiagramMinimap::centreViewAt(const QPointF &pos)
{
    m_view->centerOn(sceneAt(pos));
    follow();
}

void DiagramMinimap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        centreViewAt(event->position());
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void DiagramMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        centreViewAt(event->position());
        event->accept();
        return;
    }
    QWidget::mouseMoveEvent(event);
}

void DiagramMinimap::mouseReleaseEvent(QMouseEvent *event)
{
    // The press moved the view already; the release only must not reach the diagram below.
    event->accept();
}

} // namespace SocketScope
