// SPDX-License-Identifier: MIT
#include "socketregistry.h"

#include <atomic>

#include <QCoreApplication>

namespace SocketScope {

SocketRegistry::SocketRegistry(QObject *parent) : QObject(parent) { }

namespace {
// One sequence for the whole process: registries in different threads never hand out the
// same id.
std::atomic<SocketId> g_nextId{1};
} // namespace

SocketId SocketRegistry::add(SocketRecord record)
{
    record.id = g_nextId.fetch_add(1, std::memory_order_relaxed);
    if (record.created.isNull())
        record.created = QDateTime::currentDateTimeUtc();
    // Sockets we open are ours unless told otherwise; the kernel's own sockets (TIME_WAIT,
    // not yet accepted) belong to no process, and saying otherwise would be untrue.
    if (record.pid == 0 && !record.kernelOnly)
        record.pid = QCoreApplication::applicationPid();
    const SocketId id = record.id;
    m_byTuple.insert(tupleKey(record), id);
    m_records.insert(id, std::move(record));
    m_order.append(id);
    Q_EMIT socketAdded(id);
    return id;
}

bool SocketRegistry::insert(const SocketRecord &record)
{
    if (record.id == InvalidSocketId || m_records.contains(record.id))
        return false;
    const SocketId id = record.id;
    m_byTuple.insert(tupleKey(record), id);
    m_records.insert(id, record);
    m_order.append(id);
    Q_EMIT socketAdded(id);
    return true;
}

bool SocketRegistry::update(SocketId id, const std::function<void(SocketRecord &)> &change)
{
    auto it = m_records.find(id);
    if (it == m_records.end())
        return false;
    SocketRecord changed = *it;
    change(changed);
    changed.id = id; // identity is not the caller's to change
    if (changed == *it)
        return true;
    const QString oldKey = tupleKey(*it);
    const QString newKey = tupleKey(changed);
    if (oldKey != newKey) {
        if (m_byTuple.value(oldKey) == id)
            m_byTuple.remove(oldKey);
        m_byTuple.insert(newKey, id);
    }
    *it = std::move(changed);
    Q_EMIT socketChanged(id);
    return true;
}

bool SocketRegistry::markClosed(SocketId id, SocketState finalState)
{
    return update(id, [finalState](SocketRecord &record) {
        if (record.closed.isNull())
            record.closed = QDateTime::currentDateTimeUtc();
        record.state = finalState;
    });
}

bool SocketRegistry::remove(SocketId id)
{
    auto it = m_records.find(id);
    if (it == m_records.end())
        return false;
    const QString key = tupleKey(*it);
    if (m_byTuple.value(key) == id)
        m_byTuple.remove(key);
    m_records.erase(it);
    m_order.removeOne(id);
    Q_EMIT socketRemoved(id);
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
    const bool known = update(id, [&](SocketRecord &record) {
        const auto count = static_cast<quint64>(qMax<qint64>(bytes, 0));
        if (direction == TrafficDirection::Sent) {
            record.bytesSent += count;
            record.datagramsSent += isDatagram ? 1 : 0;
        } else {
            record.bytesReceived += count;
            record.datagramsReceived += isDatagram ? 1 : 0;
        }
    });
    if (known)
        Q_EMIT trafficObserved(id, direction, bytes, peer, isDatagram);
}

void SocketRegistry::announceTraffic(SocketId id, TrafficDirection direction, qint64 bytes,
                                     const Endpoint &peer, bool isDatagram)
{
    if (m_records.contains(id))
        Q_EMIT trafficObserved(id, direction, bytes, peer, isDatagram);
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

QString SocketRegistry::tupleKey(Protocol protocol, const Endpoint &local,
                                 const std::optional<Endpoint> &remote)
{
    return protocolName(protocol) + QLatin1Char(' ') + local.toString() + QLatin1Char(' ')
           + (remote ? remote->toString() : QStringLiteral("*:*"));
}

QString SocketRegistry::tupleKey(const SocketRecord &record)
{
    return tupleKey(record.protocol, record.local, record.remote);
}

} // namespace SocketScope
