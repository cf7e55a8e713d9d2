// SPDX-License-Identifier: MIT
#pragma once

#include "diagramlayout.h"
#include "diagrampalette.h"
#include "diagramtext.h"
#include "socketrecord.h"

#include <QGraphicsItem>
#include <QList>

namespace SocketScope {

enum DiagramItemType {
    SocketItemType = QGraphicsItem::UserType + 1,
    FrameItemType,
    ConnectionItemType,
    DatagramItemType,
    AcceptQueueItemType,
    LegendItemType,
    DatagramRouteItemType,
    GuideArrowItemType,
};

// One socket: a caption line (name, pid, counters) above a box with the protocol, the tuple
// and the state as a coloured pill with its name written in it.
class SocketItem : public QGraphicsItem
{
public:
    static constexpr qreal Height = DiagramLayout::CardHeight;
    static constexpr qreal BoxTop = DiagramLayout::CardBoxTop;
    static constexpr qreal BoxHeight = DiagramLayout::CardBoxHeight;
    // The air a card keeps between its tuple's end and its state badge.
    static constexpr qreal TupleBadgeGap = 18;

    SocketItem(SocketId id, const DiagramPalette *palette, qreal width);

    // Type is what qgraphicsitem_cast<> reads; type() says the same at run time.
    enum { Type = SocketItemType };
    int type() const override { return Type; }
    SocketId socketId() const { return m_id; }
    const SocketCard &card() const { return m_card; }
    void setCard(const SocketCard &card);
    void setWidth(qreal width);
    qreal width() const { return m_width; }
    // The compact card (presentation view): the state badge in the caption line instead of
    // the pid and counters, the box the tuple's alone.
    void setCompact(bool compact);
    bool isCompact() const { return m_compact; }
    // Compact, the box is lower: at the hall's text size every unit is a row less.
    qreal height() const { return m_compact ? DiagramLayout::CompactCardHeight : Height; }
    qreal boxHeight() const { return m_compact ? DiagramLayout::CompactCardBoxHeight : BoxHeight; }
    // Where the tuple (its full length) and the state badge sit, in item coordinates. The
    // layout gives every card the width neededWidth() asks for, so the two never overlap.
    QRectF tupleRect() const;
    QRectF stateBadgeRect() const;
    // The width a card needs to show `card`'s whole tuple beside its state badge.
    // Compact, the badge is above the box, which holds the tuple alone.
    static qreal neededWidth(const SocketCard &card, const DiagramPalette &palette,
                             bool compact = false);
    QPointF leftAnchor() const { return mapToScene(QPointF(0, BoxTop + boxHeight() / 2)); }
    QPointF rightAnchor() const { return mapToScene(QPointF(m_width, BoxTop + boxHeight() / 2)); }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    SocketId m_id;
    const DiagramPalette *m_palette;
    qreal m_width;
    bool m_compact = false;
    SocketCard m_card;
};

// A rounded frame with a title and a right-aligned note: the host, a process, a section.
class FrameItem : public QGraphicsItem
{
public:
    FrameItem(const DiagramPalette *palette, bool filled);
    enum { Type = FrameItemType };
    int type() const override { return Type; }
    void setFrame(const QRectF &rect, const QString &title, const QString &note);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    const DiagramPalette *m_palette;
    bool m_filled;
    QRectF m_rect;
    QString m_title;
    QString m_note;
};

// The line between a client socket and its server-side peer. Traffic shows as pulses
// travelling along it; their number is capped, so a busy connection shows a steady stream.
class ConnectionItem : public QGraphicsItem
{
public:
    explicit ConnectionItem(const DiagramPalette *palette);
    enum { Type = ConnectionItemType };
    int type() const override { return Type; }
    void setEnds(const QPointF &from, const QPointF &to, SocketState state, bool dashed);
    void setLabel(const QString &label);
    // direction +1: from -> to; -1: to -> from.
    void addPulse(int direction);
    // Moves pulses on by `seconds`; returns true while any is still travelling.
    bool advanceBy(qreal seconds);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    struct Pulse
    {
        qreal progress;
        int direction;
    };
    const DiagramPalette *m_palette;
    QPointF m_from;
    QPointF m_to;
    SocketState m_state = SocketState::Unknown;
    bool m_dashed = false;
    QString m_label;
    QList<Pulse> m_pulses;
};

// A datagram in flight: an envelope with its source address written beside it, because the
// sender's address travels with each UDP datagram.
class DatagramItem : public QGraphicsItem
{
public:
    // Requests carry their label above the envelope, replies below: the two streams share
    // one path in opposite directions (a few pixels apart) and their labels must not
    // overwrite each other.
    enum class LabelSide { Above, Below };
    // Half the gap between a request's and a reply's path (scene units).
    static constexpr qreal PathOffset = 9;

