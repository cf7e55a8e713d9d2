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
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>
#endif

namespace SocketScope {

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {

// The largest datagram a sock_diag dump sends is about one page; 32 KiB is what ss uses
// and lets the kernel pack many sockets into each recv.
constexpr qsizetype kReceiveBufferSize = qsizetype{32} * 1024;
constexpr int kReceiveTimeoutMs = 1000;
constexpr int kLinuxTcpListen = 10; // TCP_LISTEN in the kernel's tcp_states.h

template<typename T>
T readStruct(const char *at)
{
    // memcpy, because a netlink buffer handed in by a test need not be aligned for T.
    T value;
    std::memcpy(&value, at, sizeof(T));
    return value;
}

QHostAddress addressFrom(quint8 family, const __be32 words[4])
{
    if (family == AF_INET) {
        quint32 v4;
        std::memcpy(&v4, words, sizeof(v4));
        return QHostAddress(qFromBigEndian(v4));
    }
    Q_IPV6ADDR v6;
    std::memcpy(v6.c, words, sizeof(v6.c));
    return QHostAddress(v6);
}

// The kernel reports an error as -errno, errno in 1..MAX_ERRNO (4095).
bool isKernelErrorCode(int status)
{
    return status < 0 && status >= -4095;
}

bool isAnyAddress(const QHostAddress &address)
{
    return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6;
}

SocketState stateFor(Protocol protocol, int linuxState)
{
    // UDP borrows TCP's numbers: TCP_CLOSE means "not connected", TCP_ESTABLISHED means
    // connect() fixed the peer. ss calls those UNCONN and ESTAB.
    if (protocol == Protocol::Udp)
        return linuxState == 1 ? SocketState::Established : SocketState::Unconnected;
    return stateFromLinuxTcpState(linuxState);
}

void appendOp(QByteArray *code, quint8 op, quint8 yes, quint16 no)
{
    const inet_diag_bc_op value{op, yes, no};
    code->append(reinterpret_cast<const char *>(&value), sizeof(value));
}

bool parseSocket(const char *payload, qsizetype payloadLength, Protocol protocol,
                 KernelSocket *socket, QString *error)
{
    if (payloadLength < qsizetype(sizeof(inet_diag_msg))) {
        *error = QStringLiteral("inet_diag_msg truncated (%1 of %2 bytes)")
                         .arg(payloadLength)
                         .arg(sizeof(inet_diag_msg));
        return false;
    }
    const auto msg = readStruct<inet_diag_msg>(payload);
    if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) {
        *error = QStringLiteral("inet_diag_msg with address family %1").arg(msg.idiag_family);
        return false;
    }
    socket->protocol = protocol;
    socket->local
            = {addressFrom(msg.idiag_family, msg.id.idiag_src), qFromBigEndian(msg.id.idiag_sport)};
    const Endpoint remote{addressFrom(msg.idiag_family, msg.id.idiag_dst),
                          qFromBigEndian(msg.id.idiag_dport)};
    if (remote.port == 0 && isAnyAddress(remote.address))
        socket->remote.reset();
    else
        socket->remote = remote;
    socket->facts.state = stateFor(protocol, msg.idiag_state);
    socket->facts.recvQ = msg.idiag_rqueue;
    socket->facts.sendQ = msg.idiag_wqueue;
    socket->facts.inode = msg.idiag_inode;
    socket->facts.timerMs = msg.idiag_timer != 0 ? qint64(msg.idiag_expires) : -1;
    socket->uid = msg.idiag_uid;

    // Attributes follow the aligned header; each must fit inside the message.
    qsizetype offset = NLMSG_ALIGN(sizeof(inet_diag_msg));
    while (offset + qsizetype(sizeof(nlattr)) <= payloadLength) {
        const auto attr = readStruct<nlattr>(payload + offset);
        const qsizetype attrLength = attr.nla_len;
        if (attrLength < qsizetype(sizeof(nlattr)) || attrLength > payloadLength - offset) {
            *error = QStringLiteral("attribute of length %1 overruns its message").arg(attrLength);
            return false;
        }
        const int type = attr.nla_type & NLA_TYPE_MASK;
        // A listener's tcp_info is not about a connection: the kernel reuses its fields for
        // the accept queue (unacked = connections waiting, sacked = backlog), which Recv-Q
        // and Send-Q already say. Kept, it would read as "3 unacknowledged".
        if (type == INET_DIAG_INFO && protocol == Protocol::Tcp
            && socket->facts.state != SocketState::Listen) {
            // Older kernels send a shorter tcp_info: copy what came, zero the rest.
            tcp_info info;
            std::memset(&info, 0, sizeof(info));
            const qsizetype dataLength = attrLength - qsizetype(NLA_HDRLEN);
            std::memcpy(&info, payload + offset + NLA_HDRLEN,
                        size_t(qMin<qsizetype>(dataLength, sizeof(info))));
            socket->tcpInfo
                    = KernelTcpInfo{info.tcpi_rtt, info.tcpi_rttvar, info.tcpi_total_retrans,
                                    info.tcpi_unacked, info.tcpi_snd_cwnd};
        }
        offset += NLA_ALIGN(attrLength);
    }
    return true;
}

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
                && (isAnyAddress(listener.local.address)
                    || socket.local.address == listener.local.address))
                ++waiting;
        }
        if (waiting < listener.facts.recvQ)
            return false;
    }
    return true;
}

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

