// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>

namespace SocketScope {

enum class TrafficDirection { Sent, Received };

// The single source of truth: one record per socket, one id per record. Whoever opens,
// changes or closes a socket reports it here; every view listens to the signals, which
// carry ids only, and reads the record it needs.
class SocketRegistry : public QObject
{
    Q_OBJECT
public:
    explicit SocketRegistry(QObject *parent = nullptr);

    // Stores the record under a fresh id (the record's own id is ignored) and returns it.
    // Ids are unique across every registry of the process, so a copy of one registry (see
    // RegistryMirror) can hold records of another next to its own.
    SocketId add(SocketRecord record);
    // Stores a record under the id it carries (a copy from another registry); false when
    // the id is invalid or taken.
    bool insert(const SocketRecord &record);
    // Applies a change to one record; returns false for an unknown id. Emits socketChanged
    // only when the record really changed.
    bool update(SocketId id, const std::function<void(SocketRecord &)> &change);
    // Stamps the close time and state; the record stays until remove().
    bool markClosed(SocketId id, SocketState finalState = SocketState::Close);
    bool remove(SocketId id);
    void clear();

    // Counts traffic on a socket and announces it (for the diagram's animation).
    void recordTraffic(SocketId id, TrafficDirection direction, qint64 bytes, const Endpoint &peer,
                       bool isDatagram);
    // Announces traffic another registry counted (the counters come with the record).
    void announceTraffic(SocketId id, TrafficDirection direction, qint64 bytes,
                         const Endpoint &peer, bool isDatagram);

    const SocketRecord *find(SocketId id) const;
    bool contains(SocketId id) const { return m_records.contains(id); }
    // The socket with exactly this tuple, for matching the kernel's view to ours.
    SocketId findByTuple(Protocol protocol, const Endpoint &local,
                         const std::optional<Endpoint> &remote) const;
    // Ids in the order the sockets appeared.
    const QList<SocketId> &ids() const { return m_order; }
    qsizetype count() const { return m_order.size(); }

Q_SIGNALS:
    void socketAdded(SocketScope::SocketId id);
    void socketChanged(SocketScope::SocketId id);
    void socketRemoved(SocketScope::SocketId id);
    void trafficObserved(SocketScope::SocketId id, SocketScope::TrafficDirection direction,
                         qint64 bytes, const SocketScope::Endpoint &peer, bool isDatagram);

private:
    static QString tupleKey(Protocol protocol, const Endpoint &local,
                            const std::optional<Endpoint> &remote);
    static QString tupleKey(const SocketRecord &record);

    QHash<SocketId, SocketRecord> m_records;
    QList<SocketId> m_order;
    QHash<QString, SocketId> m_byTuple;
};

} // namespace SocketScope
