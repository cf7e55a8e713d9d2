// SPDX-License-Identifier: MIT
#include "registrymirror.h"

namespace SocketScope {

RegistryMirror::RegistryMirror(const SocketRegistry &source, const EventLog &sourceLog,
                               QObject *parent)
    : QObject(parent), m_source(source)
{
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

void RegistryMirror::append(const SocketEvent &event)
{
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