namespace InetDiag {

QByteArray portFilterBytecode(const QList<quint16> &ports)
{
    // One test is a two-op pair: {S_EQ/D_EQ, yes=8, no=12} {0, 0, port}. "no" = 12 skips the
    // pair and the JMP after it, landing on the next test; the last test's "no" lands
    // 4 bytes past the end (reject). A passed test falls through to {JMP, 4, rest+4}, which
    // always takes its "no" jump straight to the end (accept).
    QByteArray code;
    const qsizetype tests = ports.size() * 2;
    code.reserve(tests * 12);
    qsizetype emitted = 0;
    for (quint16 port : ports) {
        for (quint8 op : {quint8(INET_DIAG_BC_S_EQ), quint8(INET_DIAG_BC_D_EQ)}) {
            appendOp(&code, op, 8, 12);
            appendOp(&code, 0, 0, port);
            ++emitted;
            if (emitted < tests) {
                const qsizetype rest = (tests - emitted) * 12 - 4; // bytes after this JMP
                appendOp(&code, INET_DIAG_BC_JMP, 4, quint16(rest + 4));
            }
        }
    }
    return code;
}

bool isFromKernel(const msghdr &message)
{
    if (!message.msg_name || message.msg_namelen != sizeof(sockaddr_nl)
        || (message.msg_flags & MSG_TRUNC))
        return false;
    sockaddr_nl sender;
    std::memcpy(&sender, message.msg_name, sizeof sender);
    return sender.nl_family == AF_NETLINK && sender.nl_pid == 0;
}

ParseStatus parseDumpReply(QByteArrayView bytes, Protocol protocol, KernelSnapshot *out,
                           QString *error, int *kernelErrno, std::optional<Request> request)
{
    if (kernelErrno)
        *kernelErrno = 0;
    const char *data = bytes.data();
    const qsizetype length = bytes.size();
    if (length == 0) {
        *error = QStringLiteral("empty netlink datagram");
        return ParseStatus::Error;
    }
    qsizetype offset = 0;
    while (offset < length) {
        if (length - offset < qsizetype(sizeof(nlmsghdr))) {
            *error = QStringLiteral("netlink header truncated at byte %1").arg(offset);
            return ParseStatus::Error;
        }
        const auto header = readStruct<nlmsghdr>(data + offset);
        const qsizetype messageLength = header.nlmsg_len;
        if (messageLength < qsizetype(sizeof(nlmsghdr)) || messageLength > length - offset) {
            *error = QStringLiteral("netlink message length %1 at byte %2 does not fit %3 bytes")
                             .arg(messageLength)
                             .arg(offset)
                             .arg(length);
            return ParseStatus::Error;
        }
        if (request && (header.nlmsg_seq != request->seq || header.nlmsg_pid != request->portId)) {
            *error = QStringLiteral("netlink message for another request (sequence %1, port %2; "
                                    "expected %3, port %4)")
                             .arg(header.nlmsg_seq)
                             .arg(header.nlmsg_pid)
                             .arg(request->seq)
                             .arg(request->portId);
            return ParseStatus::Error;
        }
        const char *payload = data + offset + NLMSG_HDRLEN;
        const qsizetype payloadLength = messageLength - qsizetype(NLMSG_HDRLEN);
        switch (header.nlmsg_type) {
        case NLMSG_DONE:
            if (payloadLength >= qsizetype(sizeof(int))) {
                const int status = readStruct<int>(payload);
                if (status < 0) {
                    *error = isKernelErrorCode(status)
                                     ? QStringLiteral("dump ended with error: %1")
                                               .arg(QString::fromLocal8Bit(std::strerror(-status)))
                                     : QStringLiteral("dump ended with %1, which is no error code")
                                               .arg(status);
                    return ParseStatus::Error;
                }
            }
            return ParseStatus::Done;
        case NLMSG_ERROR: {
            if (payloadLength < qsizetype(sizeof(int))) {
                *error = QStringLiteral("NLMSG_ERROR truncated");
                return ParseStatus::Error;
            }
            const int status = readStruct<int>(payload);
            if (status != 0 && !isKernelErrorCode(status)) {
                // Negating INT_MIN would overflow; a positive "errno" is no errno at all.
                *error = QStringLiteral("NLMSG_ERROR with %1, which is no error code").arg(status);
                return ParseStatus::Error;
            }
            if (status != 0) {
                if (kernelErrno)
                    *kernelErrno = -status;
                *error = QStringLiteral("kernel refused the request: %1")
                                 .arg(QString::fromLocal8Bit(std::strerror(-status)));
                return ParseStatus::Error;
            }
            break; // an acknowledgement
        }
        case NLMSG_NOOP:
            break;
        case SOCK_DIAG_BY_FAMILY:
        case TCPDIAG_GETSOCK: { // the reply to a both-families TCP dump keeps the request's type
            KernelSocket socket;
            if (!parseSocket(payload, payloadLength, protocol, &socket, error))
                return ParseStatus::Error;
            out->append(std::move(socket));
            break;
        }
        default:
            *error = QStringLiteral("unexpected netlink message type %1").arg(header.nlmsg_type);
            return ParseStatus::Error;
        }
        if (header.nlmsg_flags & NLM_F_DUMP_INTR) {
            // The table changed under the dump; a torn read could show a socket twice or not
            // at all, so drop it and let the next poll try again.
            *error = QStringLiteral("dump interrupted by a concurrent change");
            return ParseStatus::Error;
        }
        offset += NLMSG_ALIGN(messageLength);
    }
    return ParseStatus::More;
}

} // namespace InetDiag

