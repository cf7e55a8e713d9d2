// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketrecord.h"

#include <QAbstractSocket>
#include <QString>

#include <optional>

namespace SocketScope {

// The failures a user can run into, each with its own advice. Everything else that Qt or
// the kernel reports ends up as Other with the system's text.
enum class NetError {
    None,
    PortInUse, // EADDRINUSE: another socket holds the port
    PrivilegedPort, // EACCES on bind: ports below 1024 need privileges
    AddressNotLocal, // EADDRNOTAVAIL: no interface of this machine has that address
    ConnectionRefused, // ECONNREFUSED: nothing listens there (listener stopped?)
    ResetByPeer, // ECONNRESET: the peer aborted the connection
    TimedOut, // ETIMEDOUT: the kernel's retries ran out (a connect's SYNs got no answer)
    ConnectGaveUp, // our connect timeout ended a wait in SYN_SENT
    OutOfDescriptors, // EMFILE/ENFILE: the process or system ran out of file descriptors
    DatagramTooLarge, // EMSGSIZE: more than fits into one IP packet
    InvalidInput, // a value the user typed cannot be used
    NotRunning, // an action needs a server or socket that is not there
    WorkerLimitReached, // thread/process per client: the configured number of workers serve
    Other,
};

// Wire name for logs, JSON and tests: "port-in-use", ...
QString netErrorName(NetError error);
// The code an error line carries: the errno's name where the error is exactly one errno
// ("EADDRINUSE", "ECONNREFUSED"), our wire name otherwise ("out-of-descriptors" may be EMFILE
// or ENFILE; "invalid-input" is no errno at all).
QString netErrorCode(NetError error);

struct NetErrorInfo
{
    NetErrorInfo() = default;
    NetErrorInfo(NetError error_, QString message_, SocketId socket_ = InvalidSocketId)
        : error(error_), message(std::move(message_)), socket(socket_)
    { }

    NetError error = NetError::None;
    QString message; // what happened and what to do about it, one or two sentences
    SocketId socket = InvalidSocketId; // the socket it concerns, if any
    std::optional<quint16> suggestedPort; // for PortInUse: a port that was free just now

    bool isError() const { return error != NetError::None; }
};

// The log line of an error: severity Error, kind Error, its code, about `socket`.
LogEvent errorLine(const NetErrorInfo &error, SocketId socket);

// Largest UDP payload one datagram can carry: 65535 minus the IP and UDP headers.
inline constexpr qint64 MaxUdpPayloadIPv4 = 65507;
inline constexpr qint64 MaxUdpPayloadIPv6 = 65527;
qint64 maxUdpPayload(const QHostAddress &destination);

// Upper bound for one user message, so a pasted novel cannot stall the event loop.
inline constexpr qsizetype MaxTextBytes = 1 << 20;
// The checks every "send" and "send periodically" makes, wherever the socket lives:
// an error to return, or None.
NetErrorInfo checkMessageText(const QByteArray &text, SocketId socket);
NetErrorInfo checkPeriodicInterval(int intervalMs, SocketId socket);

// Maps a socket error Qt reported to ours. errnoHint refines what Qt folds together.
NetError netErrorFromSocketError(QAbstractSocket::SocketError error);

} // namespace SocketScope
