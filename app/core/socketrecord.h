// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QString>

#include <optional>

namespace SocketScope {

// Stable identity of one socket for its whole life in the registry. Never reused.
using SocketId = quint64;
inline constexpr SocketId InvalidSocketId = 0;

// Where both servers listen unless told otherwise: one number, two sockets (TCP and UDP are
// different protocols, so the same port number is no conflict).
inline constexpr quint16 DefaultServerPort = 9877;

enum class Protocol { Tcp, Udp };

// What the socket is for, which decides where the diagram draws it.
enum class SocketRole {
    TcpListener, // the server's listening socket
    TcpServerSide, // a socket the listener accepted (shares the listener's local port)
    TcpClient, // a client socket this app opened
    UdpServer, // the server's single connectionless socket
    UdpClient, // a UDP client socket this app opened
    ExternalPeer, // a socket of another program seen on our ports
};

// TCP states as the kernel names them (netstat spelling), plus UNCONN for UDP sockets,
// which have no connection state at all, and Unknown before anything is known.
enum class SocketState {
    Unknown,
    Listen,
    SynSent,
    SynRecv,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
    Close,
    Unconnected,
};

struct Endpoint
{
    QHostAddress address;
    quint16 port = 0;

    // "127.0.0.1:9877", "[::1]:9877", "*:9877" for the any-address.
    QString toString() const;
    bool operator==(const Endpoint &other) const = default;
};

// TCP_INFO figures for a connected TCP socket: how the connection is doing, not what it is.
struct KernelTcpInfo
{
    quint32 rttUs = 0;
    quint32 rttVarUs = 0;
    quint32 totalRetrans = 0;
    quint32 unacked = 0;
    quint32 sndCwnd = 0;
    bool operator==(const KernelTcpInfo &other) const = default;
};

// What the kernel reports for a socket (sock_diag or /proc/net), merged into the record.
struct KernelFacts
{
    SocketState state = SocketState::Unknown;
    quint32 recvQ = 0; // bytes waiting to be read; for a listener: connections in the accept queue
    quint32 sendQ = 0; // bytes not yet acknowledged; for a listener: the backlog
    quint64 inode = 0;
    qint64 pid = 0; // owning process, 0 when not known
    qint64 timerMs = -1; // time left on the socket's timer (TIME_WAIT countdown), -1: none
    // TCP_INFO where sock_diag gave it: only TCP sockets with a full socket (not TIME_WAIT).
    std::optional<KernelTcpInfo> tcpInfo;
    QString program; // the owner's command name (/proc/<pid>/comm), empty when not known
    // The owner ("python3, pid 4242") of another program's socket bound to this very address
    // and port (SO_REUSEPORT); empty when none. The kernel splits what arrives between them.
    QString sharedWith;
    bool operator==(const KernelFacts &other) const = default;
};

struct SocketRecord
{
    SocketId id = InvalidSocketId;
    Protocol protocol = Protocol::Tcp;
    SocketRole role = SocketRole::TcpClient;
    Endpoint local;
    std::optional<Endpoint> remote;
    SocketState state = SocketState::Unknown; // what Qt (the application side) knows
    qint64 pid = 0; // owning process
    // The thread serving it inside that process (Linux tid) when it has one of its own; 0 for
    // sockets the engine's event loop serves. Shows the thread-per-client model, where one
    // process holds sockets in many threads.
    qint64 threadId = 0;
    QString program; // owning program's name
    quint64 bytesSent = 0;
    quint64 bytesReceived = 0;
    quint64 datagramsSent = 0;
    quint64 datagramsReceived = 0;
    QDateTime created;
    QDateTime closed; // null while open
    std::optional<KernelFacts> kernel;
    bool kernelOnly = false; // the kernel has it, Qt does not (TIME_WAIT, not yet accepted, ...)
    // What the socket's owner is doing right now, in words ("handling a datagram from ...").
    QString activity;

    // The state to show: the kernel's when it has spoken, Qt's otherwise.
    SocketState effectiveState() const;
    // The owning process to show: the kernel's answer when it found one, ours otherwise.
    qint64 ownerPid() const { return kernel && kernel->pid ? kernel->pid : pid; }
    quint32 recvQ() const { return kernel ? kernel->recvQ : 0; }
    quint32 sendQ() const { return kernel ? kernel->sendQ : 0; }
    bool isOpen() const { return closed.isNull(); }
    bool operator==(const SocketRecord &other) const = default;
};

// Wire names used in the table, the JSON export and the CLI. Parsing returns nullopt for
// a name it does not know, so bad input is caught where it enters.
QString protocolName(Protocol protocol); // "tcp", "udp"
std::optional<Protocol> protocolFromName(const QString &name);
QString roleName(SocketRole role); // "tcp-listener", ...
std::optional<SocketRole> roleFromName(const QString &name);
QString stateName(SocketState state); // "LISTEN", "ESTABLISHED", "UNCONN", ...
std::optional<SocketState> stateFromName(const QString &name);

// Linux numbering of TCP states (include/net/tcp_states.h), used by sock_diag and /proc/net.
SocketState stateFromLinuxTcpState(int linuxState);

// "another program's socket (python3, pid 4242) is bound to this same address and port
// (SO_REUSEPORT): the kernel splits what arrives between them"; empty without a sharer.
QString sharedPortText(const KernelFacts &facts);

// Whether this program reads the kernel's view at all: false in a build without the kernel
// probe, or where there is none. Set once at start; views word a missing kernel fact by it.
void setKernelViewAvailable(bool available);
bool isKernelViewAvailable();
// A kernel fact a record lacks: "not read yet", or "not available (no kernel view here)".
QString kernelFactMissingText();

// "12 bytes", "2.0 kB": traffic counters as people read them.
QString byteCountText(quint64 bytes);
// "RTT 0.042 ms ± 0.021 · 3 retransmitted · 1 unacknowledged · congestion window 10 segments"
QString tcpInfoText(const KernelTcpInfo &info);

} // namespace SocketScope
