// SPDX-License-Identifier: MIT
#include "socketrecord.h"

#include <QCoreApplication>
#include <QLocale>

#include <array>
#include <atomic>
#include <utility>

namespace SocketScope {

namespace {

constexpr std::array<std::pair<SocketRole, const char *>, 6> kRoleNames{{
        {SocketRole::TcpListener, "tcp-listener"},
        {SocketRole::TcpServerSide, "tcp-server-side"},
        {SocketRole::TcpClient, "tcp-client"},
        {SocketRole::UdpServer, "udp-server"},
        {SocketRole::UdpClient, "udp-client"},
        {SocketRole::ExternalPeer, "external-peer"},
}};

constexpr std::array<std::pair<SocketState, const char *>, 13> kStateNames{{
        {SocketState::Unknown, "UNKNOWN"},
        {SocketState::Listen, "LISTEN"},
        {SocketState::SynSent, "SYN_SENT"},
        {SocketState::SynRecv, "SYN_RECV"},
        {SocketState::Established, "ESTABLISHED"},
        {SocketState::FinWait1, "FIN_WAIT1"},
        {SocketState::FinWait2, "FIN_WAIT2"},
        {SocketState::CloseWait, "CLOSE_WAIT"},
        {SocketState::Closing, "CLOSING"},
        {SocketState::LastAck, "LAST_ACK"},
        {SocketState::TimeWait, "TIME_WAIT"},
        {SocketState::Close, "CLOSE"},
        {SocketState::Unconnected, "UNCONN"},
}};

template<typename Enum, std::size_t N>
QString nameOf(const std::array<std::pair<Enum, const char *>, N> &table, Enum value)
{
    for (const auto &[candidate, name] : table) {
        if (candidate == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, const char *>, N> &table,
                            const QString &name)
{
    for (const auto &[value, candidate] : table) {
        if (name == QLatin1String(candidate))
            return value;
    }
    return std::nullopt;
}

} // namespace

QString Endpoint::toString() const
{
    const QString port = QString::number(this->port);
    if (address.isNull() || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        || address == QHostAddress::Any)
        return QStringLiteral("*:") + port;
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + address.toString() + QStringLiteral("]:") + port;
    return address.toString() + QLatin1Char(':') + port;
}

SocketState SocketRecord::effectiveState() const
{
    if (kernel && kernel->state != SocketState::Unknown)
        return kernel->state;
    return state;
}

QString protocolName(Protocol protocol)
{
    return protocol == Protocol::Tcp ? QStringLiteral("tcp") : QStringLiteral("udp");
}

std::optional<Protocol> protocolFromName(const QString &name)
{
    if (name == QLatin1String("tcp"))
        return Protocol::Tcp;
    if (name == QLatin1String("udp"))
        return Protocol::Udp;
    return std::nullopt;
}

QString roleName(SocketRole role)
{
    return nameOf(kRoleNames, role);
}

std::optional<SocketRole> roleFromName(const QString &name)
{
    return valueOf(kRoleNames, name);
}

QString stateName(SocketState state)
{
    return nameOf(kStateNames, state);
}

std::optional<SocketState> stateFromName(const QString &name)
{
    return valueOf(kStateNames, name);
}

SocketState stateFromLinuxTcpState(int linuxState)
{
    // Order of enum { TCP_ESTABLISHED = 1, TCP_SYN_SENT, ... } in include/net/tcp_states.h.
    switch (linuxState) {
    case 1:
        return SocketState::Established;
    case 2:
        return SocketState::SynSent;
    case 3:
        return SocketState::SynRecv;
    case 4:
        return SocketState::FinWait1;
    case 5:
        return SocketState::FinWait2;
    case 6:
        return SocketState::TimeWait;
    case 7:
        return SocketState::Close;
    case 8:
        return SocketState::CloseWait;
    case 9:
        return SocketState::LastAck;
    case 10:
        return SocketState::Listen;
    case 11:
        return SocketState::Closing;
    case 12:
        return SocketState::SynRecv; // TCP_NEW_SYN_RECV: a request socket, shown as SYN_RECV
    default:
        return SocketState::Unknown;
    }
}

QString byteCountText(quint64 bytes)
{
    return QLocale::system().formattedDataSize(static_cast<qint64>(bytes), 1,
                                               QLocale::DataSizeTraditionalFormat);
}

QString tcpInfoText(const KernelTcpInfo &info)
{
    return QCoreApplication::translate("SocketScope", "RTT %1 ms ± %2 · %3 retransmitted · %4 "
                                                      "unacknowledged · congestion window %5 "
                                                      "segments")
            .arg(info.rttUs / 1000.0, 0, 'f', 3)
            .arg(info.rttVarUs / 1000.0, 0, 'f', 3)
            .arg(info.totalRetrans)
            .arg(info.unacked)
            .arg(info.sndCwnd);
}

QString sharedPortText(const KernelFacts &facts)
{
    if (facts.sharedWith.isEmpty())
        return {};
    return QCoreApplication::translate("SocketScope::SocketRecord",
                                       "another program's socket (%1) is bound to this same "
                                       "address and port (SO_REUSEPORT): the kernel splits what "
                                       "arrives between them")
            .arg(facts.sharedWith);
}

namespace {
// A process-wide fact fixed at start (the build has the probe or not), read by every view.
std::atomic<bool> g_kernelViewAvailable{true};
} // namespace

void setKernelViewAvailable(bool available)
{
    g_kernelViewAvailable = available;
}

bool isKernelViewAvailable()
{
    return g_kernelViewAvailable;
}

QString kernelFactMissingText()
{
    return isKernelViewAvailable()
                   ? QCoreApplication::translate("SocketScope::SocketRecord", "not read yet")
                   : QCoreApplication::translate("SocketScope::SocketRecord",
                                                 "not available (no kernel view here)");
}

} // namespace SocketScope
