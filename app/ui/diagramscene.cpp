// SPDX-License-Identifier: MIT
#include "diagramscene.h"

#include "diagramdecorations.h"
#include "diagramtext.h"
#include "presentationclock.h"
#include "trafficanimator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneHelpEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QToolTip>

#include <algorithm>

namespace SocketScope {

namespace {

// How often the numbers on cards (counters, queues) are redrawn while traffic flows: a
// counter that changes faster than this cannot be read anyway, and each redraw re-renders
// the card's text. Structure and state changes still show within one frame. Real time, not
// presentation time: a paused picture that is stepped must still show its numbers.
constexpr qint64 kNumbersIntervalNs = 250'000'000;
constexpr int kFrameMs = 16;

} // namespace

DiagramScene::DiagramScene(const SocketRegistry &registry, QObject *parent)
    : QGraphicsScene(parent),
      m_registry(registry),
      m_ownClock(std::make_unique<PresentationClock>(PresentationClock::monotonicNs))
{
    m_clock = m_ownClock.get();
    m_palette = DiagramPalette::fromPalette(QPalette());
    setBackgroundBrush(m_palette.background);
    setItemIndexMethod(QGraphicsScene::NoIndex); // items move often; the index would churn
    m_decorations = std::make_unique<DiagramDecorations>(*this, &m_palette);
    m_animator = new TrafficAnimator(*this, &m_palette, *m_clock, this);
    connect(m_animator, &TrafficAnimator::fadedOut, this, &DiagramScene::onFadedOut);

    // All changes that arrive within one frame become one relayout.
    m_relayoutTimer.setSingleShot(true);
    connect(&m_relayoutTimer, &QTimer::timeout, this, [this] { relayout(); });

    connect(&registry, &SocketRegistry::socketAdded, this, &DiagramScene::onAdded);
    connect(&registry, &SocketRegistry::replaced, this, [this] {
        // The moment before a seek fades no further: its cards go now. Their numbers stay:
        // back to live those sockets return, and "client 3" must still be client 3.
        m_seeking = true;
        m_animator->finishFades();
        m_seeking = false;
    });
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

void DiagramScene::setPresentationClock(const PresentationClock &clock)
{
    m_clock = &clock;
    m_animator->setClock(clock);
    m_numbersShownNs = -1;
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
    setCollapseLimit(DiagramLayout::collapseLimitToFit(sceneRect().height(), m_rowsShown,
                                                       m_sectionsWithRows, viewHeight / minZoom,
                                                       MinCollapseLimit, DefaultCollapseLimit));
}

void DiagramScene::setLayoutRoom(const QSizeF &room)
{
    if (room == m_room)
        return;
    m_room = room;
    scheduleStructure();
}

void DiagramScene::setFocusSockets(const QSet<SocketId> &focus)
{
    if (focus == m_focus)
        return;
    m_focus = focus;
    scheduleStructure();
}

void DiagramScene::releaseHold()
{
    if (m_held.isEmpty())
        return;
    m_held.clear();
    scheduleStructure(); // what changed meanwhile
    Q_EMIT layoutHoldReleased();
}

void DiagramScene::setShowAll(bool showAll)
{
    if (m_showAll == showAll)
        return;
    m_showAll = showAll;
    scheduleStructure();
}

qsizetype DiagramScene::flyingDatagramCount() const
{
    return m_animator->flyingDatagramCount();
}

qsizetype DiagramScene::datagramRouteCount() const
{
    return m_animator->routeCount();
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
    // A socket the picture does not show yet (slow motion has not reached it) is selected
    // when its card appears.
    m_selectWhenShown = id;
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
    const SocketRecord *record = m_registry.find(id);
    if (!record || !m_items.contains(id) || m_ghosts.contains(id))
        return false; // folded away, or fading: nothing on screen to update
    const auto last = m_lastRecords.constFind(id);
    return last == m_lastRecords.cend() || DiagramLayout::changesLayout(*last, *record);
}

void DiagramScene::updateNumbers(SocketId id)
{
    const SocketRecord *record = m_registry.find(id);
    SocketItem *item = m_items.value(id);
    if (!record || !item || m_ghosts.contains(id))
        return;
    SocketCard card = DiagramText::card(*record);
    card.caption = item->card().caption;
    item->setCard(card);
    m_lastRecords.insert(id, *record);
    if (AcceptQueueItem *queue = m_queues.value(id))
        queue->setQueue(record->recvQ(), record->sendQ(), record->kernel.has_value());
    if (record->role == SocketRole::UdpServer && !record->remote) {
        const DiagramText::UdpServerNotes notes
                = DiagramText::udpServerNotes(*record, m_compactCards);
        if (QGraphicsSimpleTextItem *queue = m_decorations->text(DiagramLayout::udpQueueKey(id)))
            queue->setText(notes.queue);
        if (QGraphicsSimpleTextItem *activity
            = m_decorations->text(DiagramLayout::udpActivityKey(id))) {
            activity->setText(notes.activity);
            activity->setVisible(!notes.activity.isEmpty());
        } else if (!notes.activity.isEmpty()) {
            m_structureDirty = true; // the line appears for the first time: lay it out
            scheduleRelayout();
        }
    }
}

void DiagramScene::scheduleRelayout()
{
    // Within a frame, even while number updates are being held back.
    if (!m_relayoutTimer.isActive() || m_relayoutTimer.remainingTime() > kFrameMs)
        m_relayoutTimer.start(kFrameMs);
}

void DiagramScene::onAdded(SocketId id)
{
    // Removed and back (a seek rebuilds the registry): the card shows the socket as it is.
    if (m_ghosts.remove(id) > 0) {
        m_animator->cancelFade(id);
        if (SocketItem *item = m_items.value(id))
            item->setEnabled(true);
    }
    scheduleStructure();
}

void DiagramScene::onRemoved(SocketId id)
{
    if (SocketItem *item = m_items.value(id)) {
        // The registry no longer has the record; keep what the item last showed.
        m_ghosts.insert(id, m_lastRecords.take(id));
        item->setEnabled(false);
        m_animator->fadeOut(id, item);
    } else {
        m_clientNumbers.forget(id);
    }
    scheduleStructure();
}

void DiagramScene::onFadedOut(SocketId id)
{
    delete m_items.take(id);
    if (!m_seeking)
        m_clientNumbers.forget(id);
    m_ghosts.remove(id);
    scheduleStructure(); // the rows below close up
}

const SocketRecord *DiagramScene::recordFor(SocketId id) const
{
    if (const SocketRecord *record = m_registry.find(id))
        return record;
    auto it = m_ghosts.constFind(id);
    return it == m_ghosts.cend() ? nullptr : &*it;
}

QString DiagramScene::tooltipText(SocketId id) const
{
    const SocketRecord *record = recordFor(id);
    return record ? DiagramText::tooltip(*record) : QString();
}

void DiagramScene::relayout(LayoutTiming timing)
{
    QElapsedTimer timer;
    timer.start();
    if (!m_structureDirty
        && std::none_of(m_changed.cbegin(), m_changed.cend(),
                        [this](SocketId id) { return needsLayout(id); })) {
        if (refreshNumbers(timing))
            m_lastRelayoutNs = timer.nsecsElapsed();
        return;
    }
    m_structureDirty = false;
    m_changed.clear();

    DiagramLayout::Options options;
    options.collapseLimit = m_collapseLimit;
    options.showAll = m_showAll;
    options.ownPid = QCoreApplication::applicationPid();
    options.clientNumber = [this](SocketId id, Protocol protocol) {
        return m_clientNumbers.numberFor(id, protocol);
    };
    options.width = m_room.width();
    options.height = m_room.height();
    options.focus = m_focus;
    const bool compact = DiagramLayout::isCompact(options);
    options.cardWidth = [this, compact](const SocketRecord &record) {
        return SocketItem::neededWidth(DiagramText::card(record), m_palette, compact);
    };
    apply(DiagramLayout::plan(recordsInOrder(), options));
    m_lastRelayoutNs = timer.nsecsElapsed();
}

bool DiagramScene::refreshNumbers(LayoutTiming timing)
{
    const qint64 now = m_clock->realNowNs();
    const qint64 since = m_numbersShownNs < 0 ? kNumbersIntervalNs : now - m_numbersShownNs;
    if (timing == LayoutTiming::WhenDue && since < kNumbersIntervalNs) {
        m_relayoutTimer.start(int((kNumbersIntervalNs - since + 999'999) / 1'000'000));
        return false;
    }
    for (SocketId id : std::as_const(m_changed))
        updateNumbers(id);
    m_changed.clear();
    m_numbersShownNs = now;
    return true;
}

QList<const SocketRecord *> DiagramScene::recordsInOrder() const
{
    // Every socket, the registry's and the fading ones, in order of appearance (ids grow).
    QList<SocketId> order = m_registry.ids();
    if (!m_ghosts.isEmpty()) {
        for (auto it = m_ghosts.cbegin(); it != m_ghosts.cend(); ++it)
            order.append(it.key());
        std::sort(order.begin(), order.end());
    }
    QList<const SocketRecord *> records;
    records.reserve(order.size());
    for (SocketId id : std::as_const(order)) {
        if (const SocketRecord *record = recordFor(id))
            records.append(record);
    }
    return records;
}

void DiagramScene::apply(const DiagramLayout::Plan &plan)
{
    m_hiddenCount = plan.hiddenSockets;
    m_rowsShown = plan.rowsShown;
    m_sectionsWithRows = plan.sectionsWithRows;
    m_udpClientByLocal = plan.udpClientByLocal;
    const auto shownItem = [this](SocketId id) -> const SocketItem * { return itemFor(id); };
    m_compactCards = plan.compact;
    m_legend->setVisible(plan.showLegend);
    placeCards(plan.cards);
    placeQueues(plan.queues);
    placeLines(plan.lines);
    m_decorations->apply(plan, shownItem);
    m_foldItems.clear();
    for (const QString &key : plan.foldKeys)
        if (QGraphicsItem *item = m_decorations->text(key))
            m_foldItems << item;
    m_legend->setPos(plan.legendPos);
    dropItemsNotIn(plan);
    m_animator->followSockets(shownItem);
    setSceneRect(plan.sceneRect);
}

void DiagramScene::placeCards(const QList<DiagramLayout::Card> &cards)
{
    for (const DiagramLayout::Card &placed : cards) {
        SocketItem *&item = m_items[placed.id];
        if (!item) {
            item = new SocketItem(placed.id, &m_palette, placed.width);
            addItem(item);
            if (placed.id == m_selectWhenShown && selectedItems().isEmpty())
                item->setSelected(true);
        }
        // A card under the pointer stays where it is until let go (releaseHold() lays it out).
        if (!m_held.contains(placed.id)) {
            item->setWidth(placed.width);
            item->setPos(placed.pos);
            item->setCompact(m_compactCards);
        }
        item->setVisible(true);
        if (placed.raised)
            item->setZValue(1);
        // A fading socket keeps the card it had when it closed.
        if (m_ghosts.contains(placed.id))
            continue;
        const SocketRecord *record = m_registry.find(placed.id);
        SocketCard card = DiagramText::card(*record);
        card.caption = placed.caption;
        item->setCard(card);
        m_lastRecords.insert(placed.id, *record);
    }
}

void DiagramScene::placeQueues(const QList<DiagramLayout::Queue> &queues)
{
    QSet<SocketId> listeners;
    for (const DiagramLayout::Queue &placed : queues) {
        AcceptQueueItem *&queue = m_queues[placed.listener];
        if (!queue) {
            queue = new AcceptQueueItem(&m_palette);
            addItem(queue);
        }
        queue->setPos(placed.pos);
        const SocketRecord *record = recordFor(placed.listener);
        queue->setQueue(record->recvQ(), record->sendQ(), record->kernel.has_value());
        listeners.insert(placed.listener);
    }
    for (auto it = m_queues.begin(); it != m_queues.end();) {
        if (!listeners.contains(it.key())) {
            delete it.value();
            it = m_queues.erase(it);
        } else {
            ++it;
        }
    }
}

void DiagramScene::placeLines(const QList<DiagramLayout::Line> &lines)
{
    m_connectionOf.clear();
    for (const DiagramLayout::Line &placed : lines) {
        const SocketItem *left = m_items.value(placed.left);
        const SocketItem *right = m_items.value(placed.right);
        ConnectionItem *&line = m_connections[placed.key];
        if (!line) {
            line = new ConnectionItem(&m_palette);
            addItem(line);
        }
        const SocketRecord *a = recordFor(placed.left);
        const SocketRecord *b = recordFor(placed.right);
        line->setEnds(left->rightAnchor(), right->leftAnchor(), b->effectiveState(),
                      DiagramText::heldByNoProgram(*a) || DiagramText::heldByNoProgram(*b));
        line->setVisible(true);
        m_connectionOf.insert(placed.left, placed.key);
        m_connectionOf.insert(placed.right, placed.key);
    }
}

void DiagramScene::dropItemsNotIn(const DiagramLayout::Plan &plan)
{
    QSet<SocketId> shown;
    for (const DiagramLayout::Card &card : plan.cards)
        shown.insert(card.id);
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
    QSet<QString> lines;
    for (const DiagramLayout::Line &line : plan.lines)
        lines.insert(line.key);
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (!lines.contains(it.key())) {
            m_animator->forgetLine(it.value());
            delete it.value();
            it = m_connections.erase(it);
        } else {
            ++it;
        }
    }
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
        if (ConnectionItem *line = m_connections.value(m_connectionOf.value(id)))
            m_animator->pulse(line, record->role == SocketRole::TcpServerSide ? -1 : +1);
        return;
    }
    const SocketItem *target = datagramTarget(*record, peer);
    if (!target || !target->isVisible())
        return;
    const bool isReply = record->role == SocketRole::UdpServer;
    m_animator->sendDatagram(
            isReply ? *target : *item, isReply ? *item : *target, isReply,
            DiagramText::datagramLabel(isReply, isReply ? peer.port : record->local.port));
}

SocketItem *DiagramScene::datagramTarget(const SocketRecord &record, const Endpoint &peer) const
{
    if (record.role == SocketRole::UdpServer) {
        // A client bound to the any-address is known locally as *:port; the datagram it sent
        // carried the concrete source address the kernel chose.
        SocketId client = m_udpClientByLocal.value(peer.toString());
        if (client == InvalidSocketId)
            client = m_udpClientByLocal.value(Endpoint{QHostAddress(), peer.port}.toString());
        return m_items.value(client);
    }
    // A socket connected to this very client takes its datagrams first (4-tuple match).
    SocketId server = m_registry.findByTuple(Protocol::Udp, peer, record.local);
    if (!m_items.contains(server))
        server = m_registry.findByTuple(Protocol::Udp, peer, std::nullopt);
    if (SocketItem *target = m_items.value(server))
        return target;
    // Bound to the any-address: look for a UDP server on the same port.
    for (SocketItem *candidate : std::as_const(m_items)) {
        const SocketRecord *r = m_registry.find(candidate->socketId());
        if (r && r->role == SocketRole::UdpServer && r->local.port == peer.port)
            return candidate;
    }
    return nullptr;
}

void DiagramScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_foldItems.isEmpty() && event->button() == Qt::LeftButton) {
        const QList<QGraphicsItem *> hits = items(event->scenePos());
        if (std::any_of(hits.cbegin(), hits.cend(),
                        [this](QGraphicsItem *hit) { return m_foldItems.contains(hit); })) {
            setShowAll(!m_showAll);
            event->accept();
            return;
        }
    }
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (const auto *socketItem = qgraphicsitem_cast<SocketItem *>(item)) {
            hold(socketItem->socketId());
            break;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void DiagramScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->buttons() == Qt::NoButton)
        releaseHold();
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
            QToolTip::showText(event->screenPos(), DiagramText::tooltip(*record));
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
            // The menu runs its own event loop: relayouts meanwhile leave this card alone.
            hold(socketItem->socketId());
            Q_EMIT socketContextMenuRequested(socketItem->socketId(), event->screenPos());
            releaseHold();
            event->accept();
            return;
        }
    }
    QGraphicsScene::contextMenuEvent(event);
}

} // namespace SocketScope
