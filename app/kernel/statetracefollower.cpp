// SPDX-License-Identifier: MIT
#include "statetracefollower.h"

#include "kernelmerger.h"
#include "socketregistry.h"

#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace SocketScope {

namespace {

// The states a socket leaves for CLOSE when tcp_time_wait() hands it to a time-wait socket
// (FIN_WAIT2 on an orphan or on the peer's FIN, CLOSING on the last ACK); an RST or a
// timeout takes the same exit, so the CLOSE alone does not tell which.
bool mayHandOverToTimeWait(const TraceTransition &transition)
{
    return transition.to == SocketState::Close
           && (transition.from == SocketState::FinWait1 || transition.from == SocketState::FinWait2
               || transition.from == SocketState::Closing);
}

bool movesShownState(const SocketEvent &event)
{
    switch (event.kind) {
    case EventKind::StateChanged:
        return !event.history;
    case EventKind::Closed:
    case EventKind::Revised:
    case EventKind::KernelFactsChanged:
        return true;
    default:
        return event.createsSocket();
    }
}

} // namespace

StateTraceFollower::StateTraceFollower(SocketRegistry &registry, std::unique_ptr<StateTrace> trace,
                                       QObject *parent)
    : QObject(parent), m_registry(registry), m_trace(std::move(trace))
{
    if (m_trace) {
        m_notifier
                = std::make_unique<QSocketNotifier>(m_trace->descriptor(), QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &StateTraceFollower::drain);
    }
    connect(&registry, &SocketRegistry::eventApplied, this, [this](const SocketEvent &event) {
        noteStateTime(event);
        // A record that appeared or learned its tuple may be what a transition waits for.
        // Retried after this event has reached every listener (the journal among them), so
        // the order of events stays the order they were applied in.
        if (!m_waiting.isEmpty() && !m_retryQueued
            && (event.createsSocket() || event.kind == EventKind::Connected
                || event.kind == EventKind::Bound || event.kind == EventKind::Revised)) {
            m_retryQueued = true;
            QTimer::singleShot(0, this, [this] {
                m_retryQueued = false;
                retryWaiting();
            });
        }
    });
}

StateTraceFollower::~StateTraceFollower() = default;

void StateTraceFollower::noteStateTime(const SocketEvent &event)
{
    if (event.socket == InvalidSocketId)
        return;
    if (event.kind == EventKind::Removed) {
        m_stateTimeNs.remove(event.socket);
        return;
    }
    if (movesShownState(event))
        m_stateTimeNs.insert(event.socket, event.monotonicNs);
}

bool StateTraceFollower::isOurs(const TraceTransition &transition) const
{
    return m_filter.matches(Protocol::Tcp, transition.local.port, transition.remote.port);
}

void StateTraceFollower::setFilter(const KernelFilter &filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    const qint64 now = systemEventTime().monotonicNs;
    QList<Waiting> parked = std::exchange(m_parked, {});
    for (const Waiting &waiting : std::as_const(parked)) {
        if (isOurs(waiting.transition))
            process(waiting.transition);
        else if (waiting.givenUpAtNs > now)
            m_parked.append(waiting);
    }
    retryWaiting();
}

void StateTraceFollower::drain()
{
    if (!m_trace)
        return;
    const QList<TraceTransition> transitions = m_trace->read();
    for (const TraceTransition &transition : transitions)
        process(transition);
    retryWaiting();
}

