// SPDX-License-Identifier: MIT
#pragma once

#include "diagramitems.h"
#include "diagramlayout.h"
#include "diagrampalette.h"
#include "socketregistry.h"

#include <QGraphicsScene>
#include <QHash>
#include <QSet>
#include <QTimer>

#include <memory>

namespace SocketScope {

class DiagramDecorations;
class PresentationClock;
class TrafficAnimator;

// The live diagram: the host, the server process with its listening socket, one row per
// TCP connection (client socket on the left, the server's accepted socket on the right, a
// line between), and the UDP server's single socket with its clients. It listens to the
// registry by id, coalesces changes into one relayout per frame, and keeps one item per
// shown socket. Placement is stable: a new socket is appended and never moves the others.
//
// Where things go is DiagramLayout's plan, what they say is DiagramText's, what moves is
// the TrafficAnimator's, the words and frames around the sockets DiagramDecorations' own;
// this scene reconciles its socket items by id with the plan.
class DiagramScene : public QGraphicsScene
{
    Q_OBJECT
public:
    static constexpr int DefaultCollapseLimit = 12;

    explicit DiagramScene(const SocketRegistry &registry, QObject *parent = nullptr);
    ~DiagramScene() override;

    void setThemePalette(const QPalette &palette);
    const DiagramPalette &diagramPalette() const { return m_palette; }
    // The clock animations run on (until set: the scene's own, always live). `clock` must
    // outlive the scene.
    void setPresentationClock(const PresentationClock &clock);
    TrafficAnimator &trafficAnimator() const { return *m_animator; }

    // Above this many TCP connection rows (or UDP client rows), the rest fold into a
    // "+ N more" line until the user asks to see them all.
    void setCollapseLimit(int rows);
    int collapseLimit() const { return m_collapseLimit; }
    // Chooses the collapse limit (between MinCollapseLimit and DefaultCollapseLimit rows per
    // section) so that the folded diagram, fitted into a view this many pixels high, is drawn
    // at `minZoom` or larger: readable, instead of shrunk to boxes.
    void fitCollapseLimitTo(qreal viewHeight, qreal minZoom);
    static constexpr int MinCollapseLimit = 3;
    void setShowAll(bool showAll);
    bool showAll() const { return m_showAll; }
    // The room the picture must fit, in scene units (empty: as much as it takes); narrower
    // than the standard picture, the layout goes compact and folds rows to fit the height.
    void setLayoutRoom(const QSizeF &room);
    QSizeF layoutRoom() const { return m_room; }
    // The sockets the moment is about (a tour step's highlight): a picture folded to fit its
    // room keeps them in view first. Unlike the selection, clicking a card does not change
    // it, so no card moves under the pointer.
    void setFocusSockets(const QSet<SocketId> &focus);
    const QSet<SocketId> &focusSockets() const { return m_focus; }
    // While a card is pressed or its context menu is open, no relayout moves any card.
    bool holdsLayout() const { return !m_held.isEmpty(); }

    SocketItem *itemFor(SocketId id) const { return m_items.value(id); }
    qsizetype socketItemCount() const { return m_items.size(); }
    qsizetype hiddenSocketCount() const { return m_hiddenCount; }
    qsizetype flyingDatagramCount() const;
    // Client-to-server routes datagrams took in the last few seconds.
    qsizetype datagramRouteCount() const;
    qsizetype connectionLineCount() const;

    QList<SocketId> selectedSockets() const;
    void selectSocket(SocketId id);

    // Applies pending registry changes now instead of at the next frame (tests, export).
    void flush();
    // How long the last relayout took, for the benchmark.
    qint64 lastRelayoutNanoseconds() const { return m_lastRelayoutNs; }
    // What hovering the socket shows (empty for an unknown id).
    QString tooltipText(SocketId id) const;

Q_SIGNALS:
    void spawnClientRequested(SocketScope::Protocol protocol);
    void socketContextMenuRequested(SocketScope::SocketId id, const QPoint &screenPos);
    // The pointer let go of the cards: what was held back is laid out now.
    void layoutHoldReleased();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    void scheduleRelayout();
    void hold(SocketId id) { m_held.insert(id); }
    void releaseHold();
    void scheduleStructure(); // sockets came or went, or what is shown changed
    // The cheap path: a socket whose change moves nothing only gets its numbers redrawn.
    bool needsLayout(SocketId id) const;
    void updateNumbers(SocketId id);
    // WhenDue holds number-only changes back to the numbers' refresh rate.
    enum class LayoutTiming { WhenDue, Now };
    void relayout(LayoutTiming timing = LayoutTiming::WhenDue);
    // Returns false when the numbers are not due yet (a timer is set for when they are).
    bool refreshNumbers(LayoutTiming timing);
    QList<const SocketRecord *> recordsInOrder() const;
    void apply(const DiagramLayout::Plan &plan);
    void placeCards(const QList<DiagramLayout::Card> &cards);
    void placeQueues(const QList<DiagramLayout::Queue> &queues);
    void placeLines(const QList<DiagramLayout::Line> &lines);
    void dropItemsNotIn(const DiagramLayout::Plan &plan);
    void onAdded(SocketId id);
    void onRemoved(SocketId id);
    void onFadedOut(SocketId id);
    void onTraffic(SocketId id, TrafficDirection direction, qint64 bytes, const Endpoint &peer,
                   bool isDatagram);
    // The card a datagram from (or, for a reply, to) this socket flies to.
    SocketItem *datagramTarget(const SocketRecord &record, const Endpoint &peer) const;

    const SocketRecord *recordFor(SocketId id) const;

    const SocketRegistry &m_registry;
    DiagramPalette m_palette;
    std::unique_ptr<PresentationClock> m_ownClock;
    const PresentationClock *m_clock = nullptr;
    std::unique_ptr<DiagramDecorations> m_decorations;
    TrafficAnimator *m_animator = nullptr;
    QTimer m_relayoutTimer;
    qint64 m_numbersShownNs = -1; // real time the numbers on cards were last redrawn
    int m_collapseLimit = DefaultCollapseLimit;
    qsizetype m_rowsShown = 0; // TCP connection rows plus UDP client rows drawn
    int m_sectionsWithRows = 0; // TCP and UDP sections that have any rows (0 to 2)
    bool m_showAll = false;
    QSizeF m_room;
    QSet<SocketId> m_focus;
    SocketId m_selectWhenShown = InvalidSocketId; // asked for before its card existed
    bool m_compactCards = false;
    QSet<SocketId> m_held; // cards under the pointer: they keep their place

    QHash<SocketId, SocketItem *> m_items;
    QHash<QString, ConnectionItem *> m_connections; // by pair key
    QHash<SocketId, QString> m_connectionOf; // socket -> pair key of its line
    QHash<SocketId, AcceptQueueItem *> m_queues;
    LegendItem *m_legend = nullptr;
    QList<QGraphicsItem *> m_foldItems; // clicked, they show everything (or fold it again)

    // Sockets just closed: kept (with their last record) while they fade out, so the rows
    // below close up only after the reader has seen the socket go.
    QHash<SocketId, SocketRecord> m_ghosts;
    QHash<SocketId, SocketRecord> m_lastRecords; // what each shown item was drawn from
    ClientNumbering m_clientNumbers;
    bool m_seeking = false; // ending fades because the registry jumped to another moment
    QHash<QString, SocketId> m_udpClientByLocal; // for datagram senders
    qsizetype m_hiddenCount = 0;
    qint64 m_lastRelayoutNs = 0;
    bool m_structureDirty = true;
    QSet<SocketId> m_changed;
};

} // namespace SocketScope
