// SPDX-License-Identifier: MIT
#include "inetdiag.h"

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include <QtEndian>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#endif

namespace SocketScope {

namespace InetDiag {

bool isAnyAddress(const QHostAddress &address)
{
    return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6;
}

} // namespace InetDiag

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {

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
    if (remote.port == 0 && InetDiag::isAnyAddress(remote.address))
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

#endif

} // namespace SocketScope
