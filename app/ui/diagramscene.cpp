// SPDX-License-Identifier: MIT
#include "diagramscene.h"

#include <QCoreApplication>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneHelpEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QLocale>
#include <QToolTip>

#include <algorithm>

namespace SocketScope {

namespace {

// Scene geometry, in scene units (pixels at 100 % zoom).
constexpr qreal kHostLeft = 20;
constexpr qreal kHostWidth = 1560;
constexpr qreal kLeftX = 48;
constexpr qreal kCardWidth = 470;
constexpr qreal kServerFrameX = 740;
constexpr qreal kServerFrameWidth = 820;
constexpr qreal kServerCardX = 760;
constexpr qreal kServerCardWidth = 520;
constexpr qreal kRowPitch = 84;
constexpr qreal kFadeSeconds = 0.8;
constexpr int kMaxFlyingDatagrams = 40;
// How often the numbers on cards (counters, queues) are redrawn while traffic flows: a
// counter that changes faster than this cannot be read anyway, and each redraw re-renders
// the card's text. Structure and state changes still show within one frame.
constexpr int kNumbersIntervalMs = 250;
constexpr int kFrameMs = 16;

bool isLoopback(const QHostAddress &address)
{
    return address.isLoopback();
}

// A TCP socket's only activity line is the flow-control pause (its owner stopped reading
// because the peer does not read): short on the card, in full in tooltip and inspector.
QString withFlowControlNote(const QString &caption, const SocketRecord &record)
{
    if (record.protocol != Protocol::Tcp || record.activity.isEmpty())
        return caption;
    return QCoreApplication::translate("SocketScope::DiagramScene", "%1 · paused").arg(caption);
}

// Moves each transient item (a flying datagram, a fading route) on by `seconds` and deletes
// those that are done. Returns whether any is still moving.
template<typename Items>
bool advanceOrDelete(Items &items, qreal seconds)
{
    bool moving = false;
    for (auto it = items.begin(); it != items.end();) {
        if ((*it)->advanceBy(seconds)) {
            moving = true;
            ++it;
        } else {
            delete *it;
            it = items.erase(it);
        }
    }
    return moving;
}

} // namespace

DiagramScene::DiagramScene(const SocketRegistry &registry, QObject *parent)
    : QGraphicsScene(parent), m_registry(registry)
{
    m_palette = DiagramPalette::fromPalette(QPalette());
    setBackgroundBrush(m_palette.background);
    setItemIndexMethod(QGraphicsScene::NoIndex); // items move often; the index would churn

    // All changes that arrive within one frame become one relayout.
    m_relayoutTimer.setSingleShot(true);
    connect(&m_relayoutTimer, &QTimer::timeout, this, [this] { relayout(); });
    m_animationTimer.setInterval(kFrameMs);
    connect(&m_animationTimer, &QTimer::timeout, this, &DiagramScene::animate);

    connect(&registry, &SocketRegistry::socketAdded, this, &DiagramScene::scheduleStructure);
    connect(&registry, &SocketRegistry::socketChanged, this, [this](SocketId id) {
        m_changed.insert(id);
        if (needsLayout(id))
            scheduleRelayout();
        else if (!m_relayoutTimer.isActive())
            m_relayoutTimer.start(kFrameMs); // numbers only: relayout() holds them till due
    });
    connect(&registry, &SocketRegistry::socketRemoved, this, &DiagramScene::onRemoved);
    connect(&registry, &SocketRegistry::trafficObserved, this, &DiagramScene::onTraffic);

    m_legend = new LegendItem(&m_palette);
    addItem(m_legend);
    relayout();
}

DiagramScene::~DiagramScene() = default;

void DiagramScene::setThemePalette(const QPalette &palette)
{
    m_palette = DiagramPalette::fromPalette(palette);
    setBackgroundBrush(m_palette.background);
    for (QGraphicsItem *item : items())
        item->update();
    m_structureDirty = true;
    relayout(); // text colours live in the plain text items
}

void DiagramScene::setCollapseLimit(int rows)
{
    if (qMax(rows, 1) == m_collapseLimit)
        return;
    m_collapseLimit = qMax(rows, 1);
    scheduleStructure();
}

void DiagramScene::fitCollapseLimitTo(qreal viewHeight, qreal minZoom)
{
    if (m_showAll || m_sectionsWithRows == 0 || viewHeight <= 0 || minZoom <= 0)
        return;
    // The scene's height is what does not depend on rows plus a pitch per row shown. Adding
    // or removing a "+ N more" line moves the estimate towards the same answer, so this
    // settles after one relayout.
    const qreal fixedHeight = sceneRect().height() - qreal(m_rowsShown) * kRowPitch;
    const qreal rows = (viewHeight / minZoom - fixedHeight) / kRowPitch;
    setCollapseLimit(
            qBound(MinCollapseLimit, int(rows / m_sectionsWithRows), DefaultCollapseLimit));
}

void DiagramScene::setShowAll(bool showAll)
{
    if (m_showAll == showAll)
        return;
    m_showAll = showAll;
    scheduleStructure();
}

qsizetype DiagramScene::connectionLineCount() const
{
    return std::count_if(m_connections.cbegin(), m_connections.cend(),
                         [](const ConnectionItem *item) { return item->isVisible(); });
}

QList<SocketId> DiagramScene::selectedSockets() const
{
    QList<SocketId> ids;
    for (QGraphicsItem *item : selectedItems()) {
        if (const auto *socketItem = qgraphicsitem_cast<SocketItem *>(item))
            ids.append(socketItem->socketId());
    }
    return ids;
}

void DiagramScene::selectSocket(SocketId id)
{
    SocketItem *item = m_items.value(id);
    if (item && item->isSelected() && selectedItems().size() == 1)
        return;
    clearSelection();
    if (item)
        item->setSelected(true);
}

void DiagramScene::flush()
{
    if (m_relayoutTimer.isActive()) {
        m_relayoutTimer.stop();
        relayout(LayoutTiming::Now);
    }
}

void DiagramScene::scheduleStructure()
{
    m_structureDirty = true;
    scheduleRelayout();
}

bool DiagramScene::needsLayout(SocketId id) const
{
    // Traffic and queue changes arrive for every message; they change numbers on cards,
    // never where anything stands. Anything else takes the full layout.
    const SocketRecord *record = m_registry.find(id);
    if (!record || !m_items.contains(id) || m_ghosts.contains(id))
        return false; // folded away, or fading: nothing on screen to update
    const auto last = m_lastRecords.constFind(id);
    return last == m_lastRecords.cend() || last->role != record->role
           || last->local != record->local || last->remote != record->remote
           || last->kernelOnly != record->kernelOnly
           || last->effectiveState() != record->effectiveState() || last->pid != record->pid
           || last->threadId != record->threadId
           || last->program != record->program
           // A TCP socket's activity (the flow-control pause) is part of its caption.
           || (record->protocol == Protocol::Tcp && last->activity != record->activity);
}

void DiagramScene::updateNumbers(SocketId id)
{
    const SocketRecord *record = m_registry.find(id);
    SocketItem *item = m_items.value(id);
    if (!record || !item || m_ghosts.contains(id))
        return;
    SocketCard card = cardFor(*record);
    card.caption = item->card().caption;
    item->setCard(card);
    m_lastRecords.insert(id, *record);
    if (AcceptQueueItem *queue = m_queues.value(id))
        queue->setQueue(record->recvQ(), record->sendQ(), record->kernel.has_value());
    if (record->role == SocketRole::UdpServer && !record->remote) {
        const UdpServerNotes notes = udpServerNotes(*record);
        if (QGraphicsSimpleTextItem *queue = m_texts.value(QStringLiteral("udp-queue-%1").arg(id)))
            queue->setText(notes.queue);
        if (QGraphicsSimpleTextItem *activity
            = m_texts.value(QStringLiteral("udp-activity-%1").arg(id))) {
            activity->setText(notes.activity);
            activity->setVisible(!notes.activity.isEmpty());
        } else if (!notes.activity.isEmpty()) {
            m_structureDirty = true; // the line appears for the first time: lay it out
            scheduleRelayout();
        }
    }
}

DiagramScene::UdpServerNotes DiagramScene::udpServerNotes(const SocketRecord &record) const
{
    UdpServerNotes notes;
    notes.queue = record.kernel ? tr("receive queue (kernel Recv-Q): %1 bytes waiting")
                                          .arg(record.kernel->recvQ)
                                : tr("datagrams from every client arrive at this one socket");
    notes.activity = record.activity;
    // Another program on this very port is worth more than what the server does right now.
    if (record.kernel && !record.kernel->sharedWith.isEmpty()) {
        const QString shared = tr("port shared with %1 (SO_REUSEPORT): the kernel splits arrivals")
                                       .arg(record.kernel->sharedWith);
        notes.activity
                = record.activity.isEmpty() ? shared : shared + QLatin1Char('\n') + record.activity;
    }
    return notes;
}

void DiagramScene::scheduleRelayout()
{
    // Within a frame, even while number updates are being held back.
    if (!m_relayoutTimer.isActive() || m_relayoutTimer.remainingTime() > kFrameMs)
        m_relayoutTimer.start(kFrameMs);
}

void DiagramScene::onRemoved(SocketId id)
{
    if (SocketItem *item = m_items.value(id)) {
        // The registry no longer has the record; keep what the item last showed.
        Ghost ghost;
        ghost.record = m_lastRecords.take(id);
        m_ghosts.insert(id, ghost);
        item->setEnabled(false);
        startAnimation();
    } else {
        m_clientNumbers.remove(id);
    }
    scheduleStructure();
}

const SocketRecord *DiagramScene::recordFor(SocketId id) const
{
    if (const SocketRecord *record = m_registry.find(id))
        return record;
    auto it = m_ghosts.constFind(id);
    return it == m_ghosts.cend() ? nullptr : &it->record;
}

bool DiagramScene::isInChildProcess(const SocketRecord &record)
{
    return record.pid != 0 && record.pid != QCoreApplication::applicationPid();
}

QString DiagramScene::pairKey(const SocketRecord &record)
{
    if (!record.remote)
        return {};
    const QString a = record.local.toString();
    const QString b = record.remote->toString();
    return protocolName(record.protocol) + QLatin1Char(' ') + qMin(a, b) + QLatin1Char('|')
           + qMax(a, b);
}

int DiagramScene::clientNumber(SocketId id, Protocol protocol)
{
    auto it = m_clientNumbers.find(id);
    if (it == m_clientNumbers.end()) {
        int &next = protocol == Protocol::Tcp ? m_nextTcpClientNumber : m_nextUdpClientNumber;
        it = m_clientNumbers.insert(id, next++);
    }
    return *it;
}

SocketCard DiagramScene::cardFor(const SocketRecord &record) const
{
    SocketCard card;
    card.protocol
            = record.protocol == Protocol::Tcp ? QStringLiteral("TCP") : QStringLiteral("UDP");
    card.state = record.effectiveState();
    card.stateText = stateName(card.state);
    card.kernelOnly = record.kernelOnly;
    const qint64 pid = record.ownerPid();
    QString detail = pid ? QStringLiteral("pid %1").arg(pid) : QString();
    if (record.protocol == Protocol::Tcp && (record.bytesSent || record.bytesReceived))
        detail += QStringLiteral(" · ↑%1 ↓%2")
                          .arg(byteCountText(record.bytesSent),
                               byteCountText(record.bytesReceived));
    if (record.protocol == Protocol::Udp && (record.datagramsSent || record.datagramsReceived))
        detail += QStringLiteral(" · %1 sent · %2 received")
                          .arg(record.datagramsSent)
                          .arg(record.datagramsReceived);
    // The kernel's timer: TIME_WAIT's countdown is the part worth reading off a slide.
    if (record.kernel && record.kernel->timerMs >= 0 && card.state == SocketState::TimeWait)
        detail += tr(" · %1 s left").arg((record.kernel->timerMs + 999) / 1000);
    card.detail = detail;

    const QString local = record.local.toString();
    if (record.remote) {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral(", "),
                           record.remote->toString(), QStringLiteral("}")};
        // On the server side the remote end is what differs between accepted sockets; on a
        // client, its own ephemeral port is.
        card.highlightPart = record.role == SocketRole::TcpServerSide ? 3 : 1;
    } else if (record.protocol == Protocol::Tcp) {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral(", "), QStringLiteral("*:*"),
                           QStringLiteral("}")};
    } else {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral("}")};
    }
    return card;
}

