// SPDX-License-Identifier: MIT
#include "trafficanimator.h"

#include "presentationclock.h"

#include <QGraphicsScene>

namespace SocketScope {

namespace {

constexpr int kFrameMs = 16;
// A frame later than this (the window was busy) moves things on by this much, not by the
// whole stall: a datagram is seen flying rather than jumping to its end.
constexpr qreal kMaxFrameSeconds = 0.1;

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

TrafficAnimator::TrafficAnimator(QGraphicsScene &scene, const DiagramPalette *palette,
                                 const PresentationClock &clock, QObject *parent)
    : QObject(parent), m_scene(scene), m_palette(palette)
{
    m_frameTimer.setInterval(kFrameMs);
    connect(&m_frameTimer, &QTimer::timeout, this, &TrafficAnimator::advanceFrame);
    setClock(clock);
}

void TrafficAnimator::setClock(const PresentationClock &clock)
{
    if (m_clock == &clock)
        return;
    disconnect(m_clockConnection);
    m_clock = &clock;
    m_clockConnection = connect(m_clock, &PresentationClock::speedChanged, this,
                                &TrafficAnimator::onSpeedChanged);
    m_lastFrameNs = m_clock->nowNs();
}

void TrafficAnimator::pulse(ConnectionItem *line, int direction)
{
    line->addPulse(direction);
    m_pulsing.insert(line);
    start();
}

void TrafficAnimator::forgetLine(ConnectionItem *line)
{
    m_pulsing.remove(line);
}

void TrafficAnimator::sendDatagram(const SocketItem &client, const SocketItem &server, bool isReply,
                                   const QString &label)
{
    touchRoute(client, server);
    start();
    if (m_datagrams.size() >= MaxFlyingDatagrams)
        return;
    // Requests fly just above the route, replies just below it, so both can be read at once.
    DatagramItem *datagram = nullptr;
    if (isReply) {
        const QPointF below(0, DatagramItem::PathOffset);
        datagram = new DatagramItem(m_palette, label, server.leftAnchor() + below,
                                    client.rightAnchor() + QPointF(14, 0) + below,
                                    DatagramFlightSeconds, DatagramItem::LabelSide::Below);
    } else {
        const QPointF above(0, -DatagramItem::PathOffset);
        datagram = new DatagramItem(m_palette, label, client.rightAnchor() + QPointF(14, 0) + above,
                                    server.leftAnchor() - QPointF(14, 0) + above,
                                    DatagramFlightSeconds);
    }
    datagram->setSockets(client.socketId(), server.socketId());
    m_scene.addItem(datagram);
    m_datagrams.append(datagram);
}

void TrafficAnimator::touchRoute(const SocketItem &client, const SocketItem &server)
{
    DatagramRouteItem *&route = m_routes[{client.socketId(), server.socketId()}];
    if (!route) {
        route = new DatagramRouteItem(m_palette);
        m_scene.addItem(route);
    }
    route->setEnds(client.rightAnchor(), server.leftAnchor());
    route->touch();
}

void TrafficAnimator::fadeOut(SocketId id, SocketItem *item)
{
    m_fades.insert(id, {item, 1.0});
    start();
}

void TrafficAnimator::cancelFade(SocketId id)
{
    const auto it = m_fades.constFind(id);
    if (it == m_fades.cend())
        return;
    it->item->setOpacity(1.0);
    m_fades.erase(it);
}

void TrafficAnimator::finishFades()
{
    const QList<SocketId> faded = m_fades.keys();
    m_fades.clear();
    for (SocketId id : faded)
        Q_EMIT fadedOut(id);
}

void TrafficAnimator::followSockets(const std::function<const SocketItem *(SocketId)> &itemFor)
{
    const auto shown = [&itemFor](SocketId id) {
        const SocketItem *item = itemFor(id);
        return item && item->isVisible();
    };
    // In flight to a socket that is now folded away: it would land on whatever took its place.
    for (auto it = m_datagrams.begin(); it != m_datagrams.end();) {
        if (shown((*it)->clientSocket()) && shown((*it)->serverSocket())) {
            ++it;
            continue;
        }
        delete *it;
        it = m_datagrams.erase(it);
    }
    for (auto it = m_routes.begin(); it != m_routes.end();) {
        const SocketItem *client = itemFor(it.key().first);
        const SocketItem *server = itemFor(it.key().second);
        if (client && server && client->isVisible() && server->isVisible()) {
            it.value()->setEnds(client->rightAnchor(), server->leftAnchor());
            ++it;
        } else {
            delete it.value();
            it = m_routes.erase(it);
        }
    }
}

void TrafficAnimator::start()
{
    if (m_frameTimer.isActive() || m_clock->isStill())
        return;
    m_lastFrameNs = m_clock->nowNs();
    m_frameTimer.start();
}

void TrafficAnimator::onSpeedChanged()
{
    // Measured afresh from here: back to live the clock catches up with real time, and that
    // jump is not time anything spent moving.
    m_lastFrameNs = m_clock->nowNs();
    if (m_clock->isStill())
        m_frameTimer.stop();
    else if (hasWork())
        start();
}

bool TrafficAnimator::hasWork() const
{
    return !m_pulsing.isEmpty() || !m_datagrams.isEmpty() || !m_routes.isEmpty()
           || !m_fades.isEmpty();
}

void TrafficAnimator::advanceFrame()
{
    const qint64 now = m_clock->nowNs();
    const qreal seconds = qMin(static_cast<qreal>(now - m_lastFrameNs) / 1e9, kMaxFrameSeconds);
    m_lastFrameNs = now;
    for (auto it = m_pulsing.begin(); it != m_pulsing.end();) {
        if ((*it)->advanceBy(seconds))
            ++it;
        else
            it = m_pulsing.erase(it);
    }
    advanceOrDelete(m_routes, seconds);
    advanceOrDelete(m_datagrams, seconds);
    QList<SocketId> faded;
    for (auto it = m_fades.begin(); it != m_fades.end();) {
        it->opacity -= seconds / FadeSeconds;
        if (it->opacity <= 0) {
            faded.append(it.key());
            it = m_fades.erase(it);
        } else {
            it->item->setOpacity(it->opacity);
            ++it;
        }
    }
    for (SocketId id : std::as_const(faded))
        Q_EMIT fadedOut(id);
    if (!hasWork() || m_clock->isStill())
        m_frameTimer.stop(); // nothing moves: no timer, no wake-ups
}

} // namespace SocketScope
