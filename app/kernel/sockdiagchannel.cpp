// SPDX-License-Identifier: MIT
#include "sockdiagchannel.h"

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include "inetdiag.h"
#include "kernellogging.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#endif

namespace SocketScope {

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {

// The largest datagram a sock_diag dump sends is about one page; 32 KiB is what ss uses
// and lets the kernel pack many sockets into each recv.
constexpr qsizetype kReceiveBufferSize = qsizetype{32} * 1024;
constexpr int kReceiveTimeoutMs = 1000;

// recvmsg() for the kernel's answers only. A local process with CAP_NET_ADMIN may send a
// datagram to our port id too, and it is not the kernel: its datagrams are skipped, a
// bounded number of them. A truncated datagram is an error (ENOSPC,
// as libmnl's recvfrom says), since its cut-off messages cannot be read.
ssize_t receiveFromKernel(int fd, QByteArray &buffer)
{
    constexpr int kMaxForeign = 64;
    for (int foreign = 0; foreign < kMaxForeign; ++foreign) {
        sockaddr_nl sender{};
        iovec data{buffer.data(), size_t(buffer.size())};
        msghdr message{};
        message.msg_name = &sender;
        message.msg_namelen = sizeof sender;
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        const ssize_t received = ::recvmsg(fd, &message, 0);
        if (received < 0)
            return received;
        if (message.msg_flags & MSG_TRUNC) {
            errno = ENOSPC;
            return -1;
        }
        if (InetDiag::isFromKernel(message)) {
            if (foreign > 0)
                qCWarning(lcKernel) << "ignored" << foreign
                                    << "sock_diag datagrams that did not come from the kernel";
            return received;
        }
    }
    qCWarning(lcKernel) << "ignored" << kMaxForeign
                        << "sock_diag datagrams that did not come from the kernel; giving up";
    errno = EBADMSG;
    return -1;
}

} // namespace

SockDiagChannel::SockDiagChannel() = default;

SockDiagChannel::~SockDiagChannel()
{
    if (m_socket)
        mnl_socket_close(m_socket);
}

bool SockDiagChannel::open(QString *error)
{
    if (m_socket)
        return true;
    m_socket = mnl_socket_open(NETLINK_SOCK_DIAG);
    if (!m_socket) {
        *error = QStringLiteral("cannot open NETLINK_SOCK_DIAG: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (mnl_socket_bind(m_socket, 0, MNL_SOCKET_AUTOPID) < 0) {
        *error = QStringLiteral("cannot bind the sock_diag socket: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        mnl_socket_close(m_socket);
        m_socket = nullptr;
        return false;
    }
    // A dump answers at once; the timeout only keeps a broken kernel from hanging the probe.
    const timeval timeout{kReceiveTimeoutMs / 1000, suseconds_t{kReceiveTimeoutMs % 1000} * 1000};
    setsockopt(mnl_socket_get_fd(m_socket), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    m_portId = mnl_socket_get_portid(m_socket);
    m_buffer.resize(kReceiveBufferSize);
    return true;
}

void SockDiagChannel::close()
{
    // The socket may hold the rest of a dump; the next read starts on a fresh one.
    if (m_socket)
        mnl_socket_close(m_socket);
    m_socket = nullptr;
}

bool SockDiagChannel::send(const nlmsghdr &message)
{
    return mnl_socket_sendto(m_socket, &message, message.nlmsg_len) >= 0;
}

bool SockDiagChannel::receive(QByteArrayView *datagram)
{
    const ssize_t received = receiveFromKernel(mnl_socket_get_fd(m_socket), m_buffer);
    if (received < 0)
        return false;
    *datagram = QByteArrayView(m_buffer.constData(), qsizetype(received));
    return true;
}

#else // !SOCKETSCOPE_LINUX_KERNEL_PROBE

SockDiagChannel::SockDiagChannel() = default;
SockDiagChannel::~SockDiagChannel() = default;

#endif

} // namespace SocketScope
