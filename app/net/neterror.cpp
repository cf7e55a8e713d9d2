// SPDX-License-Identifier: MIT
#include "neterror.h"

#include <QCoreApplication>

namespace SocketScope {

QString netErrorCode(NetError error)
{
    switch (error) {
    case NetError::PortInUse:
        return QStringLiteral("EADDRINUSE");
    case NetError::PrivilegedPort:
        return QStringLiteral("EACCES");
    case NetError::AddressNotLocal:
        return QStringLiteral("EADDRNOTAVAIL");
    case NetError::ConnectionRefused:
        return QStringLiteral("ECONNREFUSED");
    case NetError::ResetByPeer:
        return QStringLiteral("ECONNRESET");
    case NetError::TimedOut:
        return QStringLiteral("ETIMEDOUT");
    case NetError::DatagramTooLarge:
        return QStringLiteral("EMSGSIZE");
    default:
        return netErrorName(error);
    }
}

LogEvent errorLine(const NetErrorInfo &error, SocketId socket)
{
    LogEvent line;
    line.severity = EventSeverity::Error;
    line.socket = socket;
    line.message = error.message;
    line.kind = LogKind::Error;
    line.code = netErrorCode(error.error);
    return line;
}

QString netErrorName(NetError error)
{
    switch (error) {
    case NetError::None:
        return QStringLiteral("none");
    case NetError::PortInUse:
        return QStringLiteral("port-in-use");
    case NetError::PrivilegedPort:
        return QStringLiteral("privileged-port");
    case NetError::AddressNotLocal:
        return QStringLiteral("address-not-local");
    case NetError::ConnectionRefused:
        return QStringLiteral("connection-refused");
    case NetError::ResetByPeer:
        return QStringLiteral("reset-by-peer");
    case NetError::TimedOut:
        return QStringLiteral("timed-out");
    case NetError::ConnectGaveUp:
        return QStringLiteral("connect-gave-up");
    case NetError::OutOfDescriptors:
        return QStringLiteral("out-of-descriptors");
    case NetError::DatagramTooLarge:
        return QStringLiteral("datagram-too-large");
    case NetError::InvalidInput:
        return QStringLiteral("invalid-input");
    case NetError::NotRunning:
        return QStringLiteral("not-running");
    case NetError::WorkerLimitReached:
        return QStringLiteral("worker-limit-reached");
    case NetError::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

qint64 maxUdpPayload(const QHostAddress &destination)
{
    return destination.protocol() == QAbstractSocket::IPv6Protocol ? MaxUdpPayloadIPv6
                                                                   : MaxUdpPayloadIPv4;
}

NetError netErrorFromSocketError(QAbstractSocket::SocketError error)
{
    switch (error) {
    case QAbstractSocket::AddressInUseError:
        return NetError::PortInUse;
    case QAbstractSocket::SocketAccessError:
        return NetError::PrivilegedPort;
    case QAbstractSocket::SocketAddressNotAvailableError:
        return NetError::AddressNotLocal;
    case QAbstractSocket::ConnectionRefusedError:
        return NetError::ConnectionRefused;
    case QAbstractSocket::SocketResourceError:
        return NetError::OutOfDescriptors;
    case QAbstractSocket::DatagramTooLargeError:
        return NetError::DatagramTooLarge;
    default:
        return NetError::Other;
    }
}

NetErrorInfo checkMessageText(const QByteArray &text, SocketId socket)
{
    if (text.isEmpty() || text.size() > MaxTextBytes)
        return {NetError::InvalidInput,
                QCoreApplication::translate("SocketScope::TcpConnection",
                                            "Type between 1 byte and 1 MiB of text to send."),
                socket};
    return {};
}

NetErrorInfo checkPeriodicInterval(int intervalMs, SocketId socket)
{
    if (intervalMs < 10 || intervalMs > 3600000)
        return {NetError::InvalidInput,
                QCoreApplication::translate(
                        "SocketScope::TcpConnection",
                        "The interval must be between 10 ms and one hour; %1 ms is not.")
                        .arg(intervalMs),
                socket};
    return {};
}

} // namespace SocketScope