NetlinkSocketSource::NetlinkSocketSource() = default;

NetlinkSocketSource::~NetlinkSocketSource()
{
    if (m_socket)
        mnl_socket_close(m_socket);
}

bool NetlinkSocketSource::ensureOpen(QString *error)
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

void NetlinkSocketSource::dropSocket()
{
    // The socket may hold the rest of a dump; the next read starts on a fresh one.
    if (m_socket)
        mnl_socket_close(m_socket);
    m_socket = nullptr;
}

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
    if (!ensureOpen(err))
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
    header->nlmsg_seq = ++m_seq;
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
    if (mnl_socket_sendto(m_socket, header, header->nlmsg_len) < 0) {
        *error = QStringLiteral("sock_diag lookup failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        dropSocket();
        return false;
    }
    const ssize_t received = receiveFromKernel(mnl_socket_get_fd(m_socket), m_buffer);
    if (received < 0) {
        *error = QStringLiteral("sock_diag receive failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        dropSocket();
        return false;
    }
    KernelSnapshot reply;
    int kernelErrno = 0;
    QString parseError;
    const auto status = InetDiag::parseDumpReply(
            QByteArrayView(m_buffer.constData(), qsizetype(received)), Protocol::Tcp, &reply,
            &parseError, &kernelErrno, InetDiag::Request{header->nlmsg_seq, m_portId});
    if (status == InetDiag::ParseStatus::Error) {
        if (kernelErrno == ENOENT)
            return true; // gone
        *error = parseError;
        dropSocket();
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
    header->nlmsg_seq = ++m_seq;
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
    if (mnl_socket_sendto(m_socket, header, header->nlmsg_len) < 0) {
        *error = QStringLiteral("sock_diag request failed: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Bounded: a dump ends with NLMSG_DONE; the count guards against a kernel that never
    // says so (each datagram holds at least one socket, the host cannot have more than this).
    constexpr int kMaxDatagrams = 1 << 20;
    for (int i = 0; i < kMaxDatagrams; ++i) {
        const ssize_t received = receiveFromKernel(mnl_socket_get_fd(m_socket), m_buffer);
        if (received < 0) {
            *error = QStringLiteral("sock_diag receive failed: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            dropSocket();
            return false;
        }
        const auto status = InetDiag::parseDumpReply(
                QByteArrayView(m_buffer.constData(), qsizetype(received)), protocol, out, error,
                nullptr, InetDiag::Request{header->nlmsg_seq, m_portId});
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
            dropSocket();
            return false;
        }
    }
    *error = QStringLiteral("sock_diag dump did not end");
    return false;
}

#else // !SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace InetDiag {
QByteArray portFilterBytecode(const QList<quint16> &)
{
    return {};
}
bool isFromKernel(const msghdr &)
{
    return false;
}
ParseStatus parseDumpReply(QByteArrayView, Protocol, KernelSnapshot *, QString *error, int *,
                           std::optional<Request>)
{
    *error = QStringLiteral("sock_diag exists on Linux only");
    return ParseStatus::Error;
}
} // namespace InetDiag

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
