// SPDX-License-Identifier: MIT
#include "sockettablecolumns.h"

#include "sockettablemodel.h"

namespace SocketScope {

QString udpRecvQMeaning()
{
    return SocketTableModel::tr(
            "For UDP, Recv-Q is kernel memory, not payload: each waiting datagram counts with "
            "its whole buffer (skb truesize, about 832 B even for a datagram of a few bytes).");
}

namespace SocketTableColumns {

using enum SocketTableModel::Column;

QString ageText(qint64 seconds)
{
    if (seconds < 60)
        return QStringLiteral("%1s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1m %2s")
                .arg(seconds / 60)
                .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h %2m")
            .arg(seconds / 3600)
            .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
}

QVariant displayText(const SocketRecord &record, int column, const WallClock &now)
{
    switch (column) {
    case Proto: {
        const bool v6 = record.local.address.protocol() == QAbstractSocket::IPv6Protocol;
        return QString(protocolName(record.protocol) + (v6 ? QStringLiteral("6") : QString()));
    }
    case LocalAddress:
        return record.local.toString();
    case ForeignAddress:
        return record.remote ? record.remote->toString() : QStringLiteral("*:*");
    case State:
        // netstat prints no state for UDP: it has no connection to be in a state of. A
        // connected UDP socket (connect() fixed its peer) it shows as ESTABLISHED, as here.
        if (record.protocol == Protocol::Udp)
            return record.effectiveState() == SocketState::Established
                           ? stateName(SocketState::Established)
                           : QString();
        return stateName(record.effectiveState());
    case PidProgram: {
        const qint64 pid = record.ownerPid();
        if (pid == 0)
            return QStringLiteral("-");
        if (record.program.isEmpty())
            return QString::number(pid);
        return QString(QString::number(pid) + QLatin1Char('/') + record.program);
    }
    // Without the kernel's word, a queue is not known to be empty: no number.
    case RecvQ:
        return record.kernel ? QVariant(record.recvQ()) : QVariant(QStringLiteral("-"));
    case SendQ:
        return record.kernel ? QVariant(record.sendQ()) : QVariant(QStringLiteral("-"));
    case Role:
        return roleName(record.role);
    case Age: {
        const QDateTime end = record.closed.isNull() ? now() : record.closed;
        return ageText(qMax<qint64>(record.created.secsTo(end), 0));
    }
    default:
        return {};
    }
}

QVariant sortValue(const SocketRecord &record, int column, const WallClock &now)
{
    switch (column) {
    case LocalAddress:
        return QStringLiteral("%1 %2")
                .arg(record.local.address.toString())
                .arg(record.local.port, 5, 10, QLatin1Char('0'));
    case ForeignAddress:
        if (!record.remote)
            return QString();
        return QStringLiteral("%1 %2")
                .arg(record.remote->address.toString())
                .arg(record.remote->port, 5, 10, QLatin1Char('0'));
    case PidProgram:
        return record.ownerPid();
    case RecvQ:
        return record.recvQ();
    case SendQ:
        return record.sendQ();
    case Age:
        return record.created;
    default:
        return displayText(record, column, now);
    }
}

QVariant alignment(int column)
{
    if (column == RecvQ || column == SendQ || column == Age)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant toolTip(const SocketRecord &record, int column)
{
    if (column == State && record.protocol == Protocol::Udp)
        return record.effectiveState() == SocketState::Established
                       ? SocketTableModel::tr(
                               "A connected UDP socket: connect() fixed its peer, so the kernel "
                               "hands "
                               "it only that peer's datagrams. netstat and ss show it as "
                               "ESTABLISHED, although UDP exchanged nothing to connect.")
                       : SocketTableModel::tr(
                               "UDP is connectionless: a UDP socket is never in a connection "
                               "state, "
                               "so netstat leaves this column empty (ss says UNCONN).");
    if (column == RecvQ && record.protocol == Protocol::Udp)
        return udpRecvQMeaning();
    if (record.kernelOnly)
        return SocketTableModel::tr("Known to the kernel only: no application socket holds it.");
    return {};
}

QVariant headerData(int section, int role)
{
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Proto:
            return SocketTableModel::tr("Proto");
        case LocalAddress:
            return SocketTableModel::tr("Local Address");
        case ForeignAddress:
            return SocketTableModel::tr("Foreign Address");
        case State:
            return SocketTableModel::tr("State");
        case PidProgram:
            return SocketTableModel::tr("PID/Program");
        case RecvQ:
            return SocketTableModel::tr("Recv-Q");
        case SendQ:
            return SocketTableModel::tr("Send-Q");
        case Role:
            return SocketTableModel::tr("Role");
        case Age:
            return SocketTableModel::tr("Age");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case LocalAddress:
            return SocketTableModel::tr("This socket's own address and port");
        case ForeignAddress:
            return SocketTableModel::tr("The address and port of the socket at the other end");
        case RecvQ:
            return SocketTableModel::tr(
                    "Bytes received but not yet read by the program; for a listener, "
                    "connections waiting to be accepted; for UDP, kernel memory of the "
                    "waiting datagrams (about 832 B each even for a few bytes), not payload");
        case SendQ:
            return SocketTableModel::tr(
                    "Bytes sent but not yet acknowledged; for a listener, the backlog");
        default:
            return {};
        }
    }
    return {};
}

} // namespace SocketTableColumns

} // namespace SocketScope