    DatagramItem(const DiagramPalette *palette, QString label, const QPointF &from,
                 const QPointF &to, qreal seconds, LabelSide side = LabelSide::Above);
    enum { Type = DatagramItemType };
    int type() const override { return Type; }
    // Moves on by `seconds`; returns false once it has arrived.
    bool advanceBy(qreal seconds);
    // The two sockets it flies between: one folded away or gone, it has nowhere to fly.
    void setSockets(SocketId client, SocketId server)
    {
        m_client = client;
        m_server = server;
    }
    SocketId clientSocket() const { return m_client; }
    SocketId serverSocket() const { return m_server; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    const DiagramPalette *m_palette;
    SocketId m_client = InvalidSocketId;
    SocketId m_server = InvalidSocketId;
    QString m_label;
    QPointF m_from;
    QPointF m_to;
    qreal m_duration;
    qreal m_elapsed = 0;
    LabelSide m_side;
};

// Where datagrams went lately between one UDP client and a server socket: a thin dashed line
// (dashed: UDP keeps no connection, this is only a route) that stays while datagrams travel
// it and fades a few seconds after the last one, so the picture shows which senders are
// talking to the one socket now.
class DatagramRouteItem : public QGraphicsItem
{
public:
    static constexpr qreal HoldSeconds = 2.0;
    static constexpr qreal FadeSeconds = 2.0;

    explicit DatagramRouteItem(const DiagramPalette *palette);
    enum { Type = DatagramRouteItemType };
    int type() const override { return Type; }
    void setEnds(const QPointF &client, const QPointF &server);
    // Another datagram took this route: show it at full strength again.
    void touch();
    // Ages the route by `seconds`; returns false once it has faded away.
    bool advanceBy(qreal seconds);
    QRectF boundingRect() const override;
    // The line itself, a few pixels wide: hovering the empty space around it shows nothing.
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    const DiagramPalette *m_palette;
    QPointF m_client;
    QPointF m_server;
    qreal m_idleSeconds = 0;
};

// A dashed arrow from a note to what it explains (the textbook's "connect() reaches the
// listener" curve): it leaves horizontally and arrives horizontally, head solid.
class GuideArrowItem : public QGraphicsItem
{
public:
    explicit GuideArrowItem(const DiagramPalette *palette);
    enum { Type = GuideArrowItemType };
    int type() const override { return Type; }
    void setEnds(const QPointF &from, const QPointF &to);
    QPointF tip() const { return m_to; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    const DiagramPalette *m_palette;
    QPointF m_from;
    QPointF m_to;
};

// A listener's accept queue as the kernel reports it: one slot per backlog entry, filled
// for each connection the kernel completed that the program has not accepted yet.
class AcceptQueueItem : public QGraphicsItem
{
public:
    explicit AcceptQueueItem(const DiagramPalette *palette);
    enum { Type = AcceptQueueItemType };
    int type() const override { return Type; }
    void setQueue(quint32 waiting, quint32 backlog, bool known);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    const DiagramPalette *m_palette;
    quint32 m_waiting = 0;
    quint32 m_backlog = 0;
    bool m_known = false;
};

// The colour key: every state pill with its name.
class LegendItem : public QGraphicsItem
{
public:
    explicit LegendItem(const DiagramPalette *palette);
    enum { Type = LegendItemType };
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    static QList<QPair<SocketState, QString>> entries();

private:
    const DiagramPalette *m_palette;
};

// The width of the state pill that says `text`.
qreal statePillWidth(const DiagramPalette &palette, const QString &text);
// Paints a state pill; shared by socket cards and the legend. Returns the pill's width.
qreal paintStatePill(QPainter *painter, const DiagramPalette &palette, const QPointF &topRight,
                     SocketState state, const QString &text);

} // namespace SocketScope
