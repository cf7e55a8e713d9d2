// SPDX-License-Identifier: MIT
#include "kernellink.h"

#include "eventlog.h"
#include "pidresolver.h"
#include "socketregistry.h"

namespace SocketScope {

KernelLink::KernelLink(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent), m_registry(registry), m_log(log), m_merger(registry)
{
    m_merger.setOwnProcessPredicate(&PidResolver::isSelfOrDescendant);
    connect(&m_probe, &KernelProbe::snapshotReady, this,
            [this](const KernelSnapshot &snapshot) { m_merger.apply(snapshot); });
    // A new port of ours widens the filter; the kernel then filters for us again.
    connect(&registry, &SocketRegistry::socketAdded, this, &KernelLink::refilter);
    connect(&m_probe, &KernelProbe::errorOccurred, this, [this](const QString &error) {
        m_log.append(EventSeverity::Warning, tr("Kernel probe: %1").arg(error));
    });
    connect(&m_probe, &KernelProbe::sourceChanged, this, [this](const QString &source) {
        m_log.append(EventSeverity::Info, tr("Reading the kernel's sockets via %1").arg(source));
    });
}

void KernelLink::start()
{
    refilter();
    m_probe.start();
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

void KernelLink::refilter()
{
    KernelFilter filter;
    filter.wholeHost = m_wholeHost;
    filter.ports = KernelMerger::portsToWatch(m_registry);
    if (filter.ports != m_probe.filter().ports || filter.wholeHost != m_probe.filter().wholeHost)
        m_probe.setFilter(filter);
}

} // namespace SocketScope
