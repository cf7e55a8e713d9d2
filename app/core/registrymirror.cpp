// SPDX-License-Identifier: MIT
#include "registrymirror.h"

#include <chrono>

namespace SocketScope {

RegistryMirror::RegistryMirror(const SocketRegistry &source, const EventLog &sourceLog,
                               QObject *parent)
    : QObject(parent), m_source(source)
{
    setClock({});
    qRegisterMetaType<RegistryBatch>();
    m_timer.setSingleShot(true);
    m_timer.setInterval(BatchIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        RegistryBatch batch = takeBatch();
        if (!batch.isEmpty())
            Q_EMIT batchReady(batch);
    });
    connect(&source, &SocketRegistry::eventApplied, this, &RegistryMirror::append);
    connect(&sourceLog, &EventLog::eventAppended, this,
            [this](const LogEvent &line) { append(m_source.messageAbout(line)); });
}

void RegistryMirror::setClock(MillisecondClock clock)
{
    m_clock = clock ? std::move(clock) : MillisecondClock([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                .count();
    });
}

void RegistryMirror::append(const SocketEvent &event)
{
    const qint64 now = m_clock();
    if (m_batchStartedMs >= 0 && now - m_batchStartedMs >= BatchIntervalMs) {
        // The timer is starved (see batchReady): ship what has waited a frame.
        RegistryBatch batch = takeBatch();
        if (!batch.isEmpty())
            Q_EMIT batchReady(batch);
    }
    if (m_batchStartedMs < 0)
        m_batchStartedMs = now;
    schedule();
    if (event.kind != EventKind::Traffic) {
        if (event.socket != InvalidSocketId)
            m_lastOtherEvent.insert(event.socket, m_events.size());
        m_events.append(event);
        return;
    }
    const FoldKey key{event.socket, event.direction, event.datagram, event.peer};
    if (++m_trafficInBatch > MaxTrafficPerBatch) {
        const qsizetype into = m_foldInto.value(key, -1);
        if (into >= 0 && into > m_lastOtherEvent.value(event.socket, -1)) {
            SocketEvent &folded = m_events[into];
            folded.bytes += event.bytes;
            folded.count += event.count;
            return;
        }
    }
    m_foldInto.insert(key, m_events.size());
    m_events.append(event);
}

void RegistryMirror::schedule()
{
    // Not restarted while running: a steady stream of changes still gets a batch per frame.
    if (!m_timer.isActive())
        m_timer.start();
}

RegistryBatch RegistryMirror::takeBatch()
{
    m_timer.stop();
    m_batchStartedMs = -1;
    RegistryBatch batch;
    batch.events = std::exchange(m_events, {});
    m_trafficInBatch = 0;
    m_foldInto.clear();
    m_lastOtherEvent.clear();
    return batch;
}

void applyBatch(const RegistryBatch &batch, SocketRegistry &target, EventLog *targetLog)
{
    for (const SocketEvent &event : batch.events) {
        if (!event.isLogLine())
            target.apply(event);
        else if (targetLog)
            targetLog->append(logLineOf(event));
    }
}

} // namespace SocketScope
