// SPDX-License-Identifier: MIT
#pragma once

#include "diagramlayout.h"
#include "diagrampalette.h"

#include <QHash>

#include <functional>

class QGraphicsScene;
class QGraphicsSimpleTextItem;

namespace SocketScope {

class FrameItem;
class GuideArrowItem;
class SocketItem;

// The diagram's words and boxes around the sockets: titles, notes, process frames, the
// host, and the arrow from the connect() note to the listener. Kept by key, one item per
// key for as long as the scene lives: a relayout moves, rewrites or hides them, so the
// plain text items are not rebuilt (and re-shaped) every frame.
class DiagramDecorations
{
public:
    DiagramDecorations(QGraphicsScene &scene, const DiagramPalette *palette);

    // Shows what the plan places and hides every other one. `itemFor` finds the cards
    // the arrow connects (placed before this is called).
    void apply(const DiagramLayout::Plan &plan,
               const std::function<const SocketItem *(SocketId)> &itemFor);
    // The text shown under this key, or null.
    QGraphicsSimpleTextItem *text(const QString &key) const { return m_texts.value(key); }

private:
    void placeTexts(const QList<DiagramLayout::Text> &texts);
    void placeFrames(const QList<DiagramLayout::Frame> &frames);
    void placeConnectArrow(const QGraphicsSimpleTextItem *note, const SocketItem *listener);
    QFont fontFor(DiagramLayout::TextStyle style) const;
    QColor colourFor(DiagramLayout::TextStyle style) const;

    QGraphicsScene &m_scene;
    const DiagramPalette *m_palette;
    QHash<QString, QGraphicsSimpleTextItem *> m_texts;
    QHash<QString, FrameItem *> m_frames;
    GuideArrowItem *m_connectArrow = nullptr;
};

} // namespace SocketScope
