// SPDX-License-Identifier: MIT
#pragma once

#include "diagramlayout.h"

namespace SocketScope {

// The picture's grid, apart from the builder that places the sockets on it. Where the
// columns go, in scene units (pixels at 100 % zoom): the standard picture, or the
// compact one that fills a narrower room (presentation view at a large text scale).
struct DiagramGeometry
{
    // The accept queue's drawing (AcceptQueueItem), left of the listener in the compact one.
    static constexpr qreal QueueWidth = 170;
    qreal hostLeft = 20;
    qreal hostWidth = 1560;
    qreal leftX = 48;
    qreal cardWidth = 470;
    qreal serverFrameX = 740;
    qreal serverFrameWidth = 820;
    qreal serverCardX = 760;
    qreal serverCardWidth = 520;
    qreal indent = 30; // accepted sockets under their listener
    // How wide a card may grow for a long tuple: the client column up to shortly before the
    // server's frame, the server's cards up to the host's edge (minus the accept queue's).
    qreal maxCardWidth = 740 - 48 - 40;
    qreal maxServerCardWidth = 20 + 1560 - 760 - 140;
    bool compact = false;
    // Compact, every unit of height is a row the hall does not see: tighter gaps.
    qreal hostTop() const { return compact ? 4 : 20; }
    qreal titleBaseline() const { return compact ? 10 : 40; }
    qreal sectionGap() const { return compact ? 20 : 40; }
    qreal frameTitleRow() const { return compact ? 30 : 34; }
    qreal foldLine() const { return compact ? 32 : 40; }
    qreal afterSection() const { return compact ? 14 : 30; }
    qreal cardHeight() const
    {
        return compact ? DiagramLayout::CompactCardHeight : DiagramLayout::CardHeight;
    }
    qreal rowPitch() const
    {
        return compact ? DiagramLayout::CompactRowPitch : DiagramLayout::RowPitch;
    }

    static DiagramGeometry forWidth(qreal width)
    {
        DiagramGeometry g;
        if (width <= 0 || width >= DiagramLayout::StandardWidth)
            return g;
        // Two columns of equal width, a short gap for the connection lines between them.
        g.compact = true;
        g.hostLeft = 4;
        g.hostWidth = width - 8;
        g.leftX = 12;
        g.serverFrameX = qRound(width / 2 + 4);
        g.serverFrameWidth = width - g.hostLeft - 6 - g.serverFrameX;
        g.serverCardX = g.serverFrameX + 6;
        g.serverCardWidth = g.serverFrameWidth - 12;
        g.indent = 0;
        g.cardWidth = g.serverFrameX - 18 - g.leftX;
        g.maxCardWidth = g.cardWidth;
        g.maxServerCardWidth = g.serverCardWidth;
        return g;
    }
};

} // namespace SocketScope
