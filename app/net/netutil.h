// SPDX-License-Identifier: MIT
#pragma once

#include "neterror.h"
#include "socketrecord.h"

#include <QHostAddress>
#include <QNetworkDatagram>

class QAbstractSocket;
class QUdpSocket;
class QObject;
class QSocketNotifier;
class QTcpServer;

#include <optional>

#include <sys/socket.h>

namespace SocketScope {

// Every socket we make talks to the kernel directly. A proxy (system settings, http_proxy)
// would put another program's socket in the picture instead of ours, and asking the system
// for one starts a helper thread with its own descriptors on the first connect or bind.
void useNoProxy(QAbstractSocket &socket);
void useNoProxy(QTcpServer &server);

// True when a socket on this machine can bind the address: one of our interfaces'
// addresses, the whole loopback net 127.0.0.0/8 (Linux answers for all of it), or an
// any-address.
bool isLocalAddress(const QHostAddress &address);

// The first port after `after` that both TCP (listen) or UDP (bind) can take on `address`
// right now, found by really binding it, trying at most `attempts` ports. It can be taken
// again before the caller uses it; it is a suggestion, not a reservation.
std::optional<quint16> findFreePort(Protocol protocol, const QHostAddress &address, quint16 after,
                                    int attempts = 100);

// Qt turns a UDP socket's read notifier off each time it announces readyRead, and on again
// only inside a read. A readyRead handled after our own batch already drained the queue
// finds nothing to read, so nothing would turn the notifier on again: the socket would go
// deaf for good (seen: after a flood the UDP server answered no datagram at all). This read,
// of up to a whole datagram so nothing is ever cut, turns it back on. Call it when a turn
// ends without having read anything; it returns the datagram that arrived meanwhile, if one
// did (an EAGAIN it meets is reported by Qt as a TemporaryError, which is no error).
QNetworkDatagram rearmReadNotification(QUdpSocket &socket);

// Plain POSIX on a socket Qt manages. Both return false and leave errno on failure.
// Sends FIN but keeps the read side open: Qt has no half-close of its own.
bool shutdownWrite(qintptr descriptor);
// SO_LINGER {on, 0}: the next close() discards unsent data and sends RST instead of FIN.
bool setResetOnClose(qintptr descriptor);
// The address the kernel gave the socket (its ephemeral port right after connect()).
std::optional<Endpoint> localEndpointOf(qintptr descriptor);
// The descriptor of a socket Qt is still connecting: socketDescriptor() says -1 until the
// connection is made, but the notifier Qt watches for its completion holds it. -1 if none.
qintptr descriptorWhileConnecting(const QAbstractSocket &socket);
// A socket address for `endpoint` in `family` (AF_INET or AF_INET6); an IPv4 address for an
// IPv6 socket is written v4-mapped, which is how the kernel will see it.
socklen_t toSockaddr(const Endpoint &endpoint, int family, sockaddr_storage *out);
// The connected peer's address (getpeername), nullopt when not connected.
std::optional<Endpoint> peerEndpointOf(qintptr descriptor);

// Turns a failed bind/listen into advice; shared by the TCP and UDP servers and clients.
// For a port in use it looks for the next free port to offer.
NetErrorInfo describeBindError(Protocol protocol, QAbstractSocket::SocketError error,
                               const QString &systemText, const QHostAddress &address,
                               quint16 port);
// The check before binding: the address must be one of this machine's.
NetErrorInfo checkBindAddress(const QHostAddress &address);

// Current process's effective uid is 0.
bool isPrivilegedProcess();

// How a TCP peer has ended its side, by the kernel's TCP state: Qt reports FIN and RST alike
// (RemoteHostClosedError) and closes the descriptor before it says so, so whoever needs to
// tell them apart looks just before Qt reads the end.
enum class PeerEnd {
    Open, // still established, or not known
    Fin, // CLOSE_WAIT: the peer sent FIN; this side may still send
    // CLOSE after our own FIN and then the peer's: an orderly end, the kernel keeps the tuple
    // in TIME_WAIT (a separate timewait socket, so this descriptor's own state reads CLOSE)
    FinAfterOurs,
    Reset, // CLOSE with ECONNRESET (or EPIPE in CLOSE_WAIT) pending: the peer sent RST
};
// Consumes the socket's pending error (SO_ERROR) to tell a reset from an orderly end; the
// read Qt does next then sees end-of-file, which it reports as it would the reset.
PeerEnd peerEndOf(qintptr descriptor);

// A listener's accept queue as the kernel counts it (TCP_INFO of a LISTEN socket): the
// connections completed and waiting for accept(), and the most it holds before it drops new
// SYNs (it is full when waiting > backlog).
struct AcceptQueue
{
    quint32 waiting = 0;
    quint32 backlog = 0;
    bool isFull() const { return waiting > backlog; }
};
std::optional<AcceptQueue> acceptQueueOf(qintptr listener);

// Bytes the kernel holds for `descriptor` that nobody has read yet (FIONREAD), 0 if unknown.
qint64 unreadInKernel(qintptr descriptor);
// Said when a socket is closed with unread bytes: the kernel then answers with RST, not FIN
// (RFC 1122, 4.2.2.13), so a close that looks graceful is not one.
QString closeWithUnreadText(qint64 unread);

// Qt's own read notifier for `descriptor` among `owner`'s descendants (a socket's or a
// server's engine makes one), or nullptr. Not public API: if a later Qt hides it, the
// callers' look-before-Qt tricks stop and say so in their comments.
QSocketNotifier *qtReadNotifier(const QObject &owner, qintptr descriptor);

} // namespace SocketScope