QString DiagramScene::tooltipText(SocketId id) const
{
    const SocketRecord *record = recordFor(id);
    return record ? tooltipFor(*record) : QString();
}

QString DiagramScene::tooltipFor(const SocketRecord &record) const
{
    QString tip = QStringLiteral("<b>%1</b> %2<br/>local %3<br/>remote %4<br/>")
                          .arg(protocolName(record.protocol).toUpper(), roleName(record.role),
                               record.local.toString(),
                               record.remote ? record.remote->toString() : QStringLiteral("*:*"));
    tip += tr("state (Qt): %1").arg(stateName(record.state));
    if (record.kernel)
        tip += tr("<br/>state (kernel): %1<br/>Recv-Q %2 · Send-Q %3 · inode %4")
                       .arg(stateName(record.kernel->state))
                       .arg(record.kernel->recvQ)
                       .arg(record.kernel->sendQ)
                       .arg(record.kernel->inode);
    if (record.kernel && record.kernel->tcpInfo)
        tip += QStringLiteral("<br/>TCP_INFO: ") + tcpInfoText(*record.kernel->tcpInfo);
    if (record.kernel && !record.kernel->sharedWith.isEmpty())
        tip += QStringLiteral("<br/><b>") + sharedPortText(*record.kernel).toHtmlEscaped()
               + QStringLiteral("</b>");
    if (record.protocol == Protocol::Udp && !record.remote)
        tip += tr("<br/>UDP has no connection: this one socket takes datagrams from every "
                  "sender, and each datagram carries its sender's address.");
    if (record.kernelOnly)
        tip += tr("<br/><i>Only the kernel holds this socket; no program has it open.</i>");
    tip += tr("<br/>sent %1 · received %2")
                   .arg(byteCountText(record.bytesSent), byteCountText(record.bytesReceived));
    if (!record.activity.isEmpty())
        tip += QStringLiteral("<br/>") + record.activity.toHtmlEscaped();
    return tip;
}

