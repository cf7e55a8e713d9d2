// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"
#include "socketrecord.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <array>
#include <functional>

namespace SocketScope {

// When an event happened: the monotonic clock for order and intervals, the wall clock for
// people. Injected (SocketRegistry::setClock) so tests can drive time without sleeping.
struct EventTime
{
    qint64 monotonicNs = 0;
    QDateTime wall;
};
using EventClock = std::function<EventTime()>;
EventTime systemEventTime(); // CLOCK_MONOTONIC (steady_clock) and the UTC wall clock

// The single source of truth: one record per socket, one id per record. Whoever opens,
// changes or closes a socket reports it here; every view listens to the signals, which
// carry ids only, and reads the record it needs.
//
// The records are a projection of events: every change becomes one or more SocketEvents
// (opened, state changed, traffic, closed, ...) that apply() folds into the records and
// eventApplied announces. Replaying the same events into an empty registry (or from a
// snapshot of its records) gives the same records, which is what the journal relies on.
class SocketRegistry : public QObject
{
    Q_OBJECT
public:
    explicit SocketRegistry(QObject *parent = nullptr);

    void setClock(EventClock clock);
    // Stamped on every event this registry makes: the machine the sockets live on.
    void setHostName(const QString &host) { m_host = host; }
    const QString &hostName() const { return m_host; }

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

    // A FIN or RST this socket sent or received (EventKind::FinSent ... RstReceived), as the
    // code that did it or saw it knows; it changes no field of the record. `systemCall` names
    // the call that sent it (SegmentCall), for the system-call lanes.
    void recordSegment(SocketId id, EventKind kind, const QString &systemCall = {});

    // A line of the event log as an event, naming its socket by the tuple it has now (the
    // line outlives the socket). Not applied: whoever records lines decides.
    SocketEvent messageAbout(const LogEvent &line) const;

    // Applies an event made elsewhere (another registry through the mirror, a journal being
    // replayed), keeping its time and kind. False when it does not fit: a change for an
    // unknown socket, a creation of one that exists. Messages change no record but are
    // announced like every other event.
    bool apply(const SocketEvent &event);
    // Replaces everything with `records` (a journal's snapshot), in their order.
    void replaceAll(const QList<SocketRecord> &records);
    // Every record, in the order the sockets appeared.
    QList<SocketRecord> records() const;

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
    // After every applied event, the record signals above already sent.
    void eventApplied(const SocketScope::SocketEvent &event);
    // After replaceAll(): the records are another moment now (a seek), not the next one;
    // what a view was animating from the moment before (a card fading out) is not part of it.
    void replaced();

private:
    // Stamps time and host on an event of ours and applies it.
    void commit(SocketEvent event);
    void insertAt(const SocketRecord &record, const EventTime &time);
    bool updateAt(SocketId id, const std::function<void(SocketRecord &)> &change,
                  const EventTime &time);
    void index(const SocketRecord &record);
    void unindex(const SocketRecord &record);

    // A tuple as plain values, built without formatting an address: every record is
    // indexed and unindexed on each of its changes. Families are part of it, so 127.0.0.1 and
    // ::ffff:127.0.0.1 stay two endpoints, as "127.0.0.1" and "::ffff:127.0.0.1" were.
    struct TupleKey
    {
        std::array<quint8, 16> localAddress{};
        std::array<quint8, 16> remoteAddress{};
        quint16 localPort = 0;
        quint16 remotePort = 0;
        quint8 protocol = 0;
        quint8 localFamily = 0;
        quint8 remoteFamily = 0; // 0xff: no remote end
        QString scopes; // IPv6 scope ids, almost always empty
        bool operator==(const TupleKey &other) const = default;
        friend size_t qHash(const TupleKey &key, size_t seed) noexcept { return key.hash(seed); }
        size_t hash(size_t seed) const noexcept;
    };
    static TupleKey tupleKey(Protocol protocol, const Endpoint &local,
                             const std::optional<Endpoint> &remote);
    static TupleKey tupleKey(const SocketRecord &record);

    QHash<SocketId, SocketRecord> m_records;
    QList<SocketId> m_order;
    QHash<TupleKey, SocketId> m_byTuple;
    EventClock m_clock;
    QString m_host;
};

} // namespace SocketScope
