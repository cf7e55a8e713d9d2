// SPDX-License-Identifier: MIT
#pragma once

// Raw POSIX sockets on 127.0.0.1, port 0 only: the tests need exact control over when a
// socket accepts, half-closes or closes, which is what the kernel states hang on.

#include "kernelsnapshot.h"

#include <QtGlobal>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace SocketScope::Test {

// Owns one descriptor.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) { }
    Fd(Fd &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) { }
    Fd &operator=(Fd &&other) noexcept
    {
        reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    bool isValid() const { return m_fd >= 0; }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

inline sockaddr_in loopback(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

inline quint16 localPort(int fd)
{
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return 0;
    return ntohs(address.sin_port);
}

// A listener on 127.0.0.1:0 that never accepts unless asked to.
inline Fd listenTcp(int backlog)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopback(0);
    if (!fd.isValid()
        || ::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0
        || ::listen(fd.get(), backlog) != 0)
        return Fd();
    return fd;
}

// Blocking connect; on loopback the handshake completes inside the call.
inline Fd connectTcp(quint16 port)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopback(port);
    if (!fd.isValid()
        || ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0)
        return Fd();
    return fd;
}

// Non-blocking connect, for clients that may have to wait (full accept queue).
inline Fd connectTcpNonBlocking(quint16 port)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const sockaddr_in address = loopback(port);
    if (!fd.isValid())
        return Fd();
    const int rc
            = ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address));
    if (rc != 0 && errno != EINPROGRESS)
        return Fd();
    return fd;
}

// IPv6 sockets on 127.0.0.1 written as ::ffff:127.0.0.1: the kernel lists them as AF_INET6,
// so the IPv6 paths are exercised without any address but 127.0.0.1.
inline sockaddr_in6 mappedLoopback(quint16 port)
{
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(port);
    address.sin6_addr.s6_addr[10] = 0xff;
    address.sin6_addr.s6_addr[11] = 0xff;
    address.sin6_addr.s6_addr[12] = 127;
    address.sin6_addr.s6_addr[15] = 1;
    return address;
}

inline quint16 localPort6(int fd)
{
    sockaddr_in6 address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return 0;
    return ntohs(address.sin6_port);
}

inline Fd listenTcp6Mapped(int backlog)
{
    Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int off = 0;
    const sockaddr_in6 address = mappedLoopback(0);
    if (!fd.isValid() || ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0
        || ::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0
        || ::listen(fd.get(), backlog) != 0)
        return Fd();
    return fd;
}

inline Fd connectTcp6Mapped(quint16 port)
{
    Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int off = 0;
    const sockaddr_in6 address = mappedLoopback(port);
    if (!fd.isValid() || ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0
        || ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0)
        return Fd();
    return fd;
}

inline Fd acceptOne(int listener)
{
    return Fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

inline Fd bindUdp()
{
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopback(0);
    if (!fd.isValid()
        || ::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0)
        return Fd();
    return fd;
}

// The test's own sockets: a local port among `ports` and a far end that is none or also
// among them. A port filter also (rightly) matches other sockets on those ports: a stale
// TIME_WAIT whose far end happened to use one of our ephemeral ports, and, since tests run
// side by side and Linux gives one ephemeral port to connections with different far ends,
// another test's connection that shares a local port with ours. Counts in tests must not
// depend on either; the far end tells them apart.
inline KernelSnapshot betweenPorts(const KernelSnapshot &snapshot, const QList<quint16> &ports)
{
    KernelSnapshot out;
    for (const KernelSocket &socket : snapshot) {
        const bool farEndOurs
                = !socket.remote || socket.remote->port == 0 || ports.contains(socket.remote->port);
        if (ports.contains(socket.local.port) && farEndOurs)
            out.append(socket);
    }
    return out;
}

// A sock_diag socket of a process that is not the kernel, bound to a port of its own. The
// kernel lets it send to another port only with CAP_NET_ADMIN (root).
inline Fd openNetlinkForger()
{
    Fd forger(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    sockaddr_nl self{};
    self.nl_family = AF_NETLINK;
    if (forger.isValid()
        && ::bind(forger.get(), reinterpret_cast<const sockaddr *>(&self), sizeof(self)) != 0)
        forger.reset();
    return forger;
}

// Sends to netlink port `portId`, from `forger`, one well-formed message naming the TCP
// socket 127.0.0.1:localPort -> 127.0.0.1:remotePort (remotePort 0: none) in `state`, with
// sequence `seq`: what the kernel would say, said by someone else.
inline bool sendForgedSockDiag(const Fd &forger, quint32 portId, quint16 type, quint32 seq,
                               quint16 localPort, quint16 remotePort, quint8 state)
{
    struct
    {
        nlmsghdr header;
        inet_diag_msg msg;
    } datagram{};
    datagram.header.nlmsg_len = sizeof(datagram);
    datagram.header.nlmsg_type = type;
    datagram.header.nlmsg_seq = seq;
    datagram.msg.idiag_family = AF_INET;
    datagram.msg.idiag_state = state;
    datagram.msg.id.idiag_sport = htons(localPort);
    datagram.msg.id.idiag_dport = htons(remotePort);
    const quint32 address = htonl(INADDR_LOOPBACK);
    std::memcpy(datagram.msg.id.idiag_src, &address, sizeof(address));
    if (remotePort != 0) // a listener's remote end is 0.0.0.0:0
        std::memcpy(datagram.msg.id.idiag_dst, &address, sizeof(address));
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_pid = portId;
    return ::sendto(forger.get(), &datagram, sizeof(datagram), 0,
                    reinterpret_cast<const sockaddr *>(&to), sizeof(to))
           == ssize_t(sizeof(datagram));
}

} // namespace SocketScope::Test
