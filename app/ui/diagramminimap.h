// SPDX-License-Identifier: MIT
#pragma once

#include <QImage>
#include <QTimer>
#include <QWidget>

class QGraphicsView;

namespace SocketScope {

// A small picture of the whole diagram in the corner of the view, with the part the view
// shows outlined; a click or drag in it moves the view there. It appears only while the view
// shows less than the whole diagram (zoomed in or panned away) and the user has not switched
// it off. The picture is a thumbnail redrawn at most twice a second while shown, so it adds
// nothing to the cost of a frame.
class DiagramMinimap : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshMs = 500;

    explicit DiagramMinimap(QGraphicsView *view);

    void setWanted(bool wanted);
    bool isWanted() const { return m_wanted; }
    // Presentation view: the cards need every pixel, and the picture fits its room anyway.
    void setSuppressed(bool suppressed);
    // Places and shows or hides it after the view scrolled, zoomed, resized or the scene
    // grew. Cheap: it reads rectangles only.
    void follow();
    // Where the view's visible part sits in the minimap, and what scene point is under a
    // minimap pixel (tests, painting, mouse).
    QRectF viewportOutline() const;
    QPointF sceneAt(const QPointF &pos) const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    QRectF pictureRect() const; // the scene's thumbnail inside the widget, aspect kept
    void redrawThumbnail();
    void centreViewAt(const QPointF &pos);

    QGraphicsView *m_view;
    QImage m_thumbnail;
    QTimer m_refresh;
    bool m_wanted = true;
    bool m_suppressed = false;
};

} // namespace SocketScope
