// SPDX-License-Identifier: MIT
#pragma once

#include "diagramitems.h"
#include "diagrampalette.h"
#include "socketregistry.h"

#include <QElapsedTimer>
#include <QGraphicsScene>
#include <QHash>
#include <QSet>
#include <QTimer>

class QGraphicsSimpleTextItem;

namespace SocketScope {

// The live diagram: the host, the server process with its listening socket, one row per
// TCP connection (client socket on the left, the server's accepted socket on the right, a
// line between), and the UDP server's single socket with its clients. It listens to the
// registry by id, coalesces changes into one relayout per frame, and keeps one item per
// shown socket. Placement is stable: a new socket is appended and never moves the others.
class DiagramScene : public QGraphicsScene
{
    Q_OBJECT
public:
    static constexpr int DefaultCollapseLimit = 12;

    explicit DiagramScene(const SocketRegistry &registry, QObject *parent = nullptr);
    ~DiagramScene() override;

    void setThemePalette(const QPalette &palette);
    const DiagramPalette &diagramPalette() const { return m_palette; }

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

    SocketItem *itemFor(SocketId id) const { return m_items.value(id); }
    qsizetype socketItemCount() const { return m_items.size(); }
    qsizetype hiddenSocketCount() const { return m_hiddenCount; }
    qsizetype flyingDatagramCount() const { return m_datagrams.size(); }
    // Client-to-server routes datagrams took in the last few seconds.
    qsizetype datagramRouteCount() const { return m_routes.size(); }
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

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    struct Row
    {
        SocketId left = InvalidSocketId;
        SocketId right = InvalidSocketId;
        QString key;
    };

    void scheduleRelayout();
    void scheduleStructure(); // sockets came or went, or what is shown changed
    // The cheap path: a socket whose change moves nothing only gets its numbers redrawn.
    bool needsLayout(SocketId id) const;
    void updateNumbers(SocketId id);
    struct UdpServerNotes
    {
        QString queue; // the kernel's receive queue, under the socket
        QString activity; // what the server is handling now
    };
    UdpServerNotes udpServerNotes(const SocketRecord &record) const;
    // WhenDue holds number-only changes back to the numbers' refresh rate.
    enum class LayoutTiming { WhenDue, Now };
    void relayout(LayoutTiming timing = LayoutTiming::WhenDue);
    void onRemoved(SocketId id);
    void onTraffic(SocketId id, TrafficDirection direction, qint64 bytes, const Endpoint &peer,
                   bool isDatagram);
    void animate();
    void startAnimation();
    void touchRoute(SocketItem *client, SocketItem *server);
    void placeRoutes();

    const SocketRecord *recordFor(SocketId id) const;
    SocketItem *placeSocket(SocketId id, const QPointF &pos, qreal width, const QString &caption,
                            QSet<SocketId> &shown);
    SocketCard cardFor(const SocketRecord &record) const;
    QString tooltipFor(const SocketRecord &record) const;
    QGraphicsSimpleTextItem *text(const QString &key, const QString &content, const QPointF &pos,
                                  const QFont &font, const QColor &colour,
                                  QSet<QString> &usedTexts);
    FrameItem *frame(const QString &key, bool filled, const QRectF &rect, const QString &title,
                     const QString &note, QSet<QString> &usedFrames);
    // Numbers clients in order of appearance, once: a number never moves to another socket.
    int clientNumber(SocketId id, Protocol protocol);
    static QString pairKey(const SocketRecord &record);
    // Served by a worker process of ours rather than by this process itself.
    static bool isInChildProcess(const SocketRecord &record);

    const SocketRegistry &m_registry;
    DiagramPalette m_palette;
    QTimer m_relayoutTimer;
    QTimer m_animationTimer;
    QElapsedTimer m_animationClock;
    QElapsedTimer m_numbersClock; // since the numbers on cards were last redrawn
    int m_collapseLimit = DefaultCollapseLimit;
    qsizetype m_rowsShown = 0; // TCP connection rows plus UDP client rows drawn
    int m_sectionsWithRows = 0; // TCP and UDP sections that have any rows (0 to 2)
    bool m_showAll = false;

    QHash<SocketId, SocketItem *> m_items;
    QHash<QString, ConnectionItem *> m_connections; // by pair key
    QHash<SocketId, QString> m_connectionOf; // socket -> pair key of its line
    QHash<QString, QGraphicsSimpleTextItem *> m_texts;
    QHash<QString, FrameItem *> m_frames;
    QHash<SocketId, AcceptQueueItem *> m_queues;
    QList<DatagramItem *> m_datagrams;
    QHash<QPair<SocketId, SocketId>, DatagramRouteItem *> m_routes; // (client, server)
    LegendItem *m_legend = nullptr;
    GuideArrowItem *m_connectArrow = nullptr; // from the connect() note to the listener
    QGraphicsItem *m_moreItem = nullptr;

    // Sockets just closed: kept (with their last record) while they fade out, so the rows
    // below close up only after the reader has seen the socket go.
    struct Ghost
    {
        SocketRecord record;
        qreal opacity = 1.0;
    };
    QHash<SocketId, Ghost> m_ghosts;
    QHash<SocketId, SocketRecord> m_lastRecords; // what each shown item was drawn from
    QHash<SocketId, int> m_clientNumbers;
    int m_nextTcpClientNumber = 1;
    int m_nextUdpClientNumber = 1;
    QHash<QString, SocketId> m_udpClientByLocal; // for datagram senders
    qsizetype m_hiddenCount = 0;
    qint64 m_lastRelayoutNs = 0;
    bool m_structureDirty = true;
    QSet<SocketId> m_changed;
};

} // namespace SocketScope
