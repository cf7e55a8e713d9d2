// SPDX-License-Identifier: MIT
#pragma once

#include "kernelmerger.h"
#include "kernelprobe.h"

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

    void start();
    void setPolling(bool polling);
    void setWholeHost(bool wholeHost);
    KernelProbe &probe() { return m_probe; }

private:
    void refilter();
    void refilterSoon();

    SocketRegistry &m_registry;
    EventLog &m_log;
    KernelProbe m_probe;
    KernelMerger m_merger;
    QTimer m_refilterTimer;
    bool m_wholeHost = false;
};

} // namespace SocketScope
