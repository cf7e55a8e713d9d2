// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSet>
#include <QStringList>

#include <functional>

namespace SocketScope {

// Where everything in the diagram goes, decided from the records alone: the pure step
// between the registry and the items (records -> sections and rows -> rectangles). It makes
// no item and paints nothing, so it can be tested without a scene; the scene reconciles its
// items by id with the plan this returns.
class DiagramLayout
{
public:
    // A socket card's geometry, shared with the item that paints it (scene units).
    static constexpr qreal CardHeight = 64;
    static constexpr qreal CardBoxTop = 22;
    static constexpr qreal CardBoxHeight = 40;
    // The vertical distance between two rows of cards.
    static constexpr qreal RowPitch = 84;
    // The compact card (presentation view): a lower box, rows closer together.
    static constexpr qreal CompactCardHeight = 54;
    static constexpr qreal CompactCardBoxHeight = 32;
    static constexpr qreal CompactRowPitch = 66;
    // The width of the standard picture; given less (Options::width), the layout goes compact.
    static constexpr qreal StandardWidth = 1600;

    // The sockets sorted into the parts of the picture.
    struct Row
    {
        const SocketRecord *left = nullptr; // the client's socket
        const SocketRecord *right = nullptr; // the server's socket for it
        QString key; // the socket pair both share (empty: a socket without a peer yet)
    };
    struct Sections
    {
        QList<const SocketRecord *> listeners;
        QList<Row> tcpRows; // in order of appearance
        QList<const SocketRecord *> udpServers; // the taught one: no remote end
        QList<const SocketRecord *> udpConnected; // a connected socket per client
        QList<const SocketRecord *> udpClients;
        qsizetype serverSideSockets = 0;
        qsizetype inChildProcesses = 0; // server-side sockets held by a worker process
        qsizetype inThreads = 0; // ... by a worker thread
        qsizetype inParent = 0; // ... by this process itself (its event loop or a thread)
    };

    struct Options
    {
        int collapseLimit = 12; // rows per section before the rest fold away
        bool showAll = false;
        qint64 ownPid = 0; // a server-side socket of another pid is in a child process
        // The client's number in order of appearance; asked only for clients shown.
        std::function<int(SocketId, Protocol)> clientNumber;
        // The width a socket's card needs for its whole tuple beside its state badge (unset:
        // the default widths). A column of cards takes the widest of its cards' needs.
        std::function<qreal(const SocketRecord &)> cardWidth;
        // The room the picture must fit, in scene units (0: as much as it takes). Narrower
        // than StandardWidth, it goes compact: two columns as wide as the room, the state
        // badge above the tuple, no notes that would not fit. Given a height too, the layout
        // shows as many rows per section as fit and folds the rest into "+ N more", never
        // fewer than one: the picture is never drawn smaller to fit more.
        qreal width = 0;
        qreal height = 0;
        // The sockets the picture is about now (a tour step's highlight). Folding to fit the
        // room keeps their rows, and their section, in view before any other.
        QSet<SocketId> focus;
    };
    // Whether `options` ask for the compact picture.
    static bool isCompact(const Options &options)
    {
        return options.width > 0 && options.width < StandardWidth;
    }

    enum class TextStyle {
        Title, // the host's
        Section, // a section's title
        SectionEmphasis, // ... in the listener's colour
        Note,
        NoteItalic,
        Reading, // a value to read (the UDP server's queue), in the text colour
        FoldTcp, // "+ N more connections", clickable
        FoldUdp,
    };
    enum class FrameKind { Host, Process, Worker };

    struct Card
    {
        SocketId id = InvalidSocketId;
        QPointF pos;
        qreal width = 0;
        QString caption;
        bool raised = false; // drawn above its neighbours (the listener)
    };
    struct Text
    {
        QString key;
        QString content;
        QPointF pos; // top left, or top right when alignRight
        TextStyle style = TextStyle::Note;
        bool alignRight = false;
    };
    struct Frame
    {
        QString key;
        FrameKind kind = FrameKind::Process;
        QRectF rect;
        QString title;
        QString note;
        QString toolTip;
    };
    struct Line
    {
        QString key;
        SocketId left = InvalidSocketId;
        SocketId right = InvalidSocketId;
    };
    struct Queue
    {
        SocketId listener = InvalidSocketId;
        QPointF pos;
    };

    struct Plan
    {
        Sections sections;
        QList<Card> cards;
        QList<Text> texts;
        QList<Frame> frames;
        QList<Line> lines; // between the two cards of a connection
        QList<Queue> queues; // a listener's accept queue
        SocketId connectArrowTo = InvalidSocketId; // the listener the connect() note explains
        QString connectNoteKey;
        QStringList foldKeys; // the texts that, clicked, show everything or fold it again
        QPointF legendPos;
        bool showLegend = true; // compact: the badges name their states, the room is the cards'
        bool compact = false;
        int collapseLimit = 0; // the rows per section this plan shows (before "+ N more")
        qreal tcpBottom = 0; // the TCP section's lowest edge
        qreal udpTop = 0; // where the UDP section begins
        bool tcpFolded = false; // the whole section is one line (no room beside the other)
        bool udpFolded = false;
        QRectF sceneRect;
        qsizetype hiddenSockets = 0;
        qsizetype rowsShown = 0; // TCP connection rows plus UDP client rows drawn
        int sectionsWithRows = 0; // TCP and UDP sections that have any rows (0 to 2)
        QHash<QString, SocketId> udpClientByLocal; // every UDP client by its local address
    };

    // `records` in order of appearance (ascending id).
    static Sections classify(const QList<const SocketRecord *> &records, qint64 ownPid);
    static Plan plan(const QList<const SocketRecord *> &records, const Options &options);

    // The keys of the lines under a UDP server socket, which change with its numbers.
    static QString udpQueueKey(SocketId id);
    static QString udpActivityKey(SocketId id);

    // Whether going from `before` to `after` moves anything or changes a caption. Traffic
    // and queue changes arrive for every message; they change numbers on cards, never
    // where anything stands.
    static bool changesLayout(const SocketRecord &before, const SocketRecord &after);
    // The collapse limit at which a picture `sceneHeight` high, showing `rowsShown` rows in
    // `sectionsWithRows` sections, fits `height` (bounded by min and max).
    static int collapseLimitToFit(qreal sceneHeight, qsizetype rowsShown, int sectionsWithRows,
                                  qreal height, int min, int max);

    // Served by a worker process of ours rather than by this process itself.
    static bool isInChildProcess(const SocketRecord &record, qint64 ownPid);
    // The socket pair two ends of one connection share (empty without a remote end).
    static QString pairKey(const SocketRecord &record);
};

// Numbers clients in order of appearance, once: a number never moves to another socket.
// TCP and UDP clients are counted apart ("client 3", "udp client 3").
class ClientNumbering
{
public:
    int numberFor(SocketId id, Protocol protocol);
    void forget(SocketId id) { m_numbers.remove(id); }

private:
    QHash<SocketId, int> m_numbers;
    int m_nextTcp = 1;
    int m_nextUdp = 1;
};

} // namespace SocketScope
