// SPDX-License-Identifier: MIT
#include "socketregistry.h"

#include <atomic>
#include <chrono>

#include <QCoreApplication>
#include <QSysInfo>

namespace SocketScope {

EventTime systemEventTime()
{
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return {std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(),
            QDateTime::currentDateTimeUtc()};
}

SocketRegistry::SocketRegistry(QObject *parent)
    : QObject(parent), m_clock(systemEventTime), m_host(QSysInfo::machineHostName())
{ }

void SocketRegistry::setClock(EventClock clock)
{
    m_clock = clock ? std::move(clock) : EventClock(systemEventTime);
}

namespace {
// One sequence for the whole process: registries in different threads never hand out the
// same id.
std::atomic<SocketId> g_nextId{1};
} // namespace

SocketId SocketRegistry::add(SocketRecord record)
{
    record.id = g_nextId.fetch_add(1, std::memory_order_relaxed);
    const EventTime now = m_clock();
    if (record.created.isNull())
        record.created = now.wall;
    // Sockets we open are ours unless told otherwise; the kernel's own sockets (TIME_WAIT,
    // not yet accepted) belong to no process, and saying otherwise would be untrue.
    if (record.pid == 0 && !record.kernelOnly)
        record.pid = QCoreApplication::applicationPid();
    const SocketId id = record.id;
    insertAt(record, now);
    return id;
}

bool SocketRegistry::insert(const SocketRecord &record)
{
    if (record.id == InvalidSocketId || m_records.contains(record.id))
        return false;
    insertAt(record, m_clock());
    return true;
}

void SocketRegistry::insertAt(const SocketRecord &record, const EventTime &time)
{
    SocketEvent event = eventAbout(record, creationKindFor(record));
    event.monotonicNs = time.monotonicNs;
    event.wallTime = time.wall;
    event.record = std::make_shared<const SocketRecord>(record);
    commit(std::move(event));
}

bool SocketRegistry::update(SocketId id, const std::function<void(SocketRecord &)> &change)
{
    return updateAt(id, change, m_clock());
}

bool SocketRegistry::updateAt(SocketId id, const std::function<void(SocketRecord &)> &change,
                              const EventTime &time)
{
    auto it = m_records.constFind(id);
    if (it == m_records.cend())
        return false;
    SocketRecord changed = *it;
    change(changed);
    changed.id = id; // identity is not the caller's to change
    if (changed == *it)
        return true;
    // Computed before the first is applied: `it` may not outlive a change to the hash.
    QList<SocketEvent> events = eventsForChange(*it, changed);
    for (SocketEvent &event : events) {
        // One change, one moment: every event of it carries the same time.
        event.monotonicNs = time.monotonicNs;
        if (event.wallTime.isNull())
            event.wallTime = time.wall;
        commit(std::move(event));
    }
    return true;
}

bool SocketRegistry::markClosed(SocketId id, SocketState finalState)
{
    const EventTime now = m_clock();
    return updateAt(
            id,
            [finalState, &now](SocketRecord &record) {
                if (record.closed.isNull())
                    record.closed = now.wall;
                record.state = finalState;
            },
            now);
}

bool SocketRegistry::remove(SocketId id)
{
    const SocketRecord *record = find(id);
    if (!record)
        return false;
    commit(eventAbout(*record, EventKind::Removed));
    return true;
}

void SocketRegistry::clear()
{
    const QList<SocketId> all = m_order;
    for (SocketId id : all)
        remove(id);
}

void SocketRegistry::recordTraffic(SocketId id, TrafficDirection direction, qint64 bytes,
                                   const Endpoint &peer, bool isDatagram)
{
    const SocketRecord *record = find(id);
    if (!record)
        return;
    SocketEvent event = eventAbout(*record, EventKind::Traffic);
    event.direction = direction;
    event.bytes = static_cast<quint64>(qMax<qint64>(bytes, 0));
    event.datagram = isDatagram;
    event.peer = peer;
    commit(std::move(event));
}

void SocketRegistry::recordSegment(SocketId id, EventKind kind, const QString &systemCall)
{
    const SocketRecord *record = find(id);
    if (!record)
        return;
    SocketEvent event = eventAbout(*record, kind);
    event.text = systemCall;
    commit(std::move(event));
}

SocketEvent SocketRegistry::messageAbout(const LogEvent &line) const
{
    SocketEvent event;
    switch (line.kind) {
    case LogKind::Note:
        event.kind = EventKind::Message;
        break;
    case LogKind::UserCommand:
        event.kind = EventKind::UserCommand;
        break;
    case LogKind::Caption:
        event.kind = EventKind::Caption;
        break;
    case LogKind::Error:
        event.kind = EventKind::Error;
        event.code = line.code;
        break;
    }
    event.wallTime = line.time;
    event.monotonicNs = systemEventTime().monotonicNs;
    event.host = m_host;
    event.severity = line.severity;
    event.text = line.message;
    event.socket = line.socket;
    if (const SocketRecord *record = find(line.socket)) {
        event.protocol = record->protocol;
        event.local = record->local;
        event.remote = record->remote;
    }
    return event;
}

void SocketRegistry::commit(SocketEvent event)
{
    if (event.monotonicNs == 0 || event.wallTime.isNull()) {
        const EventTime now = m_clock();
        if (event.monotonicNs == 0)
            event.monotonicNs = now.monotonicNs;
        if (event.wallTime.isNull())
            event.wallTime = now.wall;
    }
    if (event.host.isEmpty())
        event.host = m_host;
    apply(event);
}

bool SocketRegistry::apply(const SocketEvent &event)
{
    if (event.isLogLine()) {
        Q_EMIT eventApplied(event);
        return true;
    }
    if (event.createsSocket()) {
        if (event.socket == InvalidSocketId || m_records.contains(event.socket))
            return false;
        SocketRecord record = *event.record;
        record.id = event.socket;
        index(record);
        m_records.insert(event.socket, record);
        m_order.append(event.socket);
        Q_EMIT socketAdded(event.socket);
        Q_EMIT eventApplied(event);
        return true;
    }
    auto it = m_records.find(event.socket);
    if (it == m_records.end())
        return false;
    if (event.kind == EventKind::Removed) {
        unindex(*it);
        m_records.erase(it);
        m_order.removeOne(event.socket);
        Q_EMIT socketRemoved(event.socket);
        Q_EMIT eventApplied(event);
        return true;
    }
    const bool tupleMoves = it->local != event.local || it->remote != event.remote;
    if (tupleMoves)
        unindex(*it);
    applyEvent(event, *it);
    if (tupleMoves)
        index(*it);
    Q_EMIT socketChanged(event.socket);
    if (event.kind == EventKind::Traffic)
        Q_EMIT trafficObserved(event.socket, event.direction, static_cast<qint64>(event.bytes),
                               event.peer, event.datagram);
    Q_EMIT eventApplied(event);
    return true;
}

void SocketRegistry::replaceAll(const QList<SocketRecord> &records)
{
    for (SocketId id : std::exchange(m_order, {})) {
        m_records.remove(id);
        Q_EMIT socketRemoved(id);
    }
    m_byTuple.clear();
    for (const SocketRecord &record : records) {
        if (record.id == InvalidSocketId || m_records.contains(record.id))
            continue;
        index(record);
        m_records.insert(record.id, record);
        m_order.append(record.id);
        Q_EMIT socketAdded(record.id);
    }
    Q_EMIT replaced();
}

QList<SocketRecord> SocketRegistry::records() const
{
    QList<SocketRecord> all;
    all.reserve(m_order.size());
    for (SocketId id : m_order)
        all.append(m_records.value(id));
    return all;
}

void SocketRegistry::index(const SocketRecord &record)
{
    m_byTuple.insert(tupleKey(record), record.id);
}

void SocketRegistry::unindex(const SocketRecord &record)
{
    const TupleKey key = tupleKey(record);
    if (m_byTuple.value(key) == record.id)
        m_byTuple.remove(key);
}

const SocketRecord *SocketRegistry::find(SocketId id) const
{
    auto it = m_records.constFind(id);
    return it == m_records.cend() ? nullptr : &*it;
}

SocketId SocketRegistry::findByTuple(Protocol protocol, const Endpoint &local,
                                     const std::optional<Endpoint> &remote) const
{
    return m_byTuple.value(tupleKey(protocol, local, remote), InvalidSocketId);
}

SocketRegistry::TupleKey SocketRegistry::tupleKey(Protocol protocol, const Endpoint &local,
                                                  const std::optional<Endpoint> &remote)
{
    // As Endpoint::toString() tells them apart: every any-address (and none) is one "*",
    // which a listener's Qt record and the kernel's row must share.
    const auto copy = [](const QHostAddress &address, std::array<quint8, 16> &to) -> quint8 {
        if (address.isNull() || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
            || address == QHostAddress::Any)
            return 0xfe;
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        for (std::size_t i = 0; i < to.size(); ++i)
            to[i] = bytes[static_cast<int>(i)];
        return static_cast<quint8>(address.protocol());
    };
    TupleKey key;
    key.protocol = static_cast<quint8>(protocol);
    key.localPort = local.port;
    key.localFamily = copy(local.address, key.localAddress);
    key.scopes = local.address.scopeId();
    if (remote) {
        key.remotePort = remote->port;
        key.remoteFamily = copy(remote->address, key.remoteAddress);
        if (!remote->address.scopeId().isEmpty())
            key.scopes += QLatin1Char('%') + remote->address.scopeId();
    } else {
        key.remoteFamily = 0xff;
    }
    return key;
}

size_t SocketRegistry::TupleKey::hash(size_t seed) const noexcept
{
    return qHashMulti(seed, qHashBits(localAddress.data(), localAddress.size()),
                      qHashBits(remoteAddress.data(), remoteAddress.size()), localPort, remotePort,
                      protocol, localFamily, remoteFamily, scopes);
}

SocketRegistry::TupleKey SocketRegistry::tupleKey(const SocketRecord &record)
{
    return tupleKey(record.protocol, record.local, record.remote);
}

} // namespace SocketScope
