// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

namespace SocketScope {

// How the TCP server serves the connections it accepts. Chosen per connection at accept
// time, so switching it leaves the connections already served where they are.
enum class ConcurrencyModel {
    EventLoop, // one thread, Qt's asynchronous sockets
    ThreadPerClient, // the accepted socket goes to a worker QThread of its own
    ProcessPerClient, // the accepted socket goes to a child process (SCM_RIGHTS)
};

// How the UDP server receives: the taught model is one socket for everyone; the contrast is
// one connected socket per client, which the kernel picks by the full 4-tuple.
enum class UdpModel {
    Single,
    ConnectedPerClient,
};

// Wire names for the CLI, logs and the JSON export: "event-loop", "thread", "process";
// "single", "connected". Parsing is case-insensitive and returns nullopt for anything else.
QString concurrencyModelName(ConcurrencyModel model);
std::optional<ConcurrencyModel> concurrencyModelFromName(const QString &name);
QString udpModelName(UdpModel model);
std::optional<UdpModel> udpModelFromName(const QString &name);

} // namespace SocketScope
