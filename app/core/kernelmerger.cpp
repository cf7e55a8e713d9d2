// SPDX-License-Identifier: MIT
#include "kernelmerger.h"

#include <QCoreApplication>

#include <algorithm>
#include <unistd.h>

namespace SocketScope {

namespace {

// A dual-stack (IPv6) socket talking IPv4 shows its addresses as ::ffff:a.b.c.d in the
// kernel; whoever filled the registry may have written plain a.b.c.d.
std::optional<Endpoint> withoutV4Mapping(const Endpoint &endpoint)
{
    if (endpoint.address.protocol() != QAbstractSocket::IPv6Protocol)
        return std::nullopt;
    bool isMapped = false;
    const quint32 v4 = endpoint.address.toIPv4Address(&isMapped);
    if (!isMapped)
        return std::nullopt;
    return Endpoint{QHostAddress(v4), endpoint.port};
}

} // namespace

KernelMerger::KernelMerger(SocketRegistry &registry)
    : m_registry(registry), m_ownUid(static_cast<quint32>(::geteuid()))
{ }

void KernelMerger::setOwnProcessPredicate(std::function<bool(qint64)> isOwn)
{
    m_isOwn = std::move(isOwn);
}

SocketId findKernelSocket(const SocketRegistry &registry, Protocol protocol,
                          const Endpoint &localEndpoint,
                          const std::optional<Endpoint> &remoteEndpoint)
{
    // Endpoint::toString() writes both any-addresses as "*", so a listener on 0.0.0.0 or ::
    // already matches a record bound to QHostAddress::Any; only v4-mapped needs a retry.
    const SocketId id = registry.findByTuple(protocol, localEndpoint, remoteEndpoint);
    if (id != InvalidSocketId)
        return id;
    const std::optional<Endpoint> local = withoutV4Mapping(localEndpoint);
    const std::optional<Endpoint> remote
            = remoteEndpoint ? withoutV4Mapping(*remoteEndpoint) : std::nullopt;
    if (!local && !remote)
        return InvalidSocketId;
    return registry.findByTuple(protocol, local.value_or(localEndpoint),
                                remote ? remote : remoteEndpoint);
}

SocketRole KernelMerger::roleFor(const KernelSocket &socket, const QSet<quint16> &listenerPorts,
                                 const QSet<qint64> &ownPids) const
{
    const qint64 pid = socket.facts.pid;
    // Without an inode (TIME_WAIT, not yet accepted) the kernel cannot say who owns the
    // socket; those on our ports are ours for all a viewer can tell. With an inode but no
    // pid, the owner's /proc was closed to us: an ordinary user cannot see another user's
    // descriptors, so the kernel's uid decides (another user's nc is not our tcp-client).
    const bool unknownOwner = pid == 0 && (socket.facts.inode == 0 || socket.uid == m_ownUid);
    const bool own = unknownOwner || (pid != 0 && ownPids.contains(pid))
                     || (pid != 0 && m_isOwn && m_isOwn(pid));
    if (!own)
        return SocketRole::ExternalPeer;
    if (socket.protocol == Protocol::Udp)
        return SocketRole::UdpClient;
    if (socket.facts.state == SocketState::Listen)
        return SocketRole::TcpListener;
    return listenerPorts.contains(socket.local.port) ? SocketRole::TcpServerSide
                                                     : SocketRole::TcpClient;
}

KernelFacts KernelMerger::factsOf(const KernelSocket &socket)
{
    KernelFacts facts = socket.facts;
    facts.tcpInfo = socket.tcpInfo;
    return facts;
}

QString KernelMerger::tupleText(Protocol protocol, const Endpoint &local,
                                const std::optional<Endpoint> &remote)
{
    return protocolName(protocol) + QLatin1Char(' ') + local.toString() + QLatin1Char(' ')
           + (remote ? remote->toString() : QStringLiteral("*:*"));
}

KernelMerger::Result KernelMerger::apply(const KernelSnapshot &snapshot)
{
    // Tuples we once had, so the TIME_WAIT our own closed client leaves is recognised even
    // after its listener is gone. Bounded: forgotten wholesale when it grows large.
    if (m_ourTuples.size() > 100000)
        m_ourTuples.clear();
    Result result;
    QSet<quint16> listenerPorts;
    QSet<quint16> udpServerPorts;
    QSet<qint64> ownPids{QCoreApplication::applicationPid()};
    for (SocketId id : m_registry.ids()) {
        const SocketRecord *record = m_registry.find(id);
        if (!record || record->kernelOnly)
            continue;
        m_ourTuples.insert(tupleText(record->protocol, record->local, record->remote));
        if (record->role == SocketRole::TcpListener)
            listenerPorts.insert(record->local.port);
        if (record->role == SocketRole::UdpServer)
            udpServerPorts.insert(record->local.port);
        if (record->pid > 0)
            ownPids.insert(record->pid);
    }

    QSet<SocketId> seen;
    seen.reserve(snapshot.size());
    // Ours first: when another program's socket has the same tuple as one of ours (a port
    // shared with SO_REUSEPORT), the record gets our socket's facts and a note of the other
    // (which the next snapshot's facts clear again if it has gone).
    const auto mergeOne = [&](const KernelSocket &socket) {
        SocketId id = findKernelSocket(m_registry, socket.protocol, socket.local, socket.remote);
        if (id != InvalidSocketId && seen.contains(id)) {
            // Two kernel sockets with one tuple (e.g. [::]:p and 0.0.0.0:p): first wins. If
            // the second is another program's, it shares our port (SO_REUSEPORT) and takes a
            // share of what arrives: say so on our socket instead of hiding it.
            if (roleFor(socket, listenerPorts, ownPids) == SocketRole::ExternalPeer)
                m_registry.update(id, [owner = ownerText(socket)](SocketRecord &record) {
                    if (record.kernel)
                        record.kernel->sharedWith = owner;
                });
            return;
        }
        if (id == InvalidSocketId && !m_showUnrelated) {
            // The kernel reuses an ephemeral port for a new destination while an old
            // connection on it still waits in TIME_WAIT; such a socket shares a port number
            // with ours by chance and says nothing about our servers.
            const QSet<quint16> &serverPorts
                    = socket.protocol == Protocol::Tcp ? listenerPorts : udpServerPorts;
            const bool related = serverPorts.contains(socket.local.port)
                                 || (socket.remote && serverPorts.contains(socket.remote->port))
                                 || m_ourTuples.contains(
                                         tupleText(socket.protocol, socket.local, socket.remote));
            if (!related)
                return;
        }
        const SocketRole role = roleFor(socket, listenerPorts, ownPids);
        if (id == InvalidSocketId) {
            SocketRecord record;
            record.protocol = socket.protocol;
            record.role = role;
            record.local = socket.local;
            record.remote = socket.remote;
            record.pid = socket.facts.pid;
            record.program = socket.facts.program;
            record.kernel = factsOf(socket);
            record.kernelOnly = true;
            id = m_registry.add(std::move(record));
            ++result.added;
        } else {
            m_registry.update(id, [&socket, role](SocketRecord &record) {
                record.kernel = factsOf(socket);
                if (record.kernelOnly) {
                    // Only the kernel speaks for these, so its later answers (an owner found,
                    // a state change) may reclassify them.
                    record.role = role;
                    // No inode: no file, so no process holds it any more (TIME_WAIT), as
                    // ss shows it. With one, a pid not found this time is a lookup miss.
                    if (socket.facts.pid > 0 || socket.facts.inode == 0) {
                        record.pid = socket.facts.pid;
                        record.program = socket.facts.program;
                    }
                }
            });
            ++result.matched;
        }
        seen.insert(id);
    };
    const auto ownedByUs = [&ownPids](const KernelSocket &socket) {
        return socket.facts.pid == 0 || ownPids.contains(socket.facts.pid);
    };
    for (const KernelSocket &socket : snapshot) {
        if (ownedByUs(socket))
            mergeOne(socket);
    }
    for (const KernelSocket &socket : snapshot) {
        if (!ownedByUs(socket))
            mergeOne(socket);
    }

    for (SocketId id : std::as_const(m_withFacts)) {
        if (seen.contains(id))
            continue;
        const SocketRecord *record = m_registry.find(id);
        if (!record)
            continue;
        if (record->kernelOnly) {
            m_registry.remove(id);
            ++result.removed;
        } else {
            m_registry.update(id, [](SocketRecord &r) { r.kernel.reset(); });
            ++result.cleared;
        }
    }
    m_withFacts = std::move(seen);
    return result;
}

QString KernelMerger::ownerText(const KernelSocket &other)
{
    if (other.facts.program.isEmpty())
        return QStringLiteral("pid %1").arg(other.facts.pid);
    return QStringLiteral("%1, pid %2").arg(other.facts.program).arg(other.facts.pid);
}

KernelMerger::WatchedPorts KernelMerger::portsToWatch(const SocketRegistry &registry)
{
    QSet<quint16> servers;
    QList<const SocketRecord *> others;
    for (SocketId id : registry.ids()) {
        const SocketRecord *record = registry.find(id);
        if (!record || record->kernelOnly || record->local.port == 0)
            continue;
        const bool serverSide = record->role == SocketRole::TcpListener
                                || record->role == SocketRole::TcpServerSide
                                || record->role == SocketRole::UdpServer;
        if (serverSide)
            servers.insert(record->local.port);
        else
            others.append(record);
    }
    QSet<quint16> ports = servers;
    QSet<quint16> udpOnly;
    for (const SocketRecord *record : std::as_const(others)) {
        if (record->protocol == Protocol::Udp)
            udpOnly.insert(record->local.port);
        else if (!record->remote || !servers.contains(record->remote->port))
            ports.insert(record->local.port);
    }
    udpOnly.subtract(ports);
    const auto sorted = [](const QSet<quint16> &set) {
        QList<quint16> list(set.cbegin(), set.cend());
        std::sort(list.begin(), list.end());
        return list;
    };
    return {sorted(ports), sorted(udpOnly)};
}

void KernelMerger::reset()
{
    apply({});
}

} // namespace SocketScope
