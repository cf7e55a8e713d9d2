// SPDX-License-Identifier: MIT
#include "netutil.h"

#include <cstring>

#include <QCoreApplication>
#include <QNetworkInterface>
#include <QNetworkProxy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QUdpSocket>

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

bool isLocalAddress(const QHostAddress &address)
{
    if (address.isNull())
        return false;
    if (address.isLoopback())
        return true;
    if (address == QHostAddress(QHostAddress::Any) || address == QHostAddress(QHostAddress::AnyIPv4)
        || address == QHostAddress(QHostAddress::AnyIPv6))
        return true;
    const QList<QHostAddress> all = QNetworkInterface::allAddresses();
    for (const QHostAddress &candidate : all) {
        // isEqual with the scope stripped: fe80::1%eth0 typed as fe80::1 is still ours.
        QHostAddress bare = candidate;
        bare.setScopeId(QString());
        QHostAddress wanted = address;
        wanted.setScopeId(QString());
        if (bare.isEqual(wanted, QHostAddress::TolerantConversion))
            return true;
    }
    return false;
}

void useNoProxy(QAbstractSocket &socket)
{
    socket.setProxy(QNetworkProxy::NoProxy);
}

void useNoProxy(QTcpServer &server)
{
    server.setProxy(QNetworkProxy::NoProxy);
}

std::optional<quint16> findFreePort(Protocol protocol, const QHostAddress &address, quint16 after,
                                    int attempts)
{
    int port = after;
    for (int i = 0; i < attempts; ++i) {
        port = port >= 65535 ? 1024 : port + 1;
        const auto candidate = static_cast<quint16>(port);
        if (protocol == Protocol::Tcp) {
            QTcpServer probe;
            useNoProxy(probe);
            if (probe.listen(address, candidate))
                return candidate;
        } else {
            QUdpSocket probe;
            useNoProxy(probe);
            if (probe.bind(address, candidate, QAbstractSocket::DontShareAddress))
                return candidate;
        }
    }
    return std::nullopt;
}

QNetworkDatagram rearmReadNotification(QUdpSocket &socket)
{
    // 65,536 bytes hold the largest datagram either family can carry (65,507 / 65,527).
    constexpr qint64 WholeDatagram = 65536;
    return socket.receiveDatagram(WholeDatagram);
}

bool shutdownWrite(qintptr descriptor)
{
    return descriptor >= 0 && ::shutdown(static_cast<int>(descriptor), SHUT_WR) == 0;
}

bool setResetOnClose(qintptr descriptor)
{
    const linger value{1, 0};
    return descriptor >= 0
           && ::setsockopt(static_cast<int>(descriptor), SOL_SOCKET, SO_LINGER, &value,
                           sizeof value)
                      == 0;
}

socklen_t toSockaddr(const Endpoint &endpoint, int family, sockaddr_storage *out)
{
    *out = {};
    if (family == AF_INET) {
        auto *in = reinterpret_cast<sockaddr_in *>(out);
        in->sin_family = AF_INET;
        in->sin_port = htons(endpoint.port);
        in->sin_addr.s_addr = htonl(endpoint.address.toIPv4Address());
        return sizeof(sockaddr_in);
    }
    auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(endpoint.port);
    bool isV4 = false;
    const quint32 v4 = endpoint.address.toIPv4Address(&isV4);
    const Q_IPV6ADDR address
            = isV4 ? QHostAddress(QStringLiteral("::ffff:%1").arg(QHostAddress(v4).toString()))
                              .toIPv6Address()
                   : endpoint.address.toIPv6Address();
    std::memcpy(&in6->sin6_addr, &address, sizeof address);
    in6->sin6_scope_id = endpoint.address.scopeId().toUInt();
    return sizeof(sockaddr_in6);
}

namespace {

std::optional<Endpoint> endpointFrom(const sockaddr_storage &storage)
{
    const QHostAddress address(reinterpret_cast<const sockaddr *>(&storage));
    quint16 port = 0;
    if (storage.ss_family == AF_INET)
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    else if (storage.ss_family == AF_INET6)
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    else
        return std::nullopt;
    return Endpoint{address, port};
}

} // namespace

std::optional<Endpoint> localEndpointOf(qintptr descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (descriptor < 0
        || ::getsockname(static_cast<int>(descriptor), reinterpret_cast<sockaddr *>(&storage),
                         &length)
                   != 0)
        return std::nullopt;
    return endpointFrom(storage);
}

qintptr descriptorWhileConnecting(const QAbstractSocket &socket)
{
    if (socket.socketDescriptor() >= 0)
        return socket.socketDescriptor();
    // Qt's socket engine is a private child of the socket and its notifiers are its children;
    // if a later Qt hides them this returns -1 and the port shows once connected.
    const auto notifiers = socket.findChildren<QSocketNotifier *>();
    for (const QSocketNotifier *notifier : notifiers) {
        if (notifier->isValid())
            return notifier->socket();
    }
    return -1;
}

std::optional<Endpoint> peerEndpointOf(qintptr descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (descriptor < 0
        || ::getpeername(static_cast<int>(descriptor), reinterpret_cast<sockaddr *>(&storage),
                         &length)
                   != 0)
        return std::nullopt;
    return endpointFrom(storage);
}

