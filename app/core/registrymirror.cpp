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
    connect(&source, &SocketRegistry::socketAdded, this, &RegistryMirror::touch);
    connect(&source, &SocketRegistry::socketChanged, this, &RegistryMirror::touch);
    connect(&source, &SocketRegistry::socketRemoved, this, [this](SocketId id) {
        m_removed.append(id);
        schedule();
    });
    connect(&source, &SocketRegistry::trafficObserved, this,
            [this](SocketId id, TrafficDirection direction, qint64 bytes, const Endpoint &peer,
                   bool isDatagram) {
                if (m_traffic.size() < MaxTrafficPerBatch)
                    m_traffic.append({id, direction, bytes, peer, isDatagram});
                schedule();
            });
    connect(&sourceLog, &EventLog::eventAppended, this, [this](const LogEvent &event) {
        m_events.append(event);
        schedule();
    });
}

void RegistryMirror::touch(SocketId id)
{
    if (!m_dirty.contains(id)) {
        m_dirty.insert(id);
        m_dirtyOrder.append(id);
    }
    schedule();
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
    batch.upserts.reserve(m_dirtyOrder.size());
    for (SocketId id : std::as_const(m_dirtyOrder)) {
        if (const SocketRecord *record = m_source.find(id))
            batch.upserts.append(*record); // gone again since: only the removal travels
    }
    batch.removed = std::exchange(m_removed, {});
    batch.traffic = std::exchange(m_traffic, {});
    batch.events = std::exchange(m_events, {});
    m_dirtyOrder.clear();
    m_dirty.clear();
    return batch;
}

void applyBatch(const RegistryBatch &batch, SocketRegistry &target, EventLog *targetLog)
{
    for (const SocketRecord &record : batch.upserts) {
        if (!target.contains(record.id)) {
            target.insert(record);
            continue;
        }
        target.update(record.id, [&record](SocketRecord &mine) {
            std::optional<KernelFacts> kernel = std::move(mine.kernel);
            mine = record;
            mine.kernel = std::move(kernel);
        });
    }
    for (SocketId id : batch.removed)
        target.remove(id);
    for (const TrafficNote &note : batch.traffic)
        target.announceTraffic(note.id, note.direction, note.bytes, note.peer, note.isDatagram);
    if (targetLog) {
        for (const LogEvent &event : batch.events)
            targetLog->append(event);
    }
}

} // namespace SocketScope
