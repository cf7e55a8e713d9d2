// SPDX-License-Identifier: MIT
#include "kernellink.h"

#include "eventlog.h"
#include "pidresolver.h"
#include "socketregistry.h"

namespace SocketScope {

namespace {
// Half a poll at the default 10 Hz: a new socket's tuple reaches the probe before its next poll.
constexpr int kRefilterDelayMs = 50;
// A burst of sockets ending (a class's clients closing at once) is read in one poll.
constexpr int kEndPollDelayMs = 5;
} // namespace

KernelLink::KernelLink(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_merger(registry),
      m_trace(registry, m_probe.isAvailable() ? StateTrace::open(&m_exactReason) : nullptr),
      m_destroyNotices(registry)
{
    if (!m_probe.isAvailable())
        m_exactReason = unavailableReason();
    m_merger.setOwnProcessPredicate(&PidResolver::isSelfOrDescendant);
    // The traced transitions that happened before a snapshot was read go in before it, so a
    // poll never reports first a state the trace saw begin earlier.
    connect(&m_probe, &KernelProbe::snapshotReady, this, [this](const KernelSnapshot &snapshot) {
        m_trace.drain();
        m_merger.apply(snapshot);
        m_trace.snapshotMerged(snapshot);
    });
    // A socket's end (a destroy notice, a traced CLOSE that may be a hand-over to TIME_WAIT)
    // is followed by a poll at once, not at the next tick.
    m_pollSoonTimer.setSingleShot(true);
    m_pollSoonTimer.setInterval(kEndPollDelayMs);
    connect(&m_pollSoonTimer, &QTimer::timeout, &m_probe, [this] {
        if (m_probe.isRunning())
            m_probe.pollNow();
    });
    connect(&m_trace, &StateTraceFollower::kernelLookupWanted, this, &KernelLink::pollSoon);
    connect(&m_destroyNotices, &DestroyNoticeFollower::socketEnded, this, &KernelLink::pollSoon);
    // A new port or connection of ours widens the filter; the kernel then filters for us
    // again. A client's ephemeral port arrives as a change, after connect(). Changes come in
    // bursts (a spawn of hundreds), so the filter is rebuilt once per burst.
    m_refilterTimer.setSingleShot(true);
    m_refilterTimer.setInterval(kRefilterDelayMs);
    connect(&m_refilterTimer, &QTimer::timeout, this, &KernelLink::refilter);
    connect(&registry, &SocketRegistry::socketAdded, this, &KernelLink::refilterSoon);
    connect(&registry, &SocketRegistry::socketChanged, this, &KernelLink::refilterSoon);
    connect(&m_probe, &KernelProbe::errorOccurred, this, [this](const QString &error) {
        m_log.append(EventSeverity::Warning, tr("Kernel probe: %1").arg(error));
    });
    connect(&m_probe, &KernelProbe::sourceChanged, this, [this](const QString &source) {
        m_log.append(EventSeverity::Info, tr("Reading the kernel's sockets via %1").arg(source));
    });
}

void KernelLink::start()
{
    if (!m_probe.isAvailable()) {
        m_log.append(EventSeverity::Warning, unavailableReason());
        return;
    }
    refilter();
    m_probe.start();
    if (!m_destroyNotices.isListening())
        m_log.append(EventSeverity::Info,
                     tr("The kernel's destroy notices cannot be read (%1): a socket's end shows "
                        "at the next poll.")
                             .arg(m_destroyNotices.error()));
    m_log.append(EventSeverity::Info,
                 followsExactTransitions()
                         ? tr("Following every TCP transition exactly (the kernel's "
                              "sock:inet_sock_set_state tracepoint)")
                         : m_exactReason);
}

QString KernelLink::unavailableReason() const
{
    if (m_probe.isAvailable())
        return {};
    return tr("The kernel's view is not available: this build reads no kernel socket table "
              "(it has no probe for this system, or was built with SOCKETSCOPE_KERNEL_PROBE=OFF). "
              "States shown are what Qt knows; the kernel's queues, owners, TCP_INFO and "
              "kernel-only sockets (TIME_WAIT, the accept queue) are not shown.");
}

void KernelLink::setPolling(bool polling)
{
    if (polling) {
        m_probe.resume();
        m_log.append(EventSeverity::Info, tr("Kernel view resumed"));
    } else {
        m_probe.pause();
        m_log.append(EventSeverity::Info,
                     tr("Kernel view paused: states and queues stay as last read"));
    }
}

void KernelLink::setWholeHost(bool wholeHost)
{
    if (m_wholeHost == wholeHost)
        return;
    m_wholeHost = wholeHost;
    m_merger.setShowUnrelated(wholeHost);
    m_log.append(EventSeverity::Info, wholeHost ? tr("Showing every socket on this machine")
                                                : tr("Showing SocketScope's ports only"));
    refilter();
}

void KernelLink::pollSoon()
{
    if (!m_pollSoonTimer.isActive())
        m_pollSoonTimer.start();
}

void KernelLink::refilterSoon()
{
    // Not restarted while running: a steady stream of changes must not postpone it forever.
    if (!m_refilterTimer.isActive())
        m_refilterTimer.start();
}

void KernelLink::refilter()
{
    KernelFilter filter;
    filter.wholeHost = m_wholeHost;
    const KernelMerger::WatchedPorts watched = KernelMerger::portsToWatch(m_registry);
    filter.ports = watched.ports;
    filter.udpPorts = watched.udpOnly;
    // Qt's connections as hints: on a busy host the probe looks these up by tuple instead of
    // walking every socket of the machine, so a new client shows its kernel state at once.
    for (SocketId id : m_registry.ids()) {
        const SocketRecord *record = m_registry.find(id);
        if (record && !record->kernelOnly && record->protocol == Protocol::Tcp && record->remote
            && record->local.port != 0)
            filter.connections.append({record->local, *record->remote});
    }
    m_trace.setFilter(filter);
    if (filter != m_probe.filter())
        m_probe.setFilter(filter);
}

} // namespace SocketScope
