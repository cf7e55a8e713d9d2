// SPDX-License-Identifier: MIT
#include "tcpserverendpoint.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"
#include "tcpconnection.h"

#include <QCoreApplication>
#include <QEvent>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

namespace {

// Whether one more descriptor can be had now: accept() needs one for the new socket. A
// duplicate of the listener is the cheapest real test of the process's limit.
bool descriptorFree(qintptr listener)
{
    const int probe = ::fcntl(static_cast<int>(listener), F_DUPFD_CLOEXEC, 0);
    if (probe < 0)
        return errno != EMFILE && errno != ENFILE;
    ::close(probe);
    return true;
}

} // namespace

// QTcpServer hands every accepted descriptor to incomingConnection() before it makes a
// QTcpSocket of it: the one place to divert a connection to a worker untouched.
class ListeningServer final : public QTcpServer
{
public:
    explicit ListeningServer(TcpServerEndpoint *endpoint)
        : QTcpServer(endpoint), m_endpoint(endpoint)
    {
        useNoProxy(*this);
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!m_endpoint->handOver(descriptor))
            QTcpServer::incomingConnection(descriptor);
    }

private:
    TcpServerEndpoint *m_endpoint;
};

TcpServerEndpoint::TcpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_server(new ListeningServer(this)),
      m_workers(new TcpWorkerPool(registry, log, this)),
      m_behaviour(makeBehaviour(Behaviour::Echo))
{
    connect(m_workers, &TcpWorkerPool::started, this, &TcpServerEndpoint::accepted);
    connect(m_workers, &TcpWorkerPool::finished, this, [this](SocketId id) {
        resumeIfPausedForDescriptors();
        Q_EMIT connectionFinished(id);
    });
    connect(m_workers, &TcpWorkerPool::workersChanged, this, &TcpServerEndpoint::workersChanged);
    connect(m_workers, &TcpWorkerPool::failed, this, &TcpServerEndpoint::fail);
    connect(m_workers, &TcpWorkerPool::errorOccurred, this, &TcpServerEndpoint::errorOccurred);
    connect(m_server, &QTcpServer::newConnection, this, &TcpServerEndpoint::onNewConnection);
    connect(m_server, &QTcpServer::acceptError, this, &TcpServerEndpoint::onAcceptError);
    m_descriptorRetry.setInterval(DescriptorRetryMs);
    connect(&m_descriptorRetry, &QTimer::timeout, this,
            &TcpServerEndpoint::retryAfterDescriptorPause);
}

TcpServerEndpoint::~TcpServerEndpoint()
{
    endWorkers();
    // Connections report their own end from their destructors; the listener's record is ours.
    if (m_listenerId != InvalidSocketId) {
        m_registry.markClosed(m_listenerId);
        m_registry.remove(m_listenerId);
    }
}

NetErrorInfo TcpServerEndpoint::start(const TcpServerConfig &config)
{
    if (isListening())
        stop();
    if (config.backlog < 1 || config.backlog > 65535)
        return fail({NetError::InvalidInput,
                     tr("The listen backlog must be between 1 and 65535, not %1.")
                             .arg(config.backlog)});
    if (NetErrorInfo check = checkBindAddress(config.address); check.isError())
        return fail(check);

    m_config = config;
    setBehaviour(config.behaviour);
    // The kernel silently caps the backlog at net.core.somaxconn.
    m_server->setListenBacklogSize(config.backlog);
    if (!config.reuseAddress) {
        NetErrorInfo error;
        if (!listenWithoutAddressReuse(config, &error))
            return fail(error);
    } else if (!m_server->listen(config.address, config.port)) {
        return fail(describeBindError(Protocol::Tcp, m_server->serverError(),
                                      m_server->errorString(), config.address, config.port));
    }

    m_endpoint = Endpoint{m_server->serverAddress(), m_server->serverPort()};
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpListener;
    record.local = m_endpoint;
    record.state = SocketState::Listen;
    record.program = QCoreApplication::applicationName();
    m_listenerId = m_registry.add(record);
    m_accepting = true;
    m_pausedForDescriptors = false;
    watchAcceptNotifier();
    m_log.append(EventSeverity::Info,
                 tr("TCP server listening on %1 (backlog %2, %3).")
                         .arg(m_endpoint.toString())
                         .arg(config.backlog)
                         .arg(behaviourName(config.behaviour)),
                 m_listenerId);
    qCDebug(lcNet) << "listening on" << m_endpoint.toString();
    Q_EMIT listeningChanged(true);
    Q_EMIT acceptingChanged(true);
    return {};
}

