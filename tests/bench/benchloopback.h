// SPDX-License-Identifier: MIT
// The one address the benchmarks' load goes to: 127.0.0.1, never anything else.
#pragma once

#include <QtGlobal>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace SocketScope::Bench {

inline sockaddr_in loopback(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

} // namespace SocketScope::Bench