void StateTraceFollower::process(const TraceTransition &transition)
{
    if (!isOurs(transition)) {
        if (m_parked.size() >= ParkedLimit)
            m_parked.removeFirst();
        m_parked.append({transition, systemEventTime().monotonicNs + ParkedLifetimeNs});
        return;
    }
    const QString connectKey
            = transition.local.address.toString() + QLatin1Char('>') + transition.remote.toString();
    if (transition.local.port == 0 && transition.to == SocketState::SynSent) {
        // connect() has not chosen the port yet: the next step out of SYN_SENT will.
        if (m_unbornCount < PendingLimit) {
            m_unborn[connectKey].append(transition);
            ++m_unbornCount;
        }
        return;
    }
    if (transition.from == SocketState::SynSent) {
        if (auto unborn = m_unborn.find(connectKey); unborn != m_unborn.end()) {
            TraceTransition first = unborn->takeFirst();
            --m_unbornCount;
            if (unborn->isEmpty())
                m_unborn.erase(unborn);
            first.local = transition.local;
            process(first);
        }
    }
    if (!applyToRecord(transition)) {
        if (m_waiting.size() >= PendingLimit) {
            m_waiting.removeFirst();
            ++m_unmatched;
        }
        m_waiting.append({transition, systemEventTime().monotonicNs + PendingLifetimeNs});
    }
}

SocketId StateTraceFollower::recordFor(const TraceTransition &transition) const
{
    // A listener has no peer: the registry writes its remote as none, the trace as *:0.
    return findKernelSocket(m_registry, Protocol::Tcp, transition.local,
                            transition.remote.port == 0 ? std::nullopt
                                                        : std::optional(transition.remote));
}

bool StateTraceFollower::applyToRecord(const TraceTransition &transition)
{
    const SocketId id = recordFor(transition);
    if (id == InvalidSocketId)
        return false;
    if (mayHandOverToTimeWait(transition)) {
        m_heldCloses.append({transition, m_snapshots + 2});
        if (m_heldCloses.size() > PendingLimit)
            m_heldCloses.removeFirst();
        Q_EMIT kernelLookupWanted();
        return true;
    }
    return applyTransition(transition, id);
}

bool StateTraceFollower::applyTransition(const TraceTransition &transition, SocketId id)
{
    const SocketRecord *record = m_registry.find(id);
    if (!record)
        return false;
    SocketEvent event = eventAbout(*record, EventKind::StateChanged);
    event.from = transition.from;
    event.to = transition.to;
    event.source = StateSource::KernelTrace;
    event.history = transition.monotonicNs < m_stateTimeNs.value(id, 0);
    event.host = m_registry.hostName();
    event.monotonicNs = transition.monotonicNs;
    // The trace's clock is the monotonic one; the wall time is where that moment fell.
    const EventTime now = systemEventTime();
    event.wallTime = now.wall.addMSecs(-(now.monotonicNs - transition.monotonicNs) / 1'000'000);
    return m_registry.apply(event);
}

void StateTraceFollower::retryWaiting()
{
    if (m_waiting.isEmpty())
        return;
    const qint64 now = systemEventTime().monotonicNs;
    QList<Waiting> still;
    for (const Waiting &waiting : std::as_const(m_waiting)) {
        if (applyToRecord(waiting.transition))
            continue;
        if (waiting.givenUpAtNs <= now)
            ++m_unmatched;
        else
            still.append(waiting);
    }
    m_waiting = std::move(still);
}

void StateTraceFollower::snapshotMerged(const KernelSnapshot &snapshot)
{
    ++m_snapshots;
    if (m_heldCloses.isEmpty())
        return;
    QList<HeldClose> still;
    for (const HeldClose &held : std::as_const(m_heldCloses)) {
        if (held.snapshotsNeeded > m_snapshots) {
            still.append(held);
            continue;
        }
        const TraceTransition &transition = held.transition;
        const bool livesOn
                = std::any_of(snapshot.cbegin(), snapshot.cend(), [&](const KernelSocket &socket) {
                      return socket.protocol == Protocol::Tcp && socket.local == transition.local
                             && socket.remote == transition.remote;
                  });
        // Living on, the poll has shown what it became (the time-wait socket's state); gone,
        // the CLOSE was the end.
        if (!livesOn)
            applyTransition(transition, recordFor(transition));
    }
    m_heldCloses = std::move(still);
}

} // namespace SocketScope
