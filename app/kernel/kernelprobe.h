// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"
#include "kernelsocketsource.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace SocketScope {

class KernelProbeWorker;

// Polls the kernel's socket table off the UI thread and hands each snapshot to the UI
// thread. Netlink sock_diag is tried first; if it cannot be used the probe falls back to
// /proc/net and says so (sourceChanged). On systems other than Linux it reports
// "unavailable" and never polls, so the app runs without kernel facts.
//
// On a host with very many sockets the netlink source walks the whole table only on
// evidence or now and then, and otherwise reads listeners, UDP and known connections by
// index (see NetlinkSocketSource). Give it the connections Qt knows in the filter
// (KernelFilter::connections, as KernelLink does) and a new socket of ours shows on the next
// poll; another program's connection shows when a listener's queue gives it away or at the
// next walk.
//
// All methods are called from the thread that owns the probe; they forward to the worker.
class KernelProbe : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 100; // 10 Hz

    // Netlink with /proc fallback (Linux), or unavailable.
    explicit KernelProbe(QObject *parent = nullptr);
    // Uses exactly this source, no fallback (tests, or a caller that insists on one).
    explicit KernelProbe(std::unique_ptr<KernelSocketSource> source, QObject *parent = nullptr);
    // `primary`, and `fallback` once `primary` fails before ever working (or keeps failing).
    KernelProbe(std::unique_ptr<KernelSocketSource> primary,
                std::unique_ptr<KernelSocketSource> fallback, QObject *parent = nullptr);
    ~KernelProbe() override; // stops and joins the worker thread

    bool isAvailable() const { return m_available; }
    // "netlink", "proc" or "unavailable"; follows the worker's fallback decisions.
    QString sourceName() const { return m_sourceName; }

    void setInterval(int ms);
    int interval() const { return m_intervalMs; }
    void setFilter(const KernelFilter &filter);
    KernelFilter filter() const { return m_filter; }

    // Polling runs between start() and pause(); resume() is start() again.
    void start();
    void pause();
    void resume() { start(); }
    bool isRunning() const { return m_running; }
    // One poll as soon as the worker is free, running or not (a refresh button, tests).
    void pollNow();

    // Wall time of the last poll (read + owner lookup), for a status line.
    qint64 lastPollMicroseconds() const { return m_lastPollUs; }
    quint64 pollCount() const { return m_pollCount; }

Q_SIGNALS:
    void snapshotReady(const SocketScope::KernelSnapshot &snapshot);
    void sourceChanged(const QString &name);
    void errorOccurred(const QString &message);

private:
    friend class KernelProbeWorker;
    void init(std::unique_ptr<KernelSocketSource> primary,
              std::unique_ptr<KernelSocketSource> fallback);
    void onPolled(const SocketScope::KernelSnapshot &snapshot, qint64 microseconds);
    void onSourceChanged(const QString &name);

    QThread m_thread;
    std::unique_ptr<KernelProbeWorker> m_worker;
    KernelFilter m_filter;
    QString m_sourceName;
    int m_intervalMs = DefaultIntervalMs;
    qint64 m_lastPollUs = 0;
    quint64 m_pollCount = 0;
    bool m_available = false;
    bool m_running = false;
};

} // namespace SocketScope
