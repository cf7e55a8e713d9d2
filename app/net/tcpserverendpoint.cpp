// SPDX-License-Identifier: MIT
#include "tcpserverendpoint.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"
#include "tcpconnection.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QTcpSocket>

namespace SocketScope {

TcpServerEndpoint::TcpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_server(new QTcpServer(this)),
      m_behaviour(makeBehaviour(Behaviour::Echo))
{
    connect(m_server, &QTcpServer::newConnection, this, &TcpServerEndpoint::onNewConnection);
    connect(m_server, &QTcpServer::acceptError, this, &TcpServerEndpoint::onAcceptError);
}

TcpServerEndpoint::~TcpServerEndpoint()
{
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
    if (!m_server->listen(config.address, config.port))
        return fail(describeBindError(Protocol::Tcp, m_server->serverError(),
                                      m_server->errorString(), config.address, config.port));

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

void TcpServerEndpoint::stop()
{
    if (!isListening())
        return;
    m_server->close();
    m_registry.markClosed(m_listenerId);
    m_registry.remove(m_listenerId);
    m_log.append(EventSeverity::Info,
                 tr("TCP listener on %1 closed. Its %n accepted connection(s) stay established: "
                    "each is a socket of its own, the listener only made them.",
                    nullptr, static_cast<int>(m_connections.size()))
                         .arg(m_endpoint.toString()),
                 m_listenerId);
    m_listenerId = InvalidSocketId;
    m_accepting = false;
    Q_EMIT listeningChanged(false);
    Q_EMIT acceptingChanged(false);
}

bool TcpServerEndpoint::isListening() const
{
    return m_server->isListening();
}

void TcpServerEndpoint::setAccepting(bool accepting)
{
    if (!isListening() || accepting == m_accepting)
        return;
    if (accepting)
        m_server->resumeAccepting();
    else
        m_server->pauseAccepting();
    m_accepting = accepting;
    m_pausedForDescriptors = false;
    m_log.append(EventSeverity::Info,
                 accepting ? tr("Accepting connections again; the accept queue drains.")
                           : tr("Paused accepting: the kernel still completes handshakes and "
                                "queues them, up to the backlog (%1).")
                                     .arg(m_config.backlog),
                 m_listenerId);
    Q_EMIT acceptingChanged(accepting);
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

void TcpServerEndpoint::adopt(QTcpSocket *socket)
{
    auto *connection = new TcpConnection(socket, m_registry, m_log, this);
    connection->setClosedLinger(m_closedLingerMs);
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
        // Out of descriptors paused us; a closed socket gave one back.
        if (m_pausedForDescriptors && isListening()) {
            m_pausedForDescriptors = false;
            m_server->resumeAccepting();
            m_accepting = true;
            Q_EMIT acceptingChanged(true);
        }
        Q_EMIT connectionFinished(finishedId);
    });

    m_log.append(EventSeverity::Info,
                 tr("Accepted %1 on %2: a new socket, same local port as the listener.")
                         .arg(record.remote->toString(), record.local.toString()),
                 id);
    Q_EMIT accepted(id);
    apply(connection, m_behaviour->onTcpConnected());
}

void TcpServerEndpoint::apply(TcpConnection *connection, const TcpReaction &reaction)
{
    if (!reaction.reply.isEmpty() && connection->isConnected() && !connection->isWriteShut()) {
        connection->socket()->write(reaction.reply);
        // Hand the bytes to the kernel now: if the peer's FIN is read before Qt's write
        // notifier fires, Qt closes the socket and would drop what it still buffers.
        connection->socket()->flush();
    }
    if (reaction.closeAfterReply)
        connection->close();
}

void TcpServerEndpoint::onAcceptError()
{
    const QAbstractSocket::SocketError error = m_server->serverError();
    NetErrorInfo info;
    info.socket = m_listenerId;
    if (error == QAbstractSocket::SocketResourceError) {
        // Qt has paused accepting; resume once a connection closes.
        m_pausedForDescriptors = true;
        m_accepting = false;
        info.error = NetError::OutOfDescriptors;
        info.message = tr("accept() failed: out of file descriptors (EMFILE). New connections "
                          "wait in the kernel's accept queue; close some clients and accepting "
                          "resumes.");
        Q_EMIT acceptingChanged(false);
    } else {
        info.error = NetError::Other;
        info.message = tr("accept() failed: %1").arg(m_server->errorString());
    }
    m_log.append(EventSeverity::Error, info.message, m_listenerId);
    Q_EMIT errorOccurred(info);
}

NetErrorInfo TcpServerEndpoint::fail(NetErrorInfo error)
{
    m_log.append(EventSeverity::Error, error.message);
    qCInfo(lcNet) << "TCP server:" << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