SocketItem *DiagramScene::placeSocket(SocketId id, const QPointF &pos, qreal width,
                                      const QString &caption, QSet<SocketId> &shown)
{
    const SocketRecord *record = recordFor(id);
    if (!record)
        return nullptr;
    SocketItem *item = m_items.value(id);
    if (!item) {
        item = new SocketItem(id, &m_palette, width);
        addItem(item);
        m_items.insert(id, item);
    }
    item->setWidth(width);
    item->setPos(pos);
    item->setVisible(true);
    if (!m_ghosts.contains(id)) {
        SocketCard card = cardFor(*record);
        card.caption = caption;
        item->setCard(card);
        m_lastRecords.insert(id, *record);
    }
    shown.insert(id);
    return item;
}

QGraphicsSimpleTextItem *DiagramScene::text(const QString &key, const QString &content,
                                            const QPointF &pos, const QFont &font,
                                            const QColor &colour, QSet<QString> &usedTexts)
{
    QGraphicsSimpleTextItem *item = m_texts.value(key);
    if (!item) {
        item = addSimpleText(QString());
        m_texts.insert(key, item);
    }
    if (item->text() != content)
        item->setText(content);
    if (item->font() != font)
        item->setFont(font);
    if (item->brush().color() != colour)
        item->setBrush(colour);
    item->setPos(pos);
    item->setVisible(true);
    usedTexts.insert(key);
    return item;
}

