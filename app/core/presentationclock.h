// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QObject>

#include <functional>

namespace SocketScope {

class Pacer;

// The one clock every view and animation of the picture reads: the time of the moment on
// screen. Live it is real time; in slow motion it runs at the pacer's rate, so an animation
// that takes 300 ms live takes 1.2 s at 0.25x; paused it stands still. Back to live it
// catches up with real time, as the picture does.
//
// Real time comes in through an injected source (monotonic nanoseconds), so tests drive it
// without sleeping. The clock keeps no timer of its own: views read it when they repaint.
class PresentationClock : public QObject
{
    Q_OBJECT
public:
    using RealTimeSource = std::function<qint64()>;

    // Without a pacer the clock is always live (a diagram of its own, a test).
    explicit PresentationClock(RealTimeSource realNs, const Pacer *pacer = nullptr,
                               QObject *parent = nullptr);

    // CLOCK_MONOTONIC, the clock socket events are stamped with.
    static qint64 monotonicNs();

    qint64 nowNs() const;
    qint64 realNowNs() const { return m_realNs(); }
    // How far the picture's time is behind real time (0 while live).
    qint64 lagNs() const { return realNowNs() - nowNs(); }
    // The picture's moment on the UTC wall clock, for ages and countdowns. Live: now. Behind
    // live (paused, stepped, seeked, slowed): the wall time of the event on screen, moved on
    // by the presentation time since it was shown, so a socket's age is its age then.
    QDateTime wallTime() const;
    // Presentation seconds per real second: 1 live, the rate in slow motion, 0 paused.
    double speed() const { return m_speed; }
    bool isStill() const { return m_speed == 0; }

Q_SIGNALS:
    // The speed changed (and, back to live, the clock caught up): whoever measures intervals
    // on this clock starts a new one from nowNs().
    void speedChanged(double speed);

private:
    void followPacer();
    void followPosition(quint64 seq);
    qint64 at(qint64 realNs) const; // the clock's time when the real source reads realNs

    RealTimeSource m_realNs;
    const Pacer *m_pacer = nullptr;
    double m_speed = 1.0;
    // nowNs() = m_anchorNs + (real - m_realAnchorNs) * m_speed
    qint64 m_anchorNs = 0;
    qint64 m_realAnchorNs = 0;
    qint64 m_realOriginNs = 0; // the real source's reading at m_wallOrigin
    QDateTime m_wallOrigin;
    // Behind live: the shown event's wall time, and this clock's time when it was shown.
    QDateTime m_positionWall;
    qint64 m_positionShownNs = 0;
};

} // namespace SocketScope
