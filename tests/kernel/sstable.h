// SPDX-License-Identifier: MIT
#pragma once

// Runs `ss -tanupH` and parses it, as the independent witness the probe is checked against.

#include "kernelsnapshot.h"

#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QString>

#include <optional>

namespace SocketScope::Test {

struct SsSocket
{
    QString netid; // "tcp", "udp"
    QString state; // "ESTAB", "TIME-WAIT", ...
    quint32 recvQ = 0;
    quint32 sendQ = 0;
    QString local;
    QString peer;
    qint64 pid = 0; // first owner listed, 0 when none
};

inline QString ssKey(const QString &netid, const QString &local, const QString &peer)
{
    return netid + QLatin1Char(' ') + local + QLatin1Char(' ') + peer;
}

// ss's spelling of a state.
inline QString ssStateName(SocketState state)
{
    switch (state) {
    case SocketState::Listen:
        return QStringLiteral("LISTEN");
    case SocketState::SynSent:
        return QStringLiteral("SYN-SENT");
    case SocketState::SynRecv:
        return QStringLiteral("SYN-RECV");
    case SocketState::Established:
        return QStringLiteral("ESTAB");
    case SocketState::FinWait1:
        return QStringLiteral("FIN-WAIT-1");
    case SocketState::FinWait2:
        return QStringLiteral("FIN-WAIT-2");
    case SocketState::CloseWait:
        return QStringLiteral("CLOSE-WAIT");
    case SocketState::Closing:
        return QStringLiteral("CLOSING");
    case SocketState::LastAck:
        return QStringLiteral("LAST-ACK");
    case SocketState::TimeWait:
        return QStringLiteral("TIME-WAIT");
    case SocketState::Close:
    case SocketState::Unconnected:
        return QStringLiteral("UNCONN");
    case SocketState::Unknown:
        break;
    }
    return QStringLiteral("?");
}

// ss's spelling of an endpoint: "127.0.0.1:80", "[::1]:80"; no peer: "0.0.0.0:*" (IPv4), "*:*"
// (IPv6).
inline QString ssEndpoint(const std::optional<Endpoint> &endpoint, bool ipv6)
{
    if (!endpoint)
        return ipv6 ? QStringLiteral("*:*") : QStringLiteral("0.0.0.0:*");
    const QString port = QString::number(endpoint->port);
    if (endpoint->address.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + endpoint->address.toString() + QStringLiteral("]:") + port;
    return endpoint->address.toString() + QLatin1Char(':') + port;
}

inline QString ssKey(const KernelSocket &socket)
{
    const bool ipv6 = socket.local.address.protocol() == QAbstractSocket::IPv6Protocol;
    return ssKey(protocolName(socket.protocol), ssEndpoint(socket.local, ipv6),
                 ssEndpoint(socket.remote, ipv6));
}

// nullopt when ss could not be run.
inline std::optional<QHash<QString, SsSocket>> runSs()
{
    QProcess ss;
    ss.start(QStringLiteral("ss"), {QStringLiteral("-tanupH")});
    if (!ss.waitForFinished(10000) || ss.exitStatus() != QProcess::NormalExit || ss.exitCode() != 0)
        return std::nullopt;
    static const QRegularExpression blanks(QStringLiteral("\\s+"));
    static const QRegularExpression pidPattern(QStringLiteral("pid=(\\d+)"));
    QHash<QString, SsSocket> table;
    const QStringList lines = QString::fromLocal8Bit(ss.readAllStandardOutput())
                                      .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        const QStringList f = line.split(blanks, Qt::SkipEmptyParts);
        if (f.size() < 6)
            continue;
        SsSocket socket;
        socket.netid = f.at(0);
        socket.state = f.at(1);
        socket.recvQ = f.at(2).toUInt();
        socket.sendQ = f.at(3).toUInt();
        socket.local = f.at(4);
        socket.peer = f.at(5);
        const QRegularExpressionMatch match = pidPattern.match(line);
        if (match.hasMatch())
            socket.pid = match.captured(1).toLongLong();
        table.insert(ssKey(socket.netid, socket.local, socket.peer), socket);
    }
    return table;
}

} // namespace SocketScope::Test