FrameItem *DiagramScene::frame(const QString &key, bool filled, const QRectF &rect,
                               const QString &title, const QString &note, QSet<QString> &usedFrames)
{
    FrameItem *item = m_frames.value(key);
    if (!item) {
        item = new FrameItem(&m_palette, filled);
        addItem(item);
        m_frames.insert(key, item);
    }
    item->setFrame(rect, title, note);
    item->setVisible(true);
    usedFrames.insert(key);
    return item;
}

void DiagramScene::relayout(LayoutTiming timing)
{
    QElapsedTimer timer;
    timer.start();
    if (!m_structureDirty
        && std::none_of(m_changed.cbegin(), m_changed.cend(),
                        [this](SocketId id) { return needsLayout(id); })) {
        const qint64 sinceNumbers
                = m_numbersClock.isValid() ? m_numbersClock.elapsed() : kNumbersIntervalMs;
        if (timing == LayoutTiming::WhenDue && sinceNumbers < kNumbersIntervalMs) {
            m_relayoutTimer.start(int(kNumbersIntervalMs - sinceNumbers));
            return;
        }
        for (SocketId id : std::as_const(m_changed))
            updateNumbers(id);
        m_changed.clear();
        m_numbersClock.start();
        m_lastRelayoutNs = timer.nsecsElapsed();
        return;
    }
    m_structureDirty = false;
    m_changed.clear();

    // Every socket, the registry's and the fading ones, in order of appearance (ids grow).
    QList<SocketId> order = m_registry.ids();
    if (!m_ghosts.isEmpty()) {
        for (auto it = m_ghosts.cbegin(); it != m_ghosts.cend(); ++it)
            order.append(it.key());
        std::sort(order.begin(), order.end());
    }

    QList<SocketId> listeners;
    QList<SocketId> udpServers;
    QList<SocketId> udpConnected;
    QList<SocketId> udpClients;
    QList<Row> rows;
    QHash<QString, int> rowOfKey;
    qsizetype serverSideCount = 0;
    qsizetype childCount = 0;
    qsizetype threadCount = 0;
    for (SocketId id : order) {
        const SocketRecord *record = recordFor(id);
        if (!record)
            continue;
        switch (record->role) {
        case SocketRole::TcpListener:
            listeners.append(id);
            continue;
        case SocketRole::UdpServer:
            // A connected per-client socket has a remote end; the taught one does not.
            (record->remote ? udpConnected : udpServers).append(id);
            continue;
        case SocketRole::UdpClient:
            udpClients.append(id);
            continue;
        default:
            break;
        }
        if (record->protocol == Protocol::Udp) {
            udpClients.append(id);
            continue;
        }
        const bool rightSide = record->role == SocketRole::TcpServerSide;
        serverSideCount += rightSide ? 1 : 0;
        if (rightSide && isInChildProcess(*record))
            ++childCount;
        else if (rightSide && record->threadId != 0)
            ++threadCount;
        const QString key = pairKey(*record);
        auto found = key.isEmpty() ? rowOfKey.end() : rowOfKey.find(key);
        if (found != rowOfKey.end()) {
            Row &row = rows[*found];
            SocketId &slot = rightSide ? row.right : row.left;
            if (slot == InvalidSocketId) {
                slot = id;
                continue;
            }
        }
        Row row;
        row.key = key;
        (rightSide ? row.right : row.left) = id;
        if (!key.isEmpty())
            rowOfKey.insert(key, static_cast<int>(rows.size()));
        rows.append(row);
    }

    QSet<SocketId> shown;
    QSet<QString> usedTexts;
    QSet<QString> usedFrames;
    QSet<QString> usedConnections;
    const DiagramPalette &p = m_palette;
    QFont sectionFont = p.noteFont;
    sectionFont.setPixelSize(14);
    sectionFont.setBold(true);
    QFont noteItalic = p.noteFont;
    noteItalic.setItalic(true);
    m_hiddenCount = 0;

    // The host: every socket drawn here lives on this one machine.
    const SocketRecord *firstListener
            = listeners.isEmpty() ? nullptr : recordFor(listeners.first());
    const QHostAddress hostAddress
            = firstListener ? firstListener->local.address : QHostAddress(QHostAddress::LocalHost);
    const QString hostTitle
            = isLoopback(hostAddress)
                      ? tr("Host %1 (this machine, loopback)").arg(hostAddress.toString())
                      : tr("Host (this machine)");
    qreal y = 40;
    text(QStringLiteral("host-title"), hostTitle, QPointF(kLeftX - 8, y - 8), p.titleFont, p.text,
         usedTexts);
    const quint16 listenPort = firstListener ? firstListener->local.port : 0;
    QString summary;
    if (firstListener)
        summary = tr("TCP: %1 listening + %2 server-side sockets, all on local port %3")
                          .arg(listeners.size())
                          .arg(serverSideCount)
                          .arg(listenPort);
    else if (serverSideCount)
        summary = tr("TCP: no listener; %1 server-side sockets live on").arg(serverSideCount);
    QGraphicsSimpleTextItem *summaryItem = text(QStringLiteral("host-summary"), summary, QPointF(),
                                                p.noteFont, p.mutedText, usedTexts);
    summaryItem->setPos(kHostLeft + kHostWidth - 20 - summaryItem->boundingRect().width(), y - 4);

    // ---- TCP ----
    y += 40;
    text(QStringLiteral("tcp-clients-title"), tr("TCP clients"), QPointF(kLeftX - 8, y),
         sectionFont, p.mutedText, usedTexts);
    text(QStringLiteral("tcp-server-title"),
         childCount ? tr("TCP server — a child process per client, each holding one "
                         "accepted socket")
         : threadCount
                 ? tr("TCP server — one process, a thread per client")
                 : tr("TCP server — one process, one listening socket, one accepted socket per "
                      "client"),
         QPointF(kServerFrameX, y), sectionFont, p.mutedText, usedTexts);
    y += 28;
    const qreal serverTop = y;
    qreal serverY = serverTop + 34;
    for (SocketId id : listeners) {
        SocketItem *item = placeSocket(id, QPointF(kServerCardX, serverY), kServerCardWidth,
                                       tr("listening socket"), shown);
        item->setZValue(1);
        const SocketRecord *record = recordFor(id);
        AcceptQueueItem *&queue = m_queues[id];
        if (!queue) {
            queue = new AcceptQueueItem(&m_palette);
            addItem(queue);
        }
        queue->setPos(kServerCardX + kServerCardWidth + 20, serverY + SocketItem::BoxTop - 6);
        queue->setQueue(record->recvQ(), record->sendQ(), record->kernel.has_value());
        serverY += kRowPitch;
    }
    for (auto it = m_queues.begin(); it != m_queues.end();) {
        if (!listeners.contains(it.key())) {
            delete it.value();
            it = m_queues.erase(it);
        } else {
            ++it;
        }
    }
    if (listeners.isEmpty()) {
        text(QStringLiteral("no-listener"),
             tr("no listening socket: new clients are refused, accepted ones live on"),
             QPointF(kServerCardX, serverY + 6), noteItalic, p.mutedText, usedTexts);
        serverY += 40;
    }

    const qsizetype rowLimit
            = m_showAll ? rows.size() : qMin<qsizetype>(rows.size(), m_collapseLimit);
    qreal rowY = serverY;
    bool connectArrowShown = false;
    if (!rows.isEmpty() && firstListener) {
        const QGraphicsSimpleTextItem *note
                = text(QStringLiteral("connect-note"),
                       tr("each client's connect() reaches the listener;\naccept() then gives the "
                          "server a new socket for it"),
                       QPointF(kLeftX + 140, serverTop + 30), p.noteFont, p.mutedText, usedTexts);
        if (const SocketItem *listener = m_items.value(firstListener->id);
            listener && listener->isVisible()) {
            if (!m_connectArrow) {
                m_connectArrow = new GuideArrowItem(&m_palette);
                addItem(m_connectArrow);
            }
            const QRectF box = note->sceneBoundingRect();
            m_connectArrow->setEnds(QPointF(box.right() + 8, box.center().y()),
                                    listener->leftAnchor() - QPointF(4, 0));
            connectArrowShown = true;
        }
    }
    if (m_connectArrow)
        m_connectArrow->setVisible(connectArrowShown);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const Row &row = rows.at(i);
        if (i >= rowLimit) {
            m_hiddenCount += (row.left ? 1 : 0) + (row.right ? 1 : 0);
            continue;
        }
        SocketItem *left = nullptr;
        SocketItem *right = nullptr;
        if (row.left) {
            const SocketRecord *record = recordFor(row.left);
            // A kernel-only client socket outlived the client that closed it (TIME_WAIT):
            // it gets no client number, which belongs to a program, not to the kernel.
            const QString caption
                    = record->role == SocketRole::ExternalPeer ? (
                              record->program.isEmpty() ? tr("external client") : record->program)
                      : record->kernelOnly
                              ? tr("closed client (kernel only)")
                              : tr("client %1").arg(clientNumber(row.left, Protocol::Tcp));
            left = placeSocket(row.left, QPointF(kLeftX, rowY), kCardWidth,
                               withFlowControlNote(caption, *record), shown);
        }
        if (row.right) {
            const SocketRecord *record = recordFor(row.right);
            // Kernel-only on the server side: completed by the kernel but not yet accepted, or
            // left behind after the server's socket was closed.
            const bool queued = record->effectiveState() == SocketState::SynRecv
                                || record->effectiveState() == SocketState::Established;
            QString caption = !record->kernelOnly ? tr("accepted socket")
                              : queued            ? tr("in the accept queue (kernel only)")
                                                  : tr("closed (kernel only)");
            // The worker that holds the socket gets a box of its own, as in the textbook figure.
            QString worker;
            if (isInChildProcess(*record)) {
                caption = tr("child process");
                worker = tr("its own process");
            } else if (record->threadId != 0) {
                caption = tr("worker thread %1").arg(record->threadId);
                worker = tr("a thread of the server process");
            }
            right = placeSocket(row.right, QPointF(kServerCardX + 30, rowY), kServerCardWidth - 30,
                                withFlowControlNote(caption, *record), shown);
            if (!worker.isEmpty()) {
                FrameItem *box = frame(QStringLiteral("worker-%1").arg(row.right), true,
                                       QRectF(kServerCardX + 20, rowY - 6, kServerCardWidth - 10,
                                              SocketItem::Height + 12),
                                       QString(), QString(), usedFrames);
                box->setZValue(-5);
                box->setToolTip(worker);
            }
        }
        if (left && right) {
            ConnectionItem *&line = m_connections[row.key];
            if (!line) {
                line = new ConnectionItem(&m_palette);
                addItem(line);
            }
            const SocketRecord *a = recordFor(row.left);
            const SocketRecord *b = recordFor(row.right);
            line->setEnds(left->rightAnchor(), right->leftAnchor(), b->effectiveState(),
                          a->kernelOnly || b->kernelOnly);
            line->setVisible(true);
            m_connectionOf.insert(row.left, row.key);
            m_connectionOf.insert(row.right, row.key);
            usedConnections.insert(row.key);
        }
        rowY += kRowPitch;
    }
    if (rows.size() > rowLimit) {
        QGraphicsSimpleTextItem *more
                = text(QStringLiteral("more-rows"),
                       tr("+ %1 more connections — click to show all").arg(rows.size() - rowLimit),
                       QPointF(kLeftX, rowY), p.captionFont, p.stateColour(SocketState::Listen),
                       usedTexts);
        m_moreItem = more;
        rowY += 40;
    } else if (m_showAll && rows.size() > m_collapseLimit) {
        m_moreItem = text(QStringLiteral("more-rows"), tr("show fewer connections"),
                          QPointF(kLeftX, rowY), p.captionFont, p.stateColour(SocketState::Listen),
                          usedTexts);
        rowY += 40;
    } else {
        m_moreItem = nullptr;
    }
    if (serverSideCount > 1 && firstListener) {
        text(QStringLiteral("port-sharing"),
             tr("same local %1 — the highlighted remote end tells them apart")
                     .arg(firstListener->local.toString()),
             QPointF(kServerCardX + 30, rowY - 14), sectionFont, p.stateColour(SocketState::Listen),
             usedTexts);
        rowY += 20;
    }
    frame(QStringLiteral("tcp-server-process"), true,
          QRectF(kServerFrameX, serverTop, kServerFrameWidth, qMax(rowY, serverY) - serverTop + 6),
          childCount ? tr("server: parent process and its children") : tr("server process"),
          (childCount ? tr("parent pid %1 holds only the listener") : tr("pid %1"))
                  .arg(firstListener ? firstListener->pid : QCoreApplication::applicationPid()),
          usedFrames);
    y = qMax(rowY, serverY) + 30;

    // ---- UDP ----
    text(QStringLiteral("udp-clients-title"), tr("UDP clients"), QPointF(kLeftX - 8, y),
         sectionFont, p.mutedText, usedTexts);
    text(QStringLiteral("udp-server-title"),
         tr("UDP server — one socket, datagrams handled one after another"),
         QPointF(kServerFrameX, y), sectionFont, p.mutedText, usedTexts);
    y += 28;
    const qreal udpTop = y;
    qreal udpServerY = udpTop + 34;
    for (SocketId id : udpServers) {
        placeSocket(id, QPointF(kServerCardX, udpServerY), kServerCardWidth,
                    tr("the server's one UDP socket"), shown);
        const SocketRecord *record = recordFor(id);
        text(QStringLiteral("udp-note-%1").arg(id),
             tr("identified by its local address only — netstat shows no state for UDP"),
             QPointF(kServerCardX + 14, udpServerY + SocketItem::Height + 4), noteItalic,
             p.mutedText, usedTexts);
        const UdpServerNotes notes = udpServerNotes(*record);
        text(QStringLiteral("udp-queue-%1").arg(id), notes.queue,
             QPointF(kServerCardX + 14, udpServerY + SocketItem::Height + 24), p.noteFont, p.text,
             usedTexts);
        if (!notes.activity.isEmpty())
            text(QStringLiteral("udp-activity-%1").arg(id), notes.activity,
                 QPointF(kServerCardX + 14, udpServerY + SocketItem::Height + 44), p.noteFont,
                 p.text, usedTexts);
        udpServerY += SocketItem::Height + 80;
    }
    for (SocketId id : udpConnected) {
        const SocketRecord *record = recordFor(id);
        placeSocket(id, QPointF(kServerCardX + 30, udpServerY), kServerCardWidth - 30,
                    tr("connected socket for %1").arg(record->remote->toString()), shown);
        udpServerY += kRowPitch;
    }
    if (!udpConnected.isEmpty()) {
        text(QStringLiteral("udp-connected-note"),
             tr("same local port: the kernel hands each client's datagrams to the socket "
                "connected to it, by the full 4-tuple"),
             QPointF(kServerCardX + 14, udpServerY - 10), noteItalic, p.mutedText, usedTexts);
        udpServerY += 24;
    }
    if (udpServers.isEmpty()) {
        text(QStringLiteral("no-udp-server"), tr("no UDP server socket"),
             QPointF(kServerCardX, udpServerY + 6), noteItalic, p.mutedText, usedTexts);
        udpServerY += 40;
    }
    frame(QStringLiteral("udp-server-process"), true,
          QRectF(kServerFrameX, udpTop, kServerFrameWidth, udpServerY - udpTop),
          tr("server process"),
          tr("pid %1 (same process, no children)").arg(QCoreApplication::applicationPid()),
          usedFrames);
    qreal udpY = udpTop + 34;
    const qsizetype udpLimit
            = m_showAll ? udpClients.size() : qMin<qsizetype>(udpClients.size(), m_collapseLimit);
    m_udpClientByLocal.clear();
    for (qsizetype i = 0; i < udpClients.size(); ++i) {
        const SocketId id = udpClients.at(i);
        const SocketRecord *record = recordFor(id);
        m_udpClientByLocal.insert(record->local.toString(), id);
        if (i >= udpLimit) {
            ++m_hiddenCount;
            continue;
        }
        const QString caption
                = record->role == SocketRole::UdpClient
                          ? tr("udp client %1").arg(clientNumber(id, Protocol::Udp))
                          : (record->program.isEmpty() ? tr("external sender") : record->program);
        placeSocket(id, QPointF(kLeftX, udpY), kCardWidth, caption, shown);
        udpY += kRowPitch;
    }
    m_rowsShown = qMin(rows.size(), rowLimit) + qMin(udpClients.size(), udpLimit);
    m_sectionsWithRows = (rows.isEmpty() ? 0 : 1) + (udpClients.isEmpty() ? 0 : 1);
    if (udpClients.size() > udpLimit) {
        text(QStringLiteral("more-udp"),
             tr("+ %1 more UDP clients").arg(udpClients.size() - udpLimit), QPointF(kLeftX, udpY),
             p.captionFont, p.stateColour(SocketState::Unconnected), usedTexts);
        udpY += 40;
    }
    y = qMax(udpY, udpServerY) + 20;

    m_legend->setPos(kLeftX - 8, y);
    y += 50;
    frame(QStringLiteral("host"), false, QRectF(kHostLeft, 20, kHostWidth, y - 20), QString(),
          QString(), usedFrames);
    // The host frame is drawn as a plain rounded outline behind everything.
    if (FrameItem *host = m_frames.value(QStringLiteral("host")))
        host->setZValue(-20);

    // Drop what this layout did not place.
    for (auto it = m_items.begin(); it != m_items.end();) {
        if (!shown.contains(it.key()) && !m_ghosts.contains(it.key())) {
            delete it.value();
            m_lastRecords.remove(it.key());
            it = m_items.erase(it);
        } else {
            if (!shown.contains(it.key()))
                it.value()->setVisible(false);
            ++it;
        }
    }
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (!usedConnections.contains(it.key())) {
            delete it.value();
            it = m_connections.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_connectionOf.begin(); it != m_connectionOf.end();) {
        if (!usedConnections.contains(it.value()))
            it = m_connectionOf.erase(it);
        else
            ++it;
    }
    for (auto it = m_texts.begin(); it != m_texts.end(); ++it)
        it.value()->setVisible(usedTexts.contains(it.key()));
    for (auto it = m_frames.begin(); it != m_frames.end(); ++it)
        it.value()->setVisible(usedFrames.contains(it.key()));

    placeRoutes();
    setSceneRect(QRectF(0, 0, kHostLeft * 2 + kHostWidth, y + 20));
    m_lastRelayoutNs = timer.nsecsElapsed();
}