NetErrorInfo checkBindAddress(const QHostAddress &address)
{
    if (address.isNull())
        return {NetError::InvalidInput,
                QObject::tr("No address given: type an IP address such as 127.0.0.1 or ::1.")};
    if (!isLocalAddress(address))
        return {NetError::AddressNotLocal,
                QObject::tr("%1 is not an address of this machine, so no socket here can use "
                            "it. Pick 127.0.0.1, ::1 or one of this machine's interface "
                            "addresses (ip -brief address).")
                        .arg(address.toString())};
    return {};
}

NetErrorInfo describeBindError(Protocol protocol, QAbstractSocket::SocketError error,
                               const QString &systemText, const QHostAddress &address, quint16 port)
{
    const QString where = Endpoint{address, port}.toString();
    const QString proto = protocol == Protocol::Tcp ? QStringLiteral("TCP") : QStringLiteral("UDP");
    NetErrorInfo info;
    info.error = netErrorFromSocketError(error);
    switch (info.error) {
    case NetError::PortInUse:
        info.suggestedPort = findFreePort(protocol, address, port);
        info.message = QObject::tr("%1 port %2 is already in use on %3 (another program or "
                                   "server holds it).")
                               .arg(proto)
                               .arg(port)
                               .arg(address.toString());
        if (info.suggestedPort)
            info.message += QLatin1Char(' ')
                            + QObject::tr("Port %1 is free: use that, or stop the other program.")
                                      .arg(*info.suggestedPort);
        else
            info.message
                    += QLatin1Char(' ') + QObject::tr("Stop the other program or pick a port.");
        break;
    case NetError::PrivilegedPort:
        info.message = QObject::tr("Ports below 1024 need privileges (root or "
                                   "CAP_NET_BIND_SERVICE) and %1 was refused. Use a port of 1024 "
                                   "or above, e.g. %2.")
                               .arg(where)
                               .arg(DefaultServerPort);
        break;
    case NetError::AddressNotLocal:
        info.message = QObject::tr("Cannot bind %1: %2 is not an address of this machine. Use "
                                   "127.0.0.1, ::1 or an interface address.")
                               .arg(where, address.toString());
        break;
    case NetError::OutOfDescriptors:
        info.message = QObject::tr("Cannot open a socket for %1: this process is out of file "
                                   "descriptors (EMFILE). Close some clients first.")
                               .arg(where);
        break;
    default:
        info.error = NetError::Other;
        info.message = QObject::tr("Cannot bind %1 %2: %3").arg(proto, where, systemText);
        break;
    }
    return info;
}

bool isPrivilegedProcess()
{
    return ::geteuid() == 0;
}

PeerEnd peerEndOf(qintptr descriptor)
{
    tcp_info info{};
    socklen_t length = sizeof info;
    if (descriptor < 0
        || ::getsockopt(static_cast<int>(descriptor), IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
        return PeerEnd::Open;
    if (info.tcpi_state == TCP_CLOSE) {
        // CLOSE alone does not say RST: a FIN that ends FIN_WAIT2 hands the connection to a
        // timewait socket and leaves this one in CLOSE as well. Only a reset sets sk_err.
        int pending = 0;
        socklen_t size = sizeof pending;
        if (::getsockopt(static_cast<int>(descriptor), SOL_SOCKET, SO_ERROR, &pending, &size) == 0
            && pending != ECONNRESET && pending != EPIPE)
            return PeerEnd::FinAfterOurs;
        return PeerEnd::Reset;
    }
    if (info.tcpi_state == TCP_CLOSE_WAIT)
        return PeerEnd::Fin;
    return PeerEnd::Open;
}

std::optional<AcceptQueue> acceptQueueOf(qintptr listener)
{
    tcp_info info{};
    socklen_t length = sizeof info;
    if (listener < 0
        || ::getsockopt(static_cast<int>(listener), IPPROTO_TCP, TCP_INFO, &info, &length) != 0
        || info.tcpi_state != TCP_LISTEN)
        return std::nullopt;
    // For a listener the kernel reports the queue in these two fields (tcp_get_info()).
    return AcceptQueue{info.tcpi_unacked, info.tcpi_sacked};
}

qint64 unreadInKernel(qintptr descriptor)
{
    int queued = 0;
    if (descriptor < 0 || ::ioctl(static_cast<int>(descriptor), FIONREAD, &queued) != 0)
        return 0;
    return queued;
}

QString closeWithUnreadText(qint64 unread)
{
    return QCoreApplication::translate(
                   "SocketScope::NetUtil",
                   "Closing with %1 unread: data the program never read would be lost without a "
                   "word, so the kernel answers the close with RST, not FIN.")
            .arg(byteCountText(quint64(unread)));
}

QSocketNotifier *qtReadNotifier(const QObject &owner, qintptr descriptor)
{
    const auto notifiers = owner.findChildren<QSocketNotifier *>();
    for (QSocketNotifier *notifier : notifiers) {
        if (notifier->type() == QSocketNotifier::Read && notifier->socket() == descriptor)
            return notifier;
    }
    return nullptr;
}

} // namespace SocketScope
