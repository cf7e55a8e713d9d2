// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QList>
#include <QMetaType>

#include <optional>

namespace SocketScope {

// One socket as the kernel's own table reports it (sock_diag or /proc/net). A plain value
// so a whole snapshot can be handed from the probe's thread to the UI thread by copy.
struct KernelSocket
{
    Protocol protocol = Protocol::Tcp;
    Endpoint local;
    // nullopt for a listener (remote *:*) and for an unconnected UDP socket, so the tuple
    // matches the registry's way of writing those sockets.
    std::optional<Endpoint> remote;
    KernelFacts facts;
    quint32 uid = 0;
    std::optional<KernelTcpInfo> tcpInfo;
    bool operator==(const KernelSocket &other) const = default;
};

using KernelSnapshot = QList<KernelSocket>;

} // namespace SocketScope

Q_DECLARE_METATYPE(SocketScope::KernelSocket)
Q_DECLARE_METATYPE(SocketScope::KernelSnapshot)