void DiagramScene::onTraffic(SocketId id, TrafficDirection direction, qint64, const Endpoint &peer,
                             bool isDatagram)
{
    // Each byte is reported twice (sent by one end, received by the other); animating only
    // the sending side draws every message exactly once.
    if (direction != TrafficDirection::Sent)
        return;
    const SocketRecord *record = m_registry.find(id);
    SocketItem *item = m_items.value(id);
    if (!record || !item || !item->isVisible())
        return;
    if (!isDatagram) {
        const QString key = m_connectionOf.value(id);
        if (ConnectionItem *line = m_connections.value(key)) {
            line->addPulse(record->role == SocketRole::TcpServerSide ? -1 : +1);
            startAnimation();
        }
        return;
    }
    SocketItem *target = nullptr;
    QString label;
    const bool isReply = record->role == SocketRole::UdpServer;
    if (isReply) {
        // A client bound to the any-address is known locally as *:port; the datagram it sent
        // carried the concrete source address the kernel chose.
        SocketId client = m_udpClientByLocal.value(peer.toString());
        if (client == InvalidSocketId)
            client = m_udpClientByLocal.value(Endpoint{QHostAddress(), peer.port}.toString());
        target = m_items.value(client);
        label = tr("reply → :%1").arg(peer.port);
    } else {
        // A socket connected to this very client takes its datagrams first (4-tuple match).
        SocketId server = m_registry.findByTuple(Protocol::Udp, peer, record->local);
        if (!m_items.contains(server))
            server = m_registry.findByTuple(Protocol::Udp, peer, std::nullopt);
        target = m_items.value(server);
        if (!target) {
            // Bound to the any-address: look for a UDP server on the same port.
            for (SocketItem *candidate : std::as_const(m_items)) {
                const SocketRecord *r = m_registry.find(candidate->socketId());
                if (r && r->role == SocketRole::UdpServer && r->local.port == peer.port) {
                    target = candidate;
                    break;
                }
            }
        }
        label = tr("src :%1").arg(record->local.port);
    }
    if (!target || !target->isVisible())
        return;
    SocketItem *client = isReply ? target : item;
    SocketItem *server = isReply ? item : target;
    touchRoute(client, server);
    startAnimation();
    if (m_datagrams.size() >= kMaxFlyingDatagrams)
        return; // the counters still count it; the picture shows a steady stream

    // Requests fly just above the route, replies just below it, so both can be read at once.
    DatagramItem *datagram = nullptr;
    if (isReply) {
        const QPointF below(0, DatagramItem::PathOffset);
        datagram = new DatagramItem(&m_palette, label, server->leftAnchor() + below,
                                    client->rightAnchor() + QPointF(14, 0) + below, 0.7,
                                    DatagramItem::LabelSide::Below);
    } else {
        const QPointF above(0, -DatagramItem::PathOffset);
        datagram = new DatagramItem(&m_palette, label,
                                    client->rightAnchor() + QPointF(14, 0) + above,
                                    server->leftAnchor() - QPointF(14, 0) + above, 0.7);
    }
    addItem(datagram);
    m_datagrams.append(datagram);
}

