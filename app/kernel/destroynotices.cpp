// SPDX-License-Identifier: MIT
#include "destroynotices.h"

#include "inetdiag.h"
#include "kernelmerger.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace SocketScope {

namespace {

bool isTimeWaitImpossibleFrom(SocketState state)
{
    return state == SocketState::Listen || state == SocketState::CloseWait
           || state == SocketState::LastAck;
}

} // namespace

std::optional<SocketEvent> eventForDestroyNotice(const SocketRecord &record,
                                                 const KernelSocket &notice, qint64 monotonicNs)
{
    const SocketState known = record.kernel ? record.kernel->state : SocketState::Unknown;
    const auto stamped = [&](SocketEvent event) {
        event.monotonicNs = monotonicNs;
        return event;
    };
    if (record.protocol == Protocol::Udp || isTimeWaitImpossibleFrom(known)) {
        if (known == SocketState::Close)
            return std::nullopt; // already said (the trace, a poll)
        SocketEvent event = eventAbout(record, EventKind::StateChanged);
        event.from = known != SocketState::Unknown ? known : record.state;
        event.to = SocketState::Close;
        event.source = StateSource::DestroyNotice;
        if (record.kernel) {
            KernelFacts facts = *record.kernel;
            facts.state = SocketState::Close;
            facts.recvQ = notice.facts.recvQ;
            facts.sendQ = notice.facts.sendQ;
            if (notice.tcpInfo)
                facts.tcpInfo = notice.tcpInfo;
            event.facts = std::make_shared<const KernelFacts>(facts);
        }
        return stamped(event);
    }
    // A time-wait socket may carry on: the state stays as known, the counters are final.
    if (!record.kernel || !notice.tcpInfo || record.kernel->tcpInfo == notice.tcpInfo)
        return std::nullopt;
    KernelFacts facts = *record.kernel;
    facts.tcpInfo = notice.tcpInfo;
    SocketEvent event = eventAbout(record, EventKind::KernelFactsChanged);
    event.facts = std::make_shared<const KernelFacts>(facts);
    return stamped(event);
}

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {
// include/uapi/linux/sock_diag.h: enum { SKNLGRP_NONE, SKNLGRP_INET_TCP_DESTROY, ... }
constexpr unsigned int kGroups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
                                    SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY};
} // namespace

DestroyNoticeFollower::DestroyNoticeFollower(SocketRegistry &registry, QObject *parent)
    : QObject(parent), m_registry(registry)
{
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        return;
    }
    // bind(), not NETLINK_ADD_MEMBERSHIP: bind also gives the socket a port id of its own,
    // and the kernel skips a listener whose port id is 0, the broadcaster's own.
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    for (unsigned int group : kGroups)
        address.nl_groups |= 1u << (group - 1);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return;
    }
    // Which group a notice came by says its protocol (the message alone does not).
    const int on = 1;
    ::setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof(on));
    // A flood of ends must not be lost to a small default buffer.
    const int buffer = 1 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    m_fd = fd;
    m_notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &DestroyNoticeFollower::drain);
}

DestroyNoticeFollower::~DestroyNoticeFollower()
{
    m_notifier.reset();
    if (m_fd >= 0)
        ::close(m_fd);
}

void DestroyNoticeFollower::drain()
{
    if (m_fd < 0)
        return;
    alignas(nlmsghdr) char buffer[16384];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(nl_pktinfo))];
    for (int datagrams = 0; datagrams < 1000; ++datagrams) { // bounded: others wait a turn
        iovec io{buffer, sizeof(buffer)};
        sockaddr_nl sender{};
        msghdr message{};
        message.msg_name = &sender;
        message.msg_namelen = sizeof(sender);
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof(control);
        const ssize_t received = ::recvmsg(m_fd, &message, 0);
        if (received <= 0)
            return; // EAGAIN: all read; ENOBUFS: some were lost, the next poll catches up
        // Only the kernel announces an end. A local process with CAP_NET_ADMIN may send to
        // our port id too, and what it says about our sockets need not be true.
        if (!InetDiag::isFromKernel(message))
            continue;
        unsigned int group = 0;
        for (cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO) {
                nl_pktinfo info;
                std::memcpy(&info, CMSG_DATA(c), sizeof(info));
                group = info.group;
            }
        }
        const Protocol protocol
                = (group == SKNLGRP_INET_UDP_DESTROY || group == SKNLGRP_INET6_UDP_DESTROY)
                          ? Protocol::Udp
                          : Protocol::Tcp;
        KernelSnapshot notices;
        QString error;
        if (InetDiag::parseDumpReply(QByteArrayView(buffer, received), protocol, &notices, &error)
            == InetDiag::ParseStatus::Error)
            continue; // a message we cannot read says nothing we may show
        for (const KernelSocket &notice : std::as_const(notices))
            handle(notice);
    }
}

#else

DestroyNoticeFollower::DestroyNoticeFollower(SocketRegistry &registry, QObject *parent)
    : QObject(parent), m_registry(registry)
{
    m_error = QCoreApplication::translate("SocketScope::DestroyNoticeFollower",
                                          "this build reads no kernel");
}
DestroyNoticeFollower::~DestroyNoticeFollower() = default;
void DestroyNoticeFollower::drain() { }

#endif

void DestroyNoticeFollower::handle(const KernelSocket &notice)
{
    const SocketId id = findKernelSocket(m_registry, notice.protocol, notice.local, notice.remote);
    const SocketRecord *record = m_registry.find(id);
    if (!record)
        return; // not ours (every socket of the machine is announced)
    ++m_notices;
    if (auto event = eventForDestroyNotice(*record, notice, systemEventTime().monotonicNs))
        m_registry.apply(*event);
    Q_EMIT socketEnded();
}

} // namespace SocketScope
