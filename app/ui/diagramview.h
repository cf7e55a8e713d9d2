// SPDX-License-Identifier: MIT
#pragma once

#include <QGraphicsView>

namespace SocketScope {

class DiagramMinimap;
class DiagramScene;
class SocketSelection;

// Shows the diagram with zoom (Ctrl+wheel, keys), pan (drag the background) and
// fit-to-window, which stays on while the user has not zoomed by hand; fitted, long lists of
// connections fold to as many rows as fit at a readable size. While only part of
// the diagram is in view, a minimap in the corner shows where that part is.
class DiagramView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit DiagramView(QGraphicsScene *scene, QWidget *parent = nullptr);

    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitToWindow();
    qreal zoomFactor() const { return transform().m11(); }
    bool isFitting() const { return m_fitting; }
    // The text scale (1 to 3) the fitted diagram's text keeps: the fit never draws the
    // diagram smaller than that, the scene folds rows away instead (TextScale drives this).
    void setTextScale(qreal scale);
    qreal textScale() const { return m_textScale; }
    // Presentation view: no scroll bars, and text at least PresentedTuplePixels x scale.
    void setPresenting(bool presenting);
    bool isPresenting() const { return m_presenting; }
    // The smallest zoom the fit may use (0: none, as sized for a desk at 1x).
    qreal minimumZoom() const;
    // A tuple's font, in presentation view at 1x, on screen (pixels per em): 2x is 27 px,
    // whose tallest glyphs (the braces) are some 24 px high.
    static constexpr qreal PresentedTuplePixels = 13.6;
    DiagramMinimap *minimap() const { return m_minimap; }
    // Keeps `scene` (the one shown here) and `selection` alike: the cards the user selects
    // become the window's selection; a socket selected elsewhere is selected here and
    // scrolled into view. The owner disconnects `scene` from this view before either dies.
    void followSelection(DiagramScene &scene, SocketSelection &selection);

Q_SIGNALS:
    void zoomChanged(qreal factor);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void setZoom(qreal factor);
    void refit();
    // While fitting, folds the diagram's long lists so that it fits at a readable zoom.
    void foldToFit();

    bool m_fitting = true;
    bool m_presenting = false;
    bool m_refitHeld = false; // a refit waits for the pointer to let go of a card
    qreal m_textScale = 1.0;
    bool m_syncingSelection = false; // our own change, echoed back by the selection
    DiagramMinimap *m_minimap = nullptr;
};

} // namespace SocketScope