void DiagramScene::touchRoute(SocketItem *client, SocketItem *server)
{
    DatagramRouteItem *&route = m_routes[{client->socketId(), server->socketId()}];
    if (!route) {
        route = new DatagramRouteItem(&m_palette);
        addItem(route);
    }
    route->setEnds(client->rightAnchor(), server->leftAnchor());
    route->touch();
}

void DiagramScene::placeRoutes()
{
    // Rows move when others fold or fade; a route follows its two sockets, and goes with
    // either of them.
    for (auto it = m_routes.begin(); it != m_routes.end();) {
        const SocketItem *client = m_items.value(it.key().first);
        const SocketItem *server = m_items.value(it.key().second);
        if (client && server && client->isVisible() && server->isVisible()) {
            it.value()->setEnds(client->rightAnchor(), server->leftAnchor());
            ++it;
        } else {
            delete it.value();
            it = m_routes.erase(it);
        }
    }
}

void DiagramScene::startAnimation()
{
    if (!m_animationTimer.isActive()) {
        m_animationClock.start();
        m_animationTimer.start();
    }
}

void DiagramScene::animate()
{
    const qreal seconds = qMin(static_cast<qreal>(m_animationClock.restart()) / 1000.0, 0.1);
    bool moving = false;
    for (ConnectionItem *line : std::as_const(m_connections))
        moving |= line->advanceBy(seconds);
    moving |= advanceOrDelete(m_routes, seconds);
    moving |= advanceOrDelete(m_datagrams, seconds);
    bool ghostsGone = false;
    for (auto it = m_ghosts.begin(); it != m_ghosts.end();) {
        it->opacity -= seconds / kFadeSeconds;
        SocketItem *item = m_items.value(it.key());
        if (it->opacity <= 0 || !item) {
            if (item) {
                m_items.remove(it.key());
                delete item;
            }
            m_clientNumbers.remove(it.key());
            it = m_ghosts.erase(it);
            ghostsGone = true;
        } else {
            item->setOpacity(it->opacity);
            moving = true;
            ++it;
        }
    }
    if (ghostsGone)
        scheduleStructure();
    if (!moving)
        m_animationTimer.stop(); // nothing moves: no timer, no wake-ups
}

void DiagramScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_moreItem && event->button() == Qt::LeftButton) {
        const QList<QGraphicsItem *> hits = items(event->scenePos());
        if (hits.contains(m_moreItem)) {
            setShowAll(!m_showAll);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void DiagramScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (item->type() != SocketItemType)
            continue;
        const SocketRecord *record = m_registry.find(static_cast<SocketItem *>(item)->socketId());
        if (record && record->role == SocketRole::TcpListener) {
            Q_EMIT spawnClientRequested(Protocol::Tcp);
            return;
        }
        if (record && record->role == SocketRole::UdpServer) {
            Q_EMIT spawnClientRequested(Protocol::Udp);
            return;
        }
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void DiagramScene::helpEvent(QGraphicsSceneHelpEvent *event)
{
    // Tooltips are written when asked for, not on every layout: with thousands of sockets
    // and traffic flowing, formatting them all each frame would cost more than drawing.
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (item->type() != SocketItemType)
            continue;
        if (const SocketRecord *record = recordFor(static_cast<SocketItem *>(item)->socketId())) {
            QToolTip::showText(event->screenPos(), tooltipFor(*record));
            event->accept();
            return;
        }
    }
    QGraphicsScene::helpEvent(event);
}

void DiagramScene::contextMenuEvent(QGraphicsSceneContextMenuEvent *event)
{
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (auto *socketItem = qgraphicsitem_cast<SocketItem *>(item)) {
            if (!m_registry.contains(socketItem->socketId()))
                continue;
            selectSocket(socketItem->socketId());
            Q_EMIT socketContextMenuRequested(socketItem->socketId(), event->screenPos());
            event->accept();
            return;
        }
    }
    QGraphicsScene::contextMenuEvent(event);
}

} // namespace SocketScope
