// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"

#include <QList>
#include <QString>

#include <optional>

namespace SocketScope {

// A TCP connection the caller already knows of (from Qt), by its tuple.
struct KnownConnection
{
    Endpoint local;
    Endpoint remote;
    bool operator==(const KnownConnection &other) const = default;
};

// Which sockets to ask the kernel about. A socket matches when its local OR remote port is
// in the list, so both ends of our connections and external peers on our ports show up.
struct KernelFilter
{
    QList<quint16> ports;
    // Ports that matter for UDP only (unconnected UDP clients: no remote port to match on).
    // Kept apart so a TCP dump does not test every socket against them.
    QList<quint16> udpPorts;
    bool tcp = true;
    bool udp = true;
    bool wholeHost = false; // every socket on the machine; ports are ignored
    // Hints, not limits: connections on these ports the caller knows of. A source may ask for
    // them (and their far ends) directly instead of searching the whole table.
    QList<KnownConnection> connections;

    bool matches(Protocol protocol, quint16 localPort, quint16 remotePort) const
    {
        if (protocol == Protocol::Tcp ? !tcp : !udp)
            return false;
        if (wholeHost || ports.contains(localPort) || ports.contains(remotePort))
            return true;
        return protocol == Protocol::Udp
               && (udpPorts.contains(localPort) || udpPorts.contains(remotePort));
    }
    // The ports a dump of this protocol filters on.
    QList<quint16> portsFor(Protocol protocol) const
    {
        return protocol == Protocol::Udp ? ports + udpPorts : ports;
    }
    // Nothing can match: the probe then answers with an empty snapshot without a syscall.
    bool isEmpty() const
    {
        return (!tcp && !udp) || (!wholeHost && ports.isEmpty() && (!udp || udpPorts.isEmpty()));
    }
    bool operator==(const KernelFilter &other) const = default;
};

// A reader of the kernel's socket table. Implementations are used from one thread at a
// time (the probe's worker) and keep no Qt object state.
class KernelSocketSource
{
public:
    virtual ~KernelSocketSource() = default;
    // Short name for the UI and logs: "netlink", "proc".
    virtual QString name() const = 0;
    // One complete read; nullopt with *error set when the kernel could not be asked.
    virtual std::optional<KernelSnapshot> read(const KernelFilter &filter, QString *error) = 0;
};

} // namespace SocketScope
