// SPDX-License-Identifier: MIT
#pragma once

#include "eventjournal.h"

#include <QObject>

namespace SocketScope {

class SocketRegistry;

enum class PaceMode {
    Live, // every event is shown as it is journalled
    SlowMotion, // one event at a time, each shown for a while (see Pacer::stepDurationNs)
    Paused, // nothing moves; the sockets go on working and their events wait
};

// Between the journal and the views: decides which moment of the journal the presented
// registry (the one every view reads) shows. The live registry keeps the truth; this one
// follows it live, slowly, one step at a time, or stands at any earlier event.
//
// It keeps no timer: time comes in through tick(now) from whoever drives it (the window's
// frame clock, or a test with its own clock), so nothing here sleeps or reads a wall clock.
class Pacer : public QObject
{
    Q_OBJECT
public:
    // In slow motion an event is shown for at least this long at 1x (a loopback handshake
    // takes microseconds; at 0.25x each of its steps stays a second).
    static constexpr qint64 BaseStepNs = 250'000'000;
    // The longest real gap between two events slow motion keeps (at 1x).
    static constexpr qint64 MaxHoldNs = 1'000'000'000;
    static constexpr double MinRate = 0.1;
    static constexpr double MaxRate = 1.0;
    // Going back to live with more than this waiting jumps there through a keyframe instead
    // of replaying every event into the views.
    static constexpr quint64 CatchUpReplayLimit = 2000;

    // `presented` is made to hold the journal's newest moment, and follows it live.
    Pacer(const EventJournal &journal, SocketRegistry &presented, QObject *parent = nullptr);

    const EventJournal &journal() const { return m_journal; }
    PaceMode mode() const { return m_mode; }
    double rate() const { return m_rate; }
    quint64 position() const { return m_position; } // the last event shown (0: none)
    quint64 waiting() const; // events journalled but not shown yet
    bool isBehind() const { return waiting() > 0; }
    // Events that left the journal (its bound) before they could be shown; the picture
    // jumped over them.
    quint64 skipped() const { return m_skipped; }

    void goLive();
    void pause();
    // Slow motion at `rate` (clamped to MinRate..MaxRate), from the moment shown now; `nowNs`
    // is the caller's clock, the one it will tick() with.
    void setSlowMotion(double rate, qint64 nowNs);
    // Shows the next event (pausing first); false when there is none.
    bool step();
    // Shows the world as it was right after event `seq` (pausing first); false when the
    // journal no longer holds that moment.
    bool seek(quint64 seq);
    // Advances slow motion to `nowNs`.
    void tick(qint64 nowNs);
    // How long event `seq` stays on screen in slow motion before the next one (none for a
    // change of the kernel's facts alone).
    qint64 stepDurationNs(quint64 seq) const;

Q_SIGNALS:
    void positionChanged(quint64 position);
    void modeChanged(SocketScope::PaceMode mode);
    // The slow-motion rate changed (it may change without the mode changing).
    void rateChanged(double rate);
    void waitingChanged(quint64 waiting);

private:
    void onRecorded(const SocketEvent &event);
    bool showNext();
    void setMode(PaceMode mode);

    const EventJournal &m_journal;
    SocketRegistry &m_presented;
    PaceMode m_mode = PaceMode::Live;
    double m_rate = 1.0;
    quint64 m_position = 0;
    quint64 m_skipped = 0;
    qint64 m_nextDueNs = 0; // slow motion: when the next event may be shown
};

QString paceModeName(PaceMode mode); // "live", "slow motion", "paused"

} // namespace SocketScope
