// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"
#include "socketregistry.h"

#include <QHash>
#include <QSet>

#include <functional>

namespace SocketScope {

// The registry's record of the kernel's socket with this tuple: written as the registry
// writes it, or with IPv4-mapped IPv6 addresses (a dual-stack socket talking IPv4) as
// plain IPv4.
SocketId findKernelSocket(const SocketRegistry &registry, Protocol protocol, const Endpoint &local,
                          const std::optional<Endpoint> &remote);

// Applies the kernel's view (one KernelSnapshot) to the registry:
//  - a socket Qt knows gets the kernel's facts beside Qt's state;
//  - a socket only the kernel has becomes a kernel-only record (TIME_WAIT left by the
//    active closer, connections waiting in the accept queue, other programs' sockets);
//  - a kernel-only record missing from the next snapshot is removed, and a Qt record the
//    kernel no longer lists keeps Qt's state but loses the stale kernel facts.
// Cost is linear in the snapshot and the registry: hash lookups only.
class KernelMerger
{
public:
    struct Result
    {
        int matched = 0; // kernel sockets that found a record (Qt's or an earlier kernel-only)
        int added = 0; // new kernel-only records
        int removed = 0; // kernel-only records the kernel no longer has
        int cleared = 0; // Qt records whose kernel facts were dropped
    };

    explicit KernelMerger(SocketRegistry &registry);

    // Decides whether a pid counts as ours (not an external peer). The default accepts our
    // own pid and the pid of any record Qt reported (children in process-per-client mode);
    // main.cpp can widen it to "any descendant" with PidResolver::isSelfOrDescendant.
    void setOwnProcessPredicate(std::function<bool(qint64 pid)> isOwn);

    Result apply(const KernelSnapshot &snapshot);
    // Whole-host view: every socket the kernel reports becomes a record. Otherwise only those
    // related to ours: on or towards one of our servers' ports, or a tuple we once had.
    void setShowUnrelated(bool show) { m_showUnrelated = show; }
    // The ports the probe should watch, from the sockets Qt reported (kernel-only records are
    // left out, or the filter would feed on its own results): the servers' ports, which also
    // catch every connection to them and its TIME_WAIT, plus the local port of any TCP socket
    // they do not cover. Unconnected UDP clients have nothing but their own port to match,
    // and those ports go apart so TCP dumps need not test them. Sorted, unique.
    struct WatchedPorts
    {
        QList<quint16> ports;
        QList<quint16> udpOnly;
    };
    static WatchedPorts portsToWatch(const SocketRegistry &registry);
    // Removes every kernel-only record and every kernel fact (probe switched off).
    void reset();

private:
    SocketRole roleFor(const KernelSocket &socket, const QSet<quint16> &listenerPorts,
                       const QSet<qint64> &ownPids) const;

    SocketRegistry &m_registry;
    std::function<bool(qint64)> m_isOwn;
    quint32 m_ownUid; // the kernel's uid for our sockets
    QSet<SocketId> m_withFacts; // records that got facts from the last snapshot
    QSet<QString> m_ourTuples;
    bool m_showUnrelated = false;
    static KernelFacts factsOf(const KernelSocket &socket);
    // "python3, pid 4242": who holds a socket, for KernelFacts::sharedWith.
    static QString ownerText(const KernelSocket &other);
    static QString tupleText(Protocol protocol, const Endpoint &local,
                             const std::optional<Endpoint> &remote);
};

} // namespace SocketScope