bool TcpServerEndpoint::listenWithoutAddressReuse(const TcpServerConfig &config,
                                                  NetErrorInfo *error)
{
    // QTcpServer::listen() sets SO_REUSEADDR on every Unix socket it makes, so the socket
    // that shows a bind without it is made here and handed to the server already listening.
    const int family
            = config.address.protocol() == QAbstractSocket::IPv6Protocol ? AF_INET6 : AF_INET;
    const int descriptor = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_storage address{};
    const socklen_t length = toSockaddr({config.address, config.port}, family, &address);
    if (descriptor >= 0
        && ::bind(descriptor, reinterpret_cast<const sockaddr *>(&address), length) == 0
        && ::listen(descriptor, config.backlog) == 0 && m_server->setSocketDescriptor(descriptor))
        return true;
    const int code = errno;
    if (descriptor >= 0)
        ::close(descriptor);
    if (code == EADDRINUSE) {
        *error = {NetError::PortInUse,
                  tr("bind() to %1 failed: Address already in use (EADDRINUSE). SO_REUSEADDR "
                     "is off, so a connection on this port still in TIME_WAIT blocks the bind "
                     "(as does any other socket on it). Turn SO_REUSEADDR on, as servers "
                     "usually do, or wait until TIME_WAIT ends.")
                          .arg(Endpoint{config.address, config.port}.toString())};
        return false;
    }
    const QAbstractSocket::SocketError kind
            = code == EACCES                     ? QAbstractSocket::SocketAccessError
              : code == EADDRNOTAVAIL            ? QAbstractSocket::SocketAddressNotAvailableError
              : code == EMFILE || code == ENFILE ? QAbstractSocket::SocketResourceError
                                                 : QAbstractSocket::UnknownSocketError;
    *error = describeBindError(Protocol::Tcp, kind, QString::fromLocal8Bit(std::strerror(code)),
                               config.address, config.port);
    return false;
}

void TcpServerEndpoint::stop()
{
    if (!isListening())
        return;
    m_server->close();
    m_descriptorRetry.stop();
    m_pausedForDescriptors = false;
    m_registry.markClosed(m_listenerId);
    m_registry.remove(m_listenerId);
    m_log.append(EventSeverity::Info,
                 tr("TCP listener on %1 closed. Its %n accepted connection(s) stay established: "
                    "each is a socket of its own, the listener only made them.",
                    nullptr, static_cast<int>(connectionCount()))
                         .arg(m_endpoint.toString()),
                 m_listenerId);
    m_listenerId = InvalidSocketId;
    m_accepting = false;
    Q_EMIT listeningChanged(false);
    Q_EMIT acceptingChanged(false);
}

qintptr TcpServerEndpoint::listenerDescriptor() const
{
    return m_server && m_server->isListening() ? m_server->socketDescriptor() : -1;
}

bool TcpServerEndpoint::isListening() const
{
    return m_server->isListening();
}

void TcpServerEndpoint::setAccepting(bool accepting)
{
    if (!isListening())
        return;
    // Asked to accept while held off for descriptors: look again now, not at the next retry.
    if (accepting && m_pausedForDescriptors)
        retryAfterDescriptorPause();
    if (accepting == m_accepting)
        return;
    // Out of descriptors, the listener stays held off until one frees up, whatever is asked.
    if (accepting && !m_pausedForDescriptors)
        m_server->resumeAccepting();
    else if (!accepting)
        m_server->pauseAccepting();
    m_accepting = accepting;
    m_log.append(EventSeverity::Info,
                 accepting ? tr("Accepting connections again; the accept queue drains.")
                           : tr("Paused accepting: the kernel still completes handshakes and "
                                "queues them, up to the backlog (%1).")
                                     .arg(m_config.backlog),
                 m_listenerId);
    Q_EMIT acceptingChanged(accepting);
}

