// SPDX-License-Identifier: MIT
#include "udpserverendpoint.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QUdpSocket>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

namespace {

// With no delay, how many datagrams one event-loop turn handles before it lets the UI
// paint; the rest follow on the next turn.
// Read everything the kernel holds within Qt's readyRead whenever possible: Qt 6.4 stops
// announcing new datagrams once a batch was finished outside that slot (seen here: the
// server went deaf after the first 64 of 100). A socket's default receive buffer holds a
// few hundred small datagrams, so one turn normally drains it.
constexpr int DatagramsPerTurn = 4096;

int udpFamily(const Endpoint &local)
{
    return local.address.protocol() == QAbstractSocket::IPv6Protocol
                           || local.address == QHostAddress(QHostAddress::Any)
                   ? AF_INET6
                   : AF_INET;
}

// Binds a plain UDP socket (no SO_REUSEADDR, no SO_REUSEPORT) to `local` and closes it:
// it succeeds only if no other socket holds that address and port. The port it got, 0
// with errno on failure. The connected-per-client model's own sockets share the port with
// SO_REUSEPORT, and so could any other program of the same user, silently taking a share
// of the datagrams; looking first turns that into "port in use".
quint16 claimFreeUdpPort(const Endpoint &local)
{
    const int family = udpFamily(local);
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    sockaddr_storage address{};
    const socklen_t length = toSockaddr(local, family, &address);
    quint16 port = 0;
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), length) == 0) {
        sockaddr_storage bound{};
        socklen_t boundLength = sizeof bound;
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &boundLength) == 0)
            port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    }
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return port;
}

// A UDP socket that shares the port with SO_REUSEPORT (and SO_REUSEADDR), bound to `local`
// and, when `peer` is given, connected to it. -1 with errno on failure.
int sharedUdpSocket(const Endpoint &local, const std::optional<Endpoint> &peer)
{
    const int family = udpFamily(local);
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int on = 1;
    sockaddr_storage address{};
    const socklen_t length = toSockaddr(local, family, &address);
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
        || ::bind(fd, reinterpret_cast<const sockaddr *>(&address), length) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    if (peer) {
        const socklen_t peerLength = toSockaddr(*peer, family, &address);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), peerLength) != 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            return -1;
        }
    }
    return fd;
}

QString clientKey(const Endpoint &client)
{
    // Plain and v4-mapped spellings of one client are one client.
    bool isV4 = false;
    const quint32 v4 = client.address.toIPv4Address(&isV4);
    return (isV4 ? QHostAddress(v4).toString() : client.address.toString()) + QLatin1Char('|')
           + QString::number(client.port);
}

} // namespace

UdpServerEndpoint::UdpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_socket(new QUdpSocket(this)),
      m_behaviour(makeBehaviour(Behaviour::Echo))
{
    useNoProxy(*m_socket);
    m_processing.setParent(this);
    m_processing.setSingleShot(true);
    connect(&m_processing, &QTimer::timeout, this, [this] {
        finishCurrent();
        processNext();
    });
    m_clock.start();
    m_peerSweep.setParent(this);
    connect(&m_peerSweep, &QTimer::timeout, this, &UdpServerEndpoint::closeQuietPeers);
    connect(m_socket, &QUdpSocket::readyRead, this, [this] {
        // While busy, Qt's readyRead is ignored on purpose: the datagram stays in the
        // kernel queue until the current one is done.
        if (!m_busy)
            processNext();
    });
}

UdpServerEndpoint::~UdpServerEndpoint()
{
    closePeers();
    m_socket->disconnect(this);
    if (m_id != InvalidSocketId) {
        m_registry.markClosed(m_id);
        m_registry.remove(m_id);
    }
}

