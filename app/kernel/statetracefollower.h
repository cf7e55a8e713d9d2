// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"
#include "kernelsocketsource.h"
#include "socketevent.h"
#include "statetrace.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

class QSocketNotifier;

namespace SocketScope {

class SocketRegistry;

// Turns the kernel's traced TCP transitions (StateTrace) on our ports into StateChanged
// events with source kernel-trace and the kernel's own µs time, applied to the registry.
//
// Three things the tracepoint alone does not say are sorted out here:
// - a connecting client's first transition (CLOSE -> SYN_SENT) has no local port yet: it is
//   kept until the next transition out of SYN_SENT from the same address to the same
//   destination names the port (connects to one destination complete in the order they
//   began, so the first kept is the first named);
// - a transition of a socket the registry does not hold yet (the accepted socket before Qt
//   hands it out, a client before its port is known here) waits, briefly and bounded, for
//   the record; one that happened before the record's present state was reported is
//   journalled as history (the path shows it, the present state does not move back);
// - a socket that leaves FIN_WAIT2 or CLOSING for CLOSE is, as often as not, handed over
//   to a time-wait socket that carries on (FIN_WAIT2 or TIME_WAIT, which the tracepoint
//   does not follow). That CLOSE is held until a kernel poll read after it says whether the
//   tuple lives on (then the poll shows what it became) or not (then it really closed).
class StateTraceFollower : public QObject
{
    Q_OBJECT
public:
    // Transitions waiting for their record are dropped after this long, and beyond this many.
    static constexpr qint64 PendingLifetimeNs = 3'000'000'000;
    static constexpr int PendingLimit = 20000;
    static constexpr qint64 ParkedLifetimeNs = 1'000'000'000;
    static constexpr int ParkedLimit = 4000;

    // Follows `trace` (or nothing, when it is null) into `registry`.
    StateTraceFollower(SocketRegistry &registry, std::unique_ptr<StateTrace> trace,
                       QObject *parent = nullptr);
    ~StateTraceFollower() override;

    // Which sockets count as ours (KernelLink's filter): a transition matches when its local
    // or remote port is watched.
    // A transition on a port not watched yet is parked a moment: the filter follows new
    // sockets a little later than the kernel does (KernelLink rebuilds it per burst).
    void setFilter(const KernelFilter &filter);

    // Reads and applies what the trace holds now (also done when the kernel signals data).
    void drain();
    // A kernel poll's snapshot has been merged: settles the held CLOSEs it can speak for.
    void snapshotMerged(const KernelSnapshot &snapshot);

    // Transitions on our ports that found no record in time.
    quint64 unmatchedCount() const { return m_unmatched; }
    qsizetype heldCloseCount() const { return m_heldCloses.size(); }

Q_SIGNALS:
    // A held CLOSE wants the kernel asked again soon (KernelProbe::pollNow).
    void kernelLookupWanted();

private:
    struct Waiting
    {
        TraceTransition transition;
        qint64 givenUpAtNs = 0;
    };
    struct HeldClose
    {
        TraceTransition transition;
        quint64 snapshotsNeeded = 0; // settled by a snapshot read after it: two deliveries on
    };

    void process(const TraceTransition &transition);
    SocketId recordFor(const TraceTransition &transition) const;
    bool applyToRecord(const TraceTransition &transition); // holds a possible hand-over
    bool applyTransition(const TraceTransition &transition, SocketId id); // id: recordFor()
    void retryWaiting();
    void noteStateTime(const SocketEvent &event);
    bool isOurs(const TraceTransition &transition) const;

    SocketRegistry &m_registry;
    std::unique_ptr<StateTrace> m_trace;
    std::unique_ptr<QSocketNotifier> m_notifier;
    KernelFilter m_filter;
    // CLOSE -> SYN_SENT before the port was chosen, by local address and destination.
    QHash<QString, QList<TraceTransition>> m_unborn;
    qsizetype m_unbornCount = 0;
    QList<Waiting> m_waiting;
    QList<Waiting> m_parked; // on ports not (yet) watched
    QList<HeldClose> m_heldCloses;
    // When each socket's shown state last moved (monotonic ns), to tell history from news.
    QHash<SocketId, qint64> m_stateTimeNs;
    quint64 m_snapshots = 0;
    quint64 m_unmatched = 0;
    bool m_retryQueued = false;
};

} // namespace SocketScope
