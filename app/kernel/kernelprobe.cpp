// SPDX-License-Identifier: MIT
#include "kernelprobe.h"

#include "kernellogging.h"
#include "netlinksocketsource.h"
#include "pidresolver.h"
#include "procnetsocketsource.h"

#include <QElapsedTimer>
#include <QTimer>

namespace SocketScope {

namespace {
// A source that worked once and then fails this many polls in a row is given up on.
constexpr int kFailuresBeforeFallback = 10;
} // namespace

// Lives in the probe's thread. It has no signals of its own: results are posted to the
// probe with the probe as context object, so nothing arrives after the probe is gone.
class KernelProbeWorker : public QObject
{
public:
    KernelProbeWorker(KernelProbe *probe, std::unique_ptr<KernelSocketSource> primary,
                      std::unique_ptr<KernelSocketSource> fallback)
        : m_probe(probe),
          m_primary(std::move(primary)),
          m_fallback(std::move(fallback)),
          m_active(m_primary.get())
    { }

    void setFilter(const KernelFilter &filter) { m_filter = filter; }

    void setInterval(int ms)
    {
        m_intervalMs = ms;
        if (m_timer)
            m_timer->setInterval(ms);
    }

    void start()
    {
        if (!m_timer) {
            // Created here, in the worker's thread, so the timer fires in that thread.
            m_timer = new QTimer(this);
            m_timer->setTimerType(Qt::PreciseTimer);
            connect(m_timer, &QTimer::timeout, this, &KernelProbeWorker::poll);
        }
        m_timer->setInterval(m_intervalMs);
        m_timer->start();
        poll(); // the first picture should not wait a whole interval
    }

    void pause()
    {
        if (m_timer)
            m_timer->stop();
    }

    void poll()
    {
        if (!m_active)
            return;
        QElapsedTimer clock;
        clock.start();
        QString error;
        std::optional<KernelSnapshot> snapshot = m_active->read(m_filter, &error);
        if (!snapshot) {
            handleFailure(error);
            return;
        }
        m_failures = 0;
        m_activeWorked = true;
        m_pids.resolve(&*snapshot);
        const qint64 microseconds = clock.nsecsElapsed() / 1000;
        QMetaObject::invokeMethod(
                m_probe,
                [probe = m_probe, result = std::move(*snapshot), microseconds] {
                    probe->onPolled(result, microseconds);
                },
                Qt::QueuedConnection);
    }

    // Runs in the worker thread just before it ends: timers must die in their own thread.
    void shutdown(QThread *home)
    {
        delete m_timer;
        m_timer = nullptr;
        m_active = nullptr;
        m_primary.reset();
        m_fallback.reset();
        moveToThread(home);
    }

private:
    void handleFailure(const QString &error)
    {
        ++m_failures;
        if (m_failures == 1) // once per streak, not ten times a second
            qCWarning(lcKernel) << m_active->name() << "read failed:" << error;
        postError(m_active->name() + QStringLiteral(": ") + error);
        const bool giveUp = !m_activeWorked || m_failures >= kFailuresBeforeFallback;
        if (giveUp && m_fallback && m_active != m_fallback.get()) {
            m_active = m_fallback.get();
            m_failures = 0;
            m_activeWorked = false;
            qCInfo(lcKernel) << "falling back to" << m_active->name();
            const QString name = m_active->name();
            QMetaObject::invokeMethod(
                    m_probe, [probe = m_probe, name] { probe->onSourceChanged(name); },
                    Qt::QueuedConnection);
            poll();
        }
    }

    void postError(const QString &message)
    {
        QMetaObject::invokeMethod(
                m_probe, [probe = m_probe, message] { Q_EMIT probe->errorOccurred(message); },
                Qt::QueuedConnection);
    }

    KernelProbe *m_probe;
    std::unique_ptr<KernelSocketSource> m_primary;
    std::unique_ptr<KernelSocketSource> m_fallback;
    KernelSocketSource *m_active;
    PidResolver m_pids;
    KernelFilter m_filter;
    QTimer *m_timer = nullptr;
    int m_intervalMs = KernelProbe::DefaultIntervalMs;
    int m_failures = 0;
    bool m_activeWorked = false;
};

KernelProbe::KernelProbe(QObject *parent) : QObject(parent)
{
#if SOCKETSCOPE_LINUX_KERNEL_PROBE
    init(std::make_unique<NetlinkSocketSource>(), std::make_unique<ProcNetSocketSource>());
#else
    m_sourceName = QStringLiteral("unavailable");
#endif
}

KernelProbe::KernelProbe(std::unique_ptr<KernelSocketSource> source, QObject *parent)
    : QObject(parent)
{
    if (source)
        init(std::move(source), nullptr);
    else
        m_sourceName = QStringLiteral("unavailable");
}

KernelProbe::KernelProbe(std::unique_ptr<KernelSocketSource> primary,
                         std::unique_ptr<KernelSocketSource> fallback, QObject *parent)
    : QObject(parent)
{
    if (primary)
        init(std::move(primary), std::move(fallback));
    else
        m_sourceName = QStringLiteral("unavailable");
}

void KernelProbe::init(std::unique_ptr<KernelSocketSource> primary,
                       std::unique_ptr<KernelSocketSource> fallback)
{
    qRegisterMetaType<SocketScope::KernelSnapshot>("SocketScope::KernelSnapshot");
    m_available = true;
    m_sourceName = primary->name();
    m_worker = std::make_unique<KernelProbeWorker>(this, std::move(primary), std::move(fallback));
    m_thread.setObjectName(QStringLiteral("KernelProbe"));
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

KernelProbe::~KernelProbe()
{
    if (!m_worker)
        return;
    QThread *home = thread();
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker, home] { worker->shutdown(home); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void KernelProbe::setInterval(int ms)
{
    m_intervalMs = qMax(1, ms);
    if (!m_worker)
        return;
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker, ms = m_intervalMs] { worker->setInterval(ms); }, Qt::QueuedConnection);
}

void KernelProbe::setFilter(const KernelFilter &filter)
{
    m_filter = filter;
    if (!m_worker)
        return;
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker, filter] { worker->setFilter(filter); }, Qt::QueuedConnection);
}

void KernelProbe::start()
{
    if (!m_worker || m_running)
        return;
    m_running = true;
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker] { worker->start(); }, Qt::QueuedConnection);
}

void KernelProbe::pause()
{
    if (!m_worker || !m_running)
        return;
    m_running = false;
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker] { worker->pause(); }, Qt::QueuedConnection);
}

void KernelProbe::pollNow()
{
    if (!m_worker)
        return;
    KernelProbeWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
            worker, [worker] { worker->poll(); }, Qt::QueuedConnection);
}

void KernelProbe::onPolled(const KernelSnapshot &snapshot, qint64 microseconds)
{
    m_lastPollUs = microseconds;
    ++m_pollCount;
    Q_EMIT snapshotReady(snapshot);
}

void KernelProbe::onSourceChanged(const QString &name)
{
    if (name == m_sourceName)
        return;
    m_sourceName = name;
    Q_EMIT sourceChanged(name);
}

} // namespace SocketScope