NetErrorInfo UdpServerEndpoint::start(const UdpServerConfig &config)
{
    if (isBound())
        stop();
    if (config.processingDelayMs < 0 || config.processingDelayMs > MaxProcessingDelayMs)
        return fail({NetError::InvalidInput,
                     tr("The processing delay must be between 0 and %1 ms, not %2.")
                             .arg(MaxProcessingDelayMs)
                             .arg(config.processingDelayMs)});
    if (NetErrorInfo check = checkBindAddress(config.address); check.isError())
        return fail(check);

    m_config = config;
    setBehaviour(config.behaviour);
    QString bindError;
    QAbstractSocket::SocketError bindKind = QAbstractSocket::UnknownSocketError;
    if (!bindMainSocket(config, &bindError, &bindKind)) {
        const NetErrorInfo error = describeBindError(Protocol::Udp, bindKind, bindError,
                                                     config.address, config.port);
        m_socket->abort();
        return fail(error);
    }
    m_endpoint = Endpoint{m_socket->localAddress(), m_socket->localPort()};
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpServer;
    record.local = m_endpoint;
    record.state = SocketState::Unconnected;
    record.program = QCoreApplication::applicationName();
    m_id = m_registry.add(record);
    m_busy = false;
    m_log.append(EventSeverity::Info,
                 tr("UDP server bound to %1 (%2, processing delay %3 ms, %4).")
                         .arg(m_endpoint.toString(), behaviourName(config.behaviour))
                         .arg(config.processingDelayMs)
                         .arg(m_model == UdpModel::Single ? tr("one socket for every client")
                                                          : tr("a connected socket per client")),
                 m_id);
    Q_EMIT boundChanged(true);
    // Datagrams may have arrived between bind() and here.
    processNext();
    return {};
}

void UdpServerEndpoint::stop()
{
    if (!isBound())
        return;
    m_processing.stop();
    m_busy = false;
    m_current = QNetworkDatagram();
    closePeers();
    m_socket->close();
    m_registry.markClosed(m_id);
    m_registry.remove(m_id);
    m_log.append(EventSeverity::Info,
                 tr("UDP server on %1 closed; datagrams still queued in it are gone.")
                         .arg(m_endpoint.toString()),
                 m_id);
    m_id = InvalidSocketId;
    Q_EMIT boundChanged(false);
}

bool UdpServerEndpoint::isBound() const
{
    return m_socket->state() == QAbstractSocket::BoundState;
}

bool UdpServerEndpoint::setProcessingDelay(int ms)
{
    if (ms < 0 || ms > MaxProcessingDelayMs)
        return false;
    m_config.processingDelayMs = ms;
    return true;
}

void UdpServerEndpoint::setBehaviour(Behaviour behaviour)
{
    if (m_behaviour && m_behaviour->kind() == behaviour)
        return;
    m_behaviour = makeBehaviour(behaviour);
    m_config.behaviour = behaviour;
}

bool UdpServerEndpoint::bindMainSocket(const UdpServerConfig &config, QString *error,
                                       QAbstractSocket::SocketError *kind)
{
    if (m_model == UdpModel::Single) {
        // DontShareAddress: Qt's default sets SO_REUSEADDR, with which Linux lets a second
        // UDP socket bind the same port silently, and "port in use" would never be reported.
        const bool bound
                = m_socket->bind(config.address, config.port, QAbstractSocket::DontShareAddress);
        *error = m_socket->errorString();
        *kind = m_socket->error();
        return bound;
    }
    // SO_REUSEPORT must be on before bind(), and Qt has no hint for it on Linux. First make
    // sure nobody else is on the port: SO_REUSEPORT would let us join them without a word.
    const quint16 port = claimFreeUdpPort(Endpoint{config.address, config.port});
    const int fd = port == 0 ? -1 : sharedUdpSocket(Endpoint{config.address, port}, std::nullopt);
    if (fd < 0) {
        *error = qt_error_string(errno);
        *kind = errno == EADDRINUSE      ? QAbstractSocket::AddressInUseError
                : errno == EACCES        ? QAbstractSocket::SocketAccessError
                : errno == EADDRNOTAVAIL ? QAbstractSocket::SocketAddressNotAvailableError
                : errno == EMFILE        ? QAbstractSocket::SocketResourceError
                                         : QAbstractSocket::UnknownSocketError;
        return false;
    }
    if (!m_socket->setSocketDescriptor(fd, QAbstractSocket::BoundState)) {
        *error = m_socket->errorString();
        ::close(fd);
        return false;
    }
    return true;
}

void UdpServerEndpoint::setModel(UdpModel model)
{
    if (model == m_model)
        return;
    m_model = model;
    m_log.append(EventSeverity::Info,
                 model == UdpModel::Single
                         ? tr("UDP model: one socket for every client; datagrams are handled one "
                              "after another.")
                         : tr("UDP model: a connected socket per client (SO_REUSEPORT); the "
                              "kernel delivers each client's datagrams to its own socket."),
                 m_id);
    if (!isBound())
        return;
    // SO_REUSEPORT is only honoured when set before bind(): rebind, same port.
    UdpServerConfig config = m_config;
    config.port = m_endpoint.port;
    stop();
    start(config);
}

