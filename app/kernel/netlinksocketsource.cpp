// SPDX-License-Identifier: MIT
#include "netlinksocketsource.h"

#include "kernellogging.h"

#include <QElapsedTimer>
#include <QSet>
#include <QtEndian>

#include <algorithm>
#include <cmath>

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>
#endif

namespace SocketScope {

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {

constexpr int kLinuxTcpListen = 10; // TCP_LISTEN in the kernel's tcp_states.h

// Does every connection waiting in a listener's accept queue appear in the snapshot? A
// listener's Recv-Q counts them; a waiting connection has no file yet, so its inode is 0.
// More waiting than known means a client nobody told us about (another program's).
bool acceptQueuesExplained(const KernelSnapshot &snapshot)
{
    for (const KernelSocket &listener : snapshot) {
        if (listener.protocol != Protocol::Tcp || listener.facts.state != SocketState::Listen
            || listener.facts.recvQ == 0)
            continue;
        quint32 waiting = 0;
        for (const KernelSocket &socket : snapshot) {
            const bool queuedState = socket.facts.state == SocketState::Established
                                     || socket.facts.state == SocketState::CloseWait;
            if (socket.protocol == Protocol::Tcp && queuedState && socket.facts.inode == 0
                && socket.local.port == listener.local.port
                && (InetDiag::isAnyAddress(listener.local.address)
                    || socket.local.address == listener.local.address))
                ++waiting;
        }
        if (waiting < listener.facts.recvQ)
            return false;
    }
    return true;
}

} // namespace

NetlinkSocketSource::NetlinkSocketSource() = default;
NetlinkSocketSource::~NetlinkSocketSource() = default;

int NetlinkSocketSource::discoveryEvery() const
{
    if (m_fixedDiscoveryEvery > 0)
        return m_fixedDiscoveryEvery;
    if (m_discoveryBudgetMs <= 0)
        return 1;
    return qBound(1, int(std::ceil(m_lastDiscoveryMs / m_discoveryBudgetMs)), MaxDiscoveryEvery);
}

std::optional<KernelSnapshot> NetlinkSocketSource::read(const KernelFilter &filter, QString *error)
{
    QString localError;
    QString *err = error ? error : &localError;
    KernelSnapshot snapshot;
    if (filter.isEmpty())
        return snapshot;
    if (!m_channel.open(err))
        return std::nullopt;

    // The whole host has no tuples worth refreshing: everything there is "unknown". New ports
    // alone need no walk: what Qt knows on them comes as hints, listeners and UDP are
    // dumped anyway; only where a walk is cheap enough for every read does it run at once.
    const int every = discoveryEvery();
    const bool scopeChanged = !m_discoveredOnce || filter.wholeHost
                              || filter.wholeHost != m_lastFilter.wholeHost
                              || filter.tcp != m_lastFilter.tcp || filter.udp != m_lastFilter.udp;
    const bool portsChanged
            = filter.ports != m_lastFilter.ports || filter.udpPorts != m_lastFilter.udpPorts;
    bool discovery
            = scopeChanged || (portsChanged && every == 1) || ++m_readsSinceDiscovery >= every;
    m_lastFilter = filter;
    m_lastDiscoveryHadEvidence = false;
    if (!discovery) {
        if (!refresh(filter, &snapshot, err))
            return std::nullopt;
        // Right after a walk everything waiting was seen; asking again at once would only
        // repeat a walk that raced an accept().
        if (m_readsSinceDiscovery >= 2 && !acceptQueuesExplained(snapshot)) {
            discovery = true;
            m_lastDiscoveryHadEvidence = true;
            snapshot.clear();
        }
    }
    m_lastWasDiscovery = discovery;
    if (discovery) {
        QElapsedTimer clock;
        clock.start();
        if (!dumpAll(filter, ~0U, &snapshot, err))
            return std::nullopt;
        m_lastDiscoveryMs = double(clock.nsecsElapsed()) / 1e6;
        m_readsSinceDiscovery = 0;
        m_discoveredOnce = true;
    }
    m_knownTcp.clear();
    for (const KernelSocket &socket : std::as_const(snapshot)) {
        if (socket.protocol == Protocol::Tcp)
            m_knownTcp.append(socket);
    }
    return snapshot;
}

bool NetlinkSocketSource::refresh(const KernelFilter &filter, KernelSnapshot *out, QString *error)
{
    // Listeners (LISTEN only: the kernel then skips the established hash) and UDP by dump,
    // connections by exact lookup.
    if (!dumpAll(filter, 1U << kLinuxTcpListen, out, error))
        return false;
    return !filter.tcp || refreshTcp(filter, out, error);
}

bool NetlinkSocketSource::dumpAll(const KernelFilter &filter, quint32 tcpStates,
                                  KernelSnapshot *out, QString *err)
{
    const auto bytecodeFor = [&filter](Protocol protocol) {
        return filter.wholeHost ? QByteArray()
                                : InetDiag::portFilterBytecode(filter.portsFor(protocol));
    };
    if (filter.tcp) {
        const QByteArray bytecode = bytecodeFor(Protocol::Tcp);
        // A dump of connections walks the kernel's whole established hash, whatever the
        // filter. The old TCPDIAG_GETSOCK request (what ss uses) covers IPv4 and IPv6 in one
        // walk; per-family requests take two.
        bool done = false;
        if (m_bothFamiliesWorks) {
            const qsizetype before = out->size();
            QString legacyError;
            done = dump(AF_UNSPEC, Protocol::Tcp, tcpStates, filter, bytecode, out, &legacyError);
            if (!done) {
                out->resize(before);
                if (!m_bothFamiliesEverWorked) {
                    qCInfo(lcKernel) << "one-walk TCP dump refused (" << legacyError
                                     << "), using one dump per address family";
                    m_bothFamiliesWorks = false;
                } else {
                    *err = legacyError;
                    return false;
                }
            } else {
                m_bothFamiliesEverWorked = true;
            }
        }
        for (int family : {AF_INET, AF_INET6}) {
            if (done)
                break;
            if (!dump(family, Protocol::Tcp, tcpStates, filter, bytecode, out, err))
                return false;
        }
    }
    if (filter.udp) {
        // UDP has no both-families request; its table walk is cheap (indexed by port).
        const QByteArray bytecode = bytecodeFor(Protocol::Udp);
        for (int family : {AF_INET, AF_INET6}) {
            if (!dump(family, Protocol::Udp, ~0U, filter, bytecode, out, err))
                return false;
        }
    }
    return true;
}

bool NetlinkSocketSource::refreshTcp(const KernelFilter &filter, KernelSnapshot *out,
                                     QString *error)
{
    // What to ask about: every connection of the last answer and of the caller's hints, and
    // the far end of each (our client's server side appears there, even before accept()).
    QList<KernelSocket> wanted;
    QSet<QString> asked;
    auto key = [](const Endpoint &local, const std::optional<Endpoint> &remote) -> QString {
        return local.address.toString() + QLatin1Char(' ') + QString::number(local.port)
               + QLatin1Char(' ') + (remote ? remote->address.toString() : QString())
               + QLatin1Char(' ') + QString::number(remote ? remote->port : 0);
    };
    // Listeners (no remote) came with the LISTEN dump.
    QList<KernelSocket> connections;
    for (const KernelSocket &socket : std::as_const(m_knownTcp)) {
        if (socket.remote)
            connections.append(socket);
    }
    for (const KnownConnection &hint : filter.connections) {
        KernelSocket socket;
        socket.local = hint.local;
        socket.remote = hint.remote;
        connections.append(socket);
    }
    for (const KernelSocket &socket : std::as_const(connections)) {
        if (!asked.contains(key(socket.local, socket.remote))) {
            asked.insert(key(socket.local, socket.remote));
            wanted.append(socket);
        }
    }
    for (const KernelSocket &socket : std::as_const(connections)) {
        if (asked.contains(key(*socket.remote, socket.local)))
            continue;
        KernelSocket reverse = socket;
        reverse.local = *socket.remote;
        reverse.remote = socket.local;
        asked.insert(key(reverse.local, reverse.remote));
        wanted.append(reverse);
    }
    for (const KernelSocket &socket : std::as_const(wanted)) {
        std::optional<KernelSocket> found;
        if (!lookup(socket, &found, error))
            return false;
        if (found
            && filter.matches(Protocol::Tcp, found->local.port,
                              found->remote ? found->remote->port : 0))
            out->append(std::move(*found));
    }
    return true;
}

bool NetlinkSocketSource::lookup(const KernelSocket &wanted, std::optional<KernelSocket> *found,
                                 QString *error)
{
    const bool v6 = wanted.local.address.protocol() == QAbstractSocket::IPv6Protocol;
    alignas(nlmsghdr) char request[256];
    nlmsghdr *header = mnl_nlmsg_put_header(request);
    header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    header->nlmsg_flags = NLM_F_REQUEST; // no NLM_F_DUMP: one socket, by hash lookup
    header->nlmsg_seq = m_channel.nextSequence();
    auto *req = static_cast<inet_diag_req_v2 *>(
            mnl_nlmsg_put_extra_header(header, sizeof(inet_diag_req_v2)));
    req->sdiag_family = v6 ? AF_INET6 : AF_INET;
    req->sdiag_protocol = IPPROTO_TCP;
    req->idiag_states = ~0U;
    if (m_wantTcpInfo)
        req->idiag_ext = quint8(1U << (INET_DIAG_INFO - 1));
    req->id.idiag_sport = qToBigEndian(wanted.local.port);
    req->id.idiag_dport = qToBigEndian(wanted.remote ? wanted.remote->port : quint16(0));
    auto putAddress = [v6](const QHostAddress &address, __be32 *words) {
        if (v6) {
            const Q_IPV6ADDR bytes = address.toIPv6Address();
            std::memcpy(words, bytes.c, 16);
        } else {
            const quint32 v4 = qToBigEndian(address.toIPv4Address());
            std::memcpy(words, &v4, 4);
        }
    };
    putAddress(wanted.local.address, req->id.idiag_src);
    if (wanted.remote)
        putAddress(wanted.remote->address, req->id.idiag_dst);
    req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (!m_channel.send(*header)) {
        *error = QStringLiteral("sock_diag lookup failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        m_channel.close();
        return false;
    }
    QByteArrayView datagram;
    if (!m_channel.receive(&datagram)) {
        *error = QStringLiteral("sock_diag receive failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        m_channel.close();
        return false;
    }
    KernelSnapshot reply;
    int kernelErrno = 0;
    QString parseError;
    const auto status
            = InetDiag::parseDumpReply(datagram, Protocol::Tcp, &reply, &parseError, &kernelErrno,
                                       InetDiag::Request{header->nlmsg_seq, m_channel.portId()});
    if (status == InetDiag::ParseStatus::Error) {
        if (kernelErrno == ENOENT)
            return true; // gone
        *error = parseError;
        m_channel.close();
        return false;
    }
    // The kernel falls back to a listener on the local port when no connection has the
    // tuple; only an exact answer counts.
    if (reply.size() == 1 && reply.first().local == wanted.local
        && reply.first().remote == wanted.remote)
        *found = std::move(reply.first());
    return true;
}

bool NetlinkSocketSource::dump(int family, Protocol protocol, quint32 states,
                               const KernelFilter &filter, const QByteArray &bytecode,
                               KernelSnapshot *out, QString *error)
{
    // An attribute's length is 16 bits: a filter for more than about 2700 ports does not
    // fit. Then the kernel sends every socket and the filter runs here instead.
    const bool kernelFilters
            = !bytecode.isEmpty() && NLA_HDRLEN + bytecode.size() <= qsizetype(0xFFFF);
    const size_t requestBytes
            = NLMSG_HDRLEN + NLMSG_ALIGN(qMax(sizeof(inet_diag_req), sizeof(inet_diag_req_v2)))
              + (kernelFilters ? NLA_HDRLEN + NLA_ALIGN(size_t(bytecode.size())) : 0);
    std::vector<quint32> request((requestBytes + 3) / 4, 0); // 4-byte aligned, as netlink wants
    nlmsghdr *header = mnl_nlmsg_put_header(request.data());
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    header->nlmsg_seq = m_channel.nextSequence();
    const quint8 extensions = protocol == Protocol::Tcp && m_wantTcpInfo && !filter.wholeHost
                                      ? quint8(1U << (INET_DIAG_INFO - 1))
                                      : quint8(0);
    if (family == AF_UNSPEC) {
        // TCPDIAG_GETSOCK: the kernel sets the family to AF_UNSPEC, i.e. both.
        header->nlmsg_type = TCPDIAG_GETSOCK;
        auto *req = static_cast<inet_diag_req *>(
                mnl_nlmsg_put_extra_header(header, sizeof(inet_diag_req)));
        req->idiag_family = AF_INET;
        req->idiag_states = states;
        req->idiag_ext = extensions;
    } else {
        header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        auto *req = static_cast<inet_diag_req_v2 *>(
                mnl_nlmsg_put_extra_header(header, sizeof(inet_diag_req_v2)));
        req->sdiag_family = quint8(family);
        req->sdiag_protocol = protocol == Protocol::Tcp ? IPPROTO_TCP : IPPROTO_UDP;
        req->idiag_states = states; // ~0U: every state, TIME_WAIT and request sockets too
        req->idiag_ext = extensions;
    }
    if (kernelFilters
        && !mnl_attr_put_check(header, request.size() * 4, INET_DIAG_REQ_BYTECODE,
                               size_t(bytecode.size()), bytecode.constData())) {
        *error = QStringLiteral("port filter does not fit the request (%1 bytes)")
                         .arg(bytecode.size());
        return false;
    }
    const bool filterHere = !bytecode.isEmpty() && !kernelFilters;
    const qsizetype firstNew = out->size();
    if (!m_channel.send(*header)) {
        *error = QStringLiteral("sock_diag request failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Bounded: a dump ends with NLMSG_DONE; the count guards against a kernel that never
    // says so (each datagram holds at least one socket, the host cannot have more than this).
    constexpr int kMaxDatagrams = 1 << 20;
    for (int i = 0; i < kMaxDatagrams; ++i) {
        QByteArrayView datagram;
        if (!m_channel.receive(&datagram)) {
            *error = QStringLiteral("sock_diag receive failed: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            m_channel.close();
            return false;
        }
        const auto status = InetDiag::parseDumpReply(
                datagram, protocol, out, error, nullptr,
                InetDiag::Request{header->nlmsg_seq, m_channel.portId()});
        if (status == InetDiag::ParseStatus::Done) {
            if (filterHere) {
                const auto unmatched = [&filter](const KernelSocket &socket) {
                    return !filter.matches(socket.protocol, socket.local.port,
                                           socket.remote ? socket.remote->port : 0);
                };
                out->erase(std::remove_if(out->begin() + firstNew, out->end(), unmatched),
                           out->end());
            }
            return true;
        }
        if (status == InetDiag::ParseStatus::Error) {
            m_channel.close();
            return false;
        }
    }
    *error = QStringLiteral("sock_diag dump did not end");
    return false;
}

#else // !SOCKETSCOPE_LINUX_KERNEL_PROBE

NetlinkSocketSource::NetlinkSocketSource() = default;
NetlinkSocketSource::~NetlinkSocketSource() = default;

int NetlinkSocketSource::discoveryEvery() const
{
    return 1;
}

std::optional<KernelSnapshot> NetlinkSocketSource::read(const KernelFilter &, QString *error)
{
    if (error)
        *error = QStringLiteral("sock_diag exists on Linux only");
    return std::nullopt;
}

#endif

} // namespace SocketScope
