// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketregistry.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>

namespace SocketScope {

// What happened in a registry (and its event log) since the last batch, in order.
struct RegistryBatch
{
    QList<SocketEvent> events;
    bool isEmpty() const { return events.isEmpty(); }
};

// Copies a registry (and its event log) that lives in another thread into one the window
// can read: the network runs in its own thread, where thousands of sockets cost it a poll()
// per turn, and the window gets what happened once per frame.
//
// It ships events, never snapshots: a connect and a close inside one frame reach the window
// as the two events they were, in order. Only traffic is folded: past MaxTrafficPerBatch
// traffic events in one batch, each further one joins the last one of its socket,
// direction and peer (count says how many it stands for), so a flood costs the window a
// rate, not a line per datagram, and every byte is still counted.
//
// The mirror lives in the source's thread and collects; applyBatch() runs in the target's.
class RegistryMirror : public QObject
{
    Q_OBJECT
public:
    static constexpr int BatchIntervalMs = 16; // one frame at 60 Hz
    static constexpr int MaxTrafficPerBatch = 400;

    RegistryMirror(const SocketRegistry &source, const EventLog &sourceLog,
                   QObject *parent = nullptr);

    // Everything since the last batch, now (and the timer's next batch starts afresh).
    RegistryBatch takeBatch();

    // Milliseconds on a monotonic clock; injected so tests can age a batch without waiting.
    using MillisecondClock = std::function<qint64()>;
    void setClock(MillisecondClock clock);

Q_SIGNALS:
    // About once per BatchIntervalMs, and only when something happened. When the source's
    // thread is too busy for its timer to fire (thousands of connects and closes a second
    // keep it in posted events), a batch that has grown BatchIntervalMs old is shipped by the
    // next event instead, so the window still gets a frame's worth, not a second's.
    void batchReady(const SocketScope::RegistryBatch &batch);

private:
    struct FoldKey
    {
        SocketId socket;
        TrafficDirection direction;
        bool datagram;
        Endpoint peer;
        bool operator==(const FoldKey &other) const = default;
        friend size_t qHash(const FoldKey &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.socket, int(key.direction), key.datagram, key.peer.address,
                              key.peer.port);
        }
    };

    void append(const SocketEvent &event);
    void schedule();

    const SocketRegistry &m_source;
    QList<SocketEvent> m_events;
    int m_trafficInBatch = 0;
    QHash<FoldKey, qsizetype> m_foldInto; // where a key's traffic is being folded
    QHash<SocketId, qsizetype> m_lastOtherEvent; // traffic never folds back past these
    QTimer m_timer;
    MillisecondClock m_clock;
    qint64 m_batchStartedMs = -1; // when the first event of the batch came; -1: empty
};

// Applies a batch to `target` in order; messages go to `targetLog`. Kernel facts the
// target's own KernelMerger put on a record are kept: the source knows only what Qt knows.
void applyBatch(const RegistryBatch &batch, SocketRegistry &target, EventLog *targetLog);

} // namespace SocketScope

Q_DECLARE_METATYPE(SocketScope::RegistryBatch)