UdpServerEndpoint::PeerSocket *UdpServerEndpoint::peerFor(const Endpoint &client)
{
    if (m_model != UdpModel::ConnectedPerClient)
        return nullptr;
    const QString key = clientKey(client);
    if (PeerSocket *peer = m_peers.value(key))
        return peer;
    if (m_peers.size() >= MaxPeerSockets)
        return nullptr;
    const int fd = sharedUdpSocket(m_endpoint, client);
    if (fd < 0) {
        m_log.append(EventSeverity::Warning,
                     tr("No socket of its own for %1 (%2); the server socket answers it.")
                             .arg(client.toString(), qt_error_string(errno)),
                     m_id);
        return nullptr;
    }
    auto *socket = new QUdpSocket(this);
    useNoProxy(*socket);
    if (!socket->setSocketDescriptor(fd, QAbstractSocket::ConnectedState)) {
        ::close(fd);
        delete socket;
        return nullptr;
    }
    auto *peer = new PeerSocket{socket, InvalidSocketId, client, m_clock.elapsed()};
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpServer;
    record.local = m_endpoint;
    record.remote = client;
    record.state = SocketState::Established; // a connected UDP socket: the kernel says ESTAB
    record.program = QCoreApplication::applicationName();
    peer->id = m_registry.add(record);
    m_peers.insert(key, peer);
    m_peerIds.insert(peer->id, peer);
    connect(socket, &QUdpSocket::readyRead, this, [this, peer] { readPeer(peer); });
    if (!m_peerSweep.isActive())
        m_peerSweep.start(qMax(50, m_peerIdleMs / 4));
    m_log.append(EventSeverity::Info,
                 tr("New client %1: a socket of its own, bound to %2 and connected to it. "
                    "The kernel now delivers its datagrams there, by the full 4-tuple.")
                         .arg(client.toString(), m_endpoint.toString()),
                 peer->id);
    return peer;
}

void UdpServerEndpoint::readPeer(PeerSocket *peer)
{
    // Bounded per turn, like the server socket.
    for (int i = 0; i < DatagramsPerTurn; ++i) {
        QNetworkDatagram datagram;
        if (peer->socket->hasPendingDatagrams())
            datagram = peer->socket->receiveDatagram();
        else if (i == 0) // nothing read this turn: read once, or Qt's notifier stays off
            datagram = rearmReadNotification(*peer->socket);
        else
            break;
        if (!datagram.isValid()) {
            if (i == 0)
                break;
            continue;
        }
        const Endpoint sender{datagram.senderAddress(),
                              static_cast<quint16>(datagram.senderPort())};
        if (!sender.address.isNull() && clientKey(sender) != clientKey(peer->client)) {
            // Another client's datagram: SO_REUSEPORT may hand one to this socket between its
            // bind() and its connect(), and it stays queued here. A write() would send the
            // answer to this socket's client; it belongs to its sender.
            m_registry.recordTraffic(peer->id, TrafficDirection::Received, datagram.data().size(),
                                     sender, true);
            answer(datagram, sender);
            ++m_processed;
            Q_EMIT datagramProcessed(sender, datagram.data().size());
            continue;
        }
        peer->lastDatagramMs = m_clock.elapsed();
        m_registry.recordTraffic(peer->id, TrafficDirection::Received, datagram.data().size(),
                                 peer->client, true);
        if (const std::optional<QByteArray> reply = m_behaviour->onDatagram(datagram.data())) {
            const qint64 written = peer->socket->write(*reply);
            if (written >= 0)
                m_registry.recordTraffic(peer->id, TrafficDirection::Sent, written, peer->client,
                                         true);
        }
        ++m_processed;
        Q_EMIT datagramProcessed(peer->client, datagram.data().size());
    }
}

bool UdpServerEndpoint::closePeerSocket(SocketId id)
{
    PeerSocket *peer = m_peerIds.take(id);
    if (!peer)
        return false;
    m_peers.remove(clientKey(peer->client));
    peer->socket->disconnect(this);
    peer->socket->close();
    peer->socket->deleteLater();
    m_registry.markClosed(id);
    m_registry.remove(id);
    m_log.append(EventSeverity::Info,
                 tr("Closed the socket for %1; its next datagram goes to the server socket.")
                         .arg(peer->client.toString()),
                 id);
    delete peer;
    return true;
}

void UdpServerEndpoint::setPeerIdleTimeout(int ms)
{
    m_peerIdleMs = qMax(ms, 1);
    if (m_peerSweep.isActive())
        m_peerSweep.start(qMax(50, m_peerIdleMs / 4));
}