void TcpServerEndpoint::acceptWaiting()
{
    if (!isListening() || !m_accepting || m_pausedForDescriptors)
        return;
    // With a zero timeout this accepts what is queued (newConnection reaches
    // onNewConnection at once) and returns; it never blocks.
    m_server->waitForNewConnection(0);
}

void TcpServerEndpoint::setBehaviour(Behaviour behaviour)
{
    if (m_behaviour && m_behaviour->kind() == behaviour)
        return;
    m_behaviour = makeBehaviour(behaviour);
    m_config.behaviour = behaviour;
}

void TcpServerEndpoint::onNewConnection()
{
    // Bounded: Qt queues at most maxPendingConnections() anyway.
    for (int i = 0; i < 1024 && m_server->hasPendingConnections(); ++i) {
        if (QTcpSocket *socket = m_server->nextPendingConnection())
            adopt(socket);
    }
}

void TcpServerEndpoint::setHoldCloseWait(bool hold)
{
    m_holdCloseWait = hold;
    for (TcpConnection *connection : std::as_const(m_connections))
        connection->setHoldOnPeerFin(hold);
}

void TcpServerEndpoint::adopt(QTcpSocket *socket)
{
    auto *connection = new TcpConnection(socket, m_registry, m_log, this);
    connection->setClosedLinger(m_closedLingerMs);
    connection->setHoldOnPeerFin(m_holdCloseWait);
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpServerSide;
    record.local = Endpoint{socket->localAddress(), socket->localPort()};
    record.remote = Endpoint{socket->peerAddress(), socket->peerPort()};
    record.state = SocketState::Established;
    record.program = QCoreApplication::applicationName();
    const SocketId id = m_registry.add(record);
    m_connections.insert(id, connection);

    connection->attach(id);

    connect(connection, &TcpConnection::dataReceived, this,
            [this, connection](const QByteArray &data) {
                apply(connection, m_behaviour->onTcpData(data));
            });
    connect(connection, &TcpConnection::errorOccurred, this, &TcpServerEndpoint::errorOccurred);
    connect(connection, &TcpConnection::finished, this, [this, connection](SocketId finishedId) {
        m_connections.remove(finishedId);
        connection->deleteLater();
        resumeIfPausedForDescriptors();
        Q_EMIT connectionFinished(finishedId);
    });

    m_log.append(EventSeverity::Info,
                 tr("Accepted %1 on %2: a new socket, same local port as the listener.")
                         .arg(record.remote->toString(), record.local.toString()),
                 id);
    Q_EMIT accepted(id);
    apply(connection, m_behaviour->onTcpConnected());
}

void TcpServerEndpoint::resumeIfPausedForDescriptors()
{
    // A closed socket gave a descriptor back: look now rather than at the next retry.
    if (m_pausedForDescriptors)
        retryAfterDescriptorPause();
}

void TcpServerEndpoint::watchAcceptNotifier()
{
    // Out of descriptors, accept() fails with EMFILE while the connection stays queued, so
    // the listener stays readable. Qt 6.4 would pause on such an error, but its socket
    // engine keeps only the first error it ever saw, and the first accept loop already
    // ended on EAGAIN ("temporary"): EMFILE then reads as temporary too, and Qt calls
    // accept() again on every turn of the loop (17,600 failing calls a second, a network
    // thread at 100 % CPU). We look before Qt does, and hold the listener off until a
    // descriptor is free again. The notifier is Qt's own child of the server; if a later Qt
    // hides it, Qt's own pause on acceptError (onAcceptError) is what is left.
    m_acceptNotifier = qtReadNotifier(*m_server, m_server->socketDescriptor());
    if (m_acceptNotifier)
        m_acceptNotifier->installEventFilter(this);
}

