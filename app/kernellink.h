// SPDX-License-Identifier: MIT
#pragma once

#include "destroynotices.h"
#include "kernelmerger.h"
#include "kernelprobe.h"
#include "statetracefollower.h"

#include <QObject>
#include <QTimer>

namespace SocketScope {

class EventLog;
class SocketRegistry;

// Keeps the registry in step with the kernel: runs the probe on our ports (or the whole
// host), merges each snapshot, and widens the filter as new ports of ours appear.
class KernelLink : public QObject
{
    Q_OBJECT
public:
    KernelLink(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);

    // Starts polling; without a probe (see isAvailable) logs once why there is no kernel view.
    void start();
    bool isAvailable() const { return m_probe.isAvailable(); }
    // Why the kernel's view is missing, for the window; empty when it is there.
    QString unavailableReason() const;
    void setPolling(bool polling);
    void setWholeHost(bool wholeHost);
    KernelProbe &probe() { return m_probe; }
    // Whether the kernel's tracepoint gives every TCP transition exactly (root, tracefs); when
    // not, exactTransitionsReason() says what is missing.
    bool followsExactTransitions() const { return m_exactReason.isEmpty(); }
    QString exactTransitionsReason() const { return m_exactReason; }

private:
    void refilter();
    void refilterSoon();
    void pollSoon();

    SocketRegistry &m_registry;
    EventLog &m_log;
    KernelProbe m_probe;
    KernelMerger m_merger;
    QString m_exactReason;
    StateTraceFollower m_trace;
    DestroyNoticeFollower m_destroyNotices;
    QTimer m_pollSoonTimer; // one poll for a burst of ends
    QTimer m_refilterTimer;
    bool m_wholeHost = false;
};

} // namespace SocketScope
