// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketregistry.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace SocketScope {

struct TrafficNote
{
    SocketId id = InvalidSocketId;
    TrafficDirection direction = TrafficDirection::Sent;
    qint64 bytes = 0;
    Endpoint peer;
    bool isDatagram = false;
};

// What changed in a registry since the last batch: the latest copy of every socket added or
// changed, the ids removed, the traffic seen, and the log's new events.
struct RegistryBatch
{
    QList<SocketRecord> upserts;
    QList<SocketId> removed;
    QList<TrafficNote> traffic;
    QList<LogEvent> events;
    bool isEmpty() const
    {
        return upserts.isEmpty() && removed.isEmpty() && traffic.isEmpty() && events.isEmpty();
    }
};

// Copies a registry (and its event log) that lives in another thread into one the window
// can read: the network runs in its own thread, where thousands of sockets cost it a poll()
// per turn, and the window only gets what changed, once per frame.
//
// The mirror lives in the source's thread and collects; applyBatch() runs in the target's.
class RegistryMirror : public QObject
{
    Q_OBJECT
public:
    static constexpr int BatchIntervalMs = 16; // one frame at 60 Hz
    // Traffic beyond this per batch is counted in the records but not announced one by one:
    // the diagram draws a rate, not every datagram.
    static constexpr int MaxTrafficPerBatch = 400;

    RegistryMirror(const SocketRegistry &source, const EventLog &sourceLog,
                   QObject *parent = nullptr);

    // Everything since the last batch, now (and the timer's next batch starts afresh).
    RegistryBatch takeBatch();

Q_SIGNALS:
    // At most once per BatchIntervalMs, and only when something changed.
    void batchReady(const SocketScope::RegistryBatch &batch);

private:
    void touch(SocketId id);
    void schedule();

    const SocketRegistry &m_source;
    QList<SocketId> m_dirtyOrder; // first-touched order, so new sockets keep theirs
    QSet<SocketId> m_dirty;
    QList<SocketId> m_removed;
    QList<TrafficNote> m_traffic;
    QList<LogEvent> m_events;
    QTimer m_timer;
};

// Brings `target` up to date with a batch. Kernel facts the target's own KernelMerger put on
// a record are kept: the source knows only what Qt knows.
void applyBatch(const RegistryBatch &batch, SocketRegistry &target, EventLog *targetLog);

} // namespace SocketScope

Q_DECLARE_METATYPE(SocketScope::RegistryBatch)