bool TcpServerEndpoint::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_acceptNotifier && event->type() == QEvent::SockAct
        && !descriptorFree(m_server->socketDescriptor())) {
        pauseForDescriptors();
        return true;
    }
    return QObject::eventFilter(watched, event);
}

void TcpServerEndpoint::pauseForDescriptors()
{
    m_server->pauseAccepting();
    m_descriptorRetry.start();
    if (m_pausedForDescriptors)
        return;
    m_pausedForDescriptors = true;
    if (m_accepting)
        Q_EMIT acceptingChanged(false);
    // Once per episode: the retries that follow are silent.
    const NetErrorInfo error{
            NetError::OutOfDescriptors,
            tr("Cannot accept: this process has no file descriptor left (EMFILE). New "
               "connections wait in the kernel's accept queue (the listener's Recv-Q) and are "
               "accepted as soon as descriptors free up. Close some connections, or start "
               "SocketScope with a higher limit (ulimit -n)."),
            m_listenerId};
    m_log.append(errorLine(error, m_listenerId));
    Q_EMIT errorOccurred(error);
}

void TcpServerEndpoint::retryAfterDescriptorPause()
{
    if (!isListening()) {
        m_descriptorRetry.stop();
        m_pausedForDescriptors = false;
        return;
    }
    if (!descriptorFree(m_server->socketDescriptor()))
        return;
    m_descriptorRetry.stop();
    m_pausedForDescriptors = false;
    m_log.append(EventSeverity::Info,
                 m_accepting ? tr("File descriptors are free again: accepting resumes.")
                             : tr("File descriptors are free again (accepting stays paused, "
                                  "as asked)."),
                 m_listenerId);
    if (m_accepting) {
        m_server->resumeAccepting();
        Q_EMIT acceptingChanged(true);
    }
}

void TcpServerEndpoint::setModel(ConcurrencyModel model)
{
    if (model == m_model)
        return;
    m_model = model;
    const QString how
            = model == ConcurrencyModel::EventLoop
                      ? tr("served by this process's event loop, one thread for all")
              : model == ConcurrencyModel::ThreadPerClient
                      ? tr("each served by a worker thread of its own")
                      : tr("each served by a child process of its own (the socket is passed with "
                           "SCM_RIGHTS)");
    m_log.append(EventSeverity::Info,
                 tr("Concurrency model: %1. New connections are %2; those already accepted "
                    "keep theirs.")
                         .arg(concurrencyModelName(model), how),
                 m_listenerId);
    Q_EMIT modelChanged(model);
}

bool TcpServerEndpoint::handOver(qintptr descriptor)
{
    if (m_model == ConcurrencyModel::EventLoop)
        return false;
    m_workers->take(descriptor, m_model, m_behaviour->kind(), m_listenerId);
    return true;
}

void TcpServerEndpoint::endWorkers(int graceMs)
{
    m_workers->endWorkers(graceMs);
}

void TcpServerEndpoint::apply(TcpConnection *connection, const TcpReaction &reaction)
{
    if (!reaction.reply.isEmpty() && connection->isConnected() && !connection->isWriteShut()) {
        connection->transmit(reaction.reply);
        // Hand any rest to the kernel now: if the peer's FIN is read before Qt's write
        // notifier fires, Qt closes the socket and would drop what it still buffers.
        connection->socket()->flush();
    }
    if (reaction.closeAfterReply)
        connection->close();
}

void TcpServerEndpoint::onAcceptError()
{
    const QAbstractSocket::SocketError error = m_server->serverError();
    if (error == QAbstractSocket::SocketResourceError) {
        // The look before accept() missed it (another thread took the last descriptor):
        // the same pause, the same single message.
        pauseForDescriptors();
        return;
    }
    const NetErrorInfo info{NetError::Other, tr("accept() failed: %1").arg(m_server->errorString()),
                            m_listenerId};
    m_log.append(errorLine(info, m_listenerId));
    Q_EMIT errorOccurred(info);
}

NetErrorInfo TcpServerEndpoint::fail(NetErrorInfo error)
{
    m_log.append(errorLine(error, InvalidSocketId));
    qCInfo(lcNet) << "TCP server:" << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