void UdpServerEndpoint::closeQuietPeers()
{
    const qint64 now = m_clock.elapsed();
    const QList<PeerSocket *> peers = m_peerIds.values();
    for (PeerSocket *peer : peers) {
        if (now - peer->lastDatagramMs < m_peerIdleMs)
            continue;
        const SocketId id = peer->id;
        const QString client = peer->client.toString();
        // UDP has no close to wait for: a client that went quiet may be gone for good.
        m_log.append(EventSeverity::Info,
                     tr("No datagram from %1 for %2 s: closing its socket.")
                             .arg(client)
                             .arg(m_peerIdleMs / 1000.0, 0, 'f', m_peerIdleMs % 1000 ? 1 : 0),
                     id);
        closePeerSocket(id);
    }
    if (m_peerIds.isEmpty())
        m_peerSweep.stop();
}

void UdpServerEndpoint::closePeers()
{
    const QList<SocketId> ids = m_peerIds.keys();
    for (SocketId id : ids)
        closePeerSocket(id);
}

void UdpServerEndpoint::processNext()
{
    m_busy = true;
    for (int i = 0; i < DatagramsPerTurn; ++i) {
        if (!isBound()) {
            m_busy = false;
            return;
        }
        if (!m_socket->hasPendingDatagrams()) {
            // A turn that read nothing must still read once, or Qt's notifier stays off.
            if (i == 0)
                m_current = rearmReadNotification(*m_socket);
            if (!m_current.isValid()) {
                m_busy = false;
                showActivity(QString());
                return;
            }
        } else {
            m_current = m_socket->receiveDatagram();
        }
        if (!m_current.isValid())
            continue;
        m_registry.recordTraffic(
                m_id, TrafficDirection::Received, m_current.data().size(),
                Endpoint{m_current.senderAddress(), static_cast<quint16>(m_current.senderPort())},
                true);
        if (m_config.processingDelayMs > 0) {
            // Slow enough to read: say which datagram the one socket is on. (Without a delay
            // the line would change thousands of times a second and say nothing.)
            showActivity(tr("now handling: a datagram from %1 (%2, %3 ms)")
                                 .arg(Endpoint{m_current.senderAddress(),
                                               static_cast<quint16>(m_current.senderPort())}
                                              .toString(),
                                      behaviourName(m_config.behaviour))
                                 .arg(m_config.processingDelayMs));
            m_processing.start(m_config.processingDelayMs);
            return;
        }
        finishCurrent();
    }
    // More may be waiting: continue on the next turn of the event loop.
    QTimer::singleShot(0, this, [this] {
        if (m_busy && !m_processing.isActive())
            processNext();
    });
}

void UdpServerEndpoint::showActivity(const QString &activity)
{
    if (m_id != InvalidSocketId)
        m_registry.update(m_id, [&activity](SocketRecord &record) { record.activity = activity; });
}

void UdpServerEndpoint::finishCurrent()
{
    if (!m_current.isValid())
        return;
    const Endpoint sender{m_current.senderAddress(), static_cast<quint16>(m_current.senderPort())};
    const qint64 size = m_current.data().size();
    answer(m_current, sender);
    m_current = QNetworkDatagram();
    ++m_processed;
    Q_EMIT datagramProcessed(sender, size);
}

void UdpServerEndpoint::answer(const QNetworkDatagram &datagram, const Endpoint &sender)
{
    // In the connected model a new client's first datagram reaches the server socket (its
    // own socket does not exist yet); the answer already goes out through the new socket.
    PeerSocket *peer = peerFor(sender);
    if (peer)
        peer->lastDatagramMs = m_clock.elapsed();
    if (const std::optional<QByteArray> reply = m_behaviour->onDatagram(datagram.data())) {
        const qint64 written = peer ? peer->socket->write(*reply)
                                    : m_socket->writeDatagram(*reply, sender.address, sender.port);
        if (written >= 0)
            m_registry.recordTraffic(peer ? peer->id : m_id, TrafficDirection::Sent, written,
                                     sender, true);
        else
            m_log.append(
                    EventSeverity::Warning,
                    tr("Reply to %1 not sent: %2").arg(sender.toString(), m_socket->errorString()),
                    m_id);
    }
}

NetErrorInfo UdpServerEndpoint::fail(NetErrorInfo error)
{
    m_log.append(errorLine(error, InvalidSocketId));
    qCInfo(lcNet) << "UDP server:" << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
