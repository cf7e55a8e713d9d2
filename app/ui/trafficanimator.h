// SPDX-License-Identifier: MIT
#pragma once

#include "diagramitems.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class QGraphicsScene;

namespace SocketScope {

class PresentationClock;

// Everything in the diagram that moves: pulses along connections, datagrams in flight, the
// routes they leave (fading once their sender goes quiet) and closed sockets fading out. It
// moves them on the presentation clock, not on the wall clock: in slow motion at 0.25x a
// flight takes four times as long, and while the picture is paused nothing moves.
//
// A frame timer asks the clock how far to go each frame and stops itself when nothing
// moves (or the clock stands still); tests call advanceFrame() after moving their clock.
class TrafficAnimator : public QObject
{
    Q_OBJECT
public:
    static constexpr qreal DatagramFlightSeconds = 0.7; // presentation time
    static constexpr qreal FadeSeconds = 0.8;
    // Beyond this many envelopes in the air the counters still count, and the picture
    // shows a steady stream.
    static constexpr int MaxFlyingDatagrams = 40;

    TrafficAnimator(QGraphicsScene &scene, const DiagramPalette *palette,
                    const PresentationClock &clock, QObject *parent = nullptr);

    void setClock(const PresentationClock &clock);

    // A message crossed a connection: direction +1 from the line's start, -1 towards it.
    void pulse(ConnectionItem *line, int direction);
    // The line is about to be deleted.
    void forgetLine(ConnectionItem *line);
    // A datagram between a client's card and a server socket's card, in either direction.
    void sendDatagram(const SocketItem &client, const SocketItem &server, bool isReply,
                      const QString &label);
    // Fades the item out; fadedOut(id) says when the scene may delete it.
    void fadeOut(SocketId id, SocketItem *item);
    // The socket is back (a seek to a moment it lived in): its card stays, fully drawn.
    void cancelFade(SocketId id);
    // Every fade ends now (fadedOut for each): after a seek, nothing of the moment before
    // lingers on screen, whether or not the picture's clock moves.
    void finishFades();
    // Rows move when others fold or fade: a route follows its two sockets, and goes with
    // either of them (itemFor answers null, or an item that is hidden).
    void followSockets(const std::function<const SocketItem *(SocketId)> &itemFor);

    qsizetype flyingDatagramCount() const { return m_datagrams.size(); }
    qsizetype routeCount() const { return m_routes.size(); }
    bool isRunning() const { return m_frameTimer.isActive(); }

    // Moves everything on by the presentation time since the last frame.
    void advanceFrame();

Q_SIGNALS:
    void fadedOut(SocketScope::SocketId id);

private:
    void start();
    void onSpeedChanged();
    bool hasWork() const;
    void touchRoute(const SocketItem &client, const SocketItem &server);

    QGraphicsScene &m_scene;
    const DiagramPalette *m_palette;
    const PresentationClock *m_clock = nullptr;
    QMetaObject::Connection m_clockConnection;
    QTimer m_frameTimer;
    qint64 m_lastFrameNs = 0;

    QSet<ConnectionItem *> m_pulsing;
    QList<DatagramItem *> m_datagrams;
    QHash<QPair<SocketId, SocketId>, DatagramRouteItem *> m_routes; // (client, server)
    struct Fade
    {
        SocketItem *item = nullptr;
        qreal opacity = 1.0;
    };
    QHash<SocketId, Fade> m_fades;
};

} // namespace SocketScope
