// SPDX-License-Identifier: MIT
#include "networkengine.h"

#include "eventlog.h"
#include "netlogging.h"
#include "socketregistry.h"

namespace SocketScope {

namespace {

constexpr int MaxTextChars = 1 << 20;

} // namespace

NetworkEngine::NetworkEngine(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_tcpServer(new TcpServerEndpoint(registry, log, this)),
      m_udpServer(new UdpServerEndpoint(registry, log, this)),
      m_clients(new ClientSpawner(registry, log, *m_tcpServer, *m_udpServer, this))
{
    connect(m_tcpServer, &TcpServerEndpoint::listeningChanged, this,
            &NetworkEngine::tcpServerChanged);
    connect(m_tcpServer, &TcpServerEndpoint::acceptingChanged, this,
            &NetworkEngine::tcpServerChanged);
    connect(m_tcpServer, &TcpServerEndpoint::errorOccurred, this, &NetworkEngine::errorOccurred);
    connect(m_tcpServer, &TcpServerEndpoint::modelChanged, this, &NetworkEngine::tcpServerChanged);
    connect(m_tcpServer, &TcpServerEndpoint::workersChanged, this,
            &NetworkEngine::tcpServerChanged);
    connect(m_udpServer, &UdpServerEndpoint::boundChanged, this, &NetworkEngine::udpServerChanged);
    connect(m_udpServer, &UdpServerEndpoint::errorOccurred, this, &NetworkEngine::errorOccurred);
    connect(m_clients, &ClientSpawner::clientsChanged, this, &NetworkEngine::clientsChanged);
    connect(m_clients, &ClientSpawner::errorOccurred, this, &NetworkEngine::errorOccurred);

    // Each local client costs two descriptors, and Debian's soft limit of 1024 would stop a
    // spawn of 1000 halfway; the hard limit is ours to take.
    const bool raised = DescriptorBudget::raiseSoftLimit();
    const DescriptorBudget budget = DescriptorBudget::current();
    m_log.append(raised ? EventSeverity::Info : EventSeverity::Warning,
                 raised ? budget.describe()
                        : tr("Could not raise the open-file limit: %1").arg(budget.describe()));
}

NetworkEngine::~NetworkEngine()
{
    // Clients first, then the servers (their members' destructors report the rest).
    m_clients->deleteAllClients();
    // No worker thread or process outlives the engine: each is ended and reaped here.
    m_tcpServer->endWorkers();
}

// --- servers

NetErrorInfo NetworkEngine::startTcpServer(const TcpServerConfig &config)
{
    return m_tcpServer->start(config);
}

void NetworkEngine::stopTcpServer()
{
    m_tcpServer->stop();
}

void NetworkEngine::setTcpAccepting(bool accepting)
{
    m_tcpServer->setAccepting(accepting);
}

bool NetworkEngine::isTcpListening() const
{
    return m_tcpServer->isListening();
}

bool NetworkEngine::isTcpAccepting() const
{
    return m_tcpServer->isAccepting();
}

Endpoint NetworkEngine::tcpServerEndpoint() const
{
    return m_tcpServer->endpoint();
}

SocketId NetworkEngine::tcpListenerId() const
{
    return m_tcpServer->listenerId();
}

NetErrorInfo NetworkEngine::startUdpServer(const UdpServerConfig &config)
{
    return m_udpServer->start(config);
}

void NetworkEngine::stopUdpServer()
{
    m_udpServer->stop();
}

bool NetworkEngine::isUdpBound() const
{
    return m_udpServer->isBound();
}

Endpoint NetworkEngine::udpServerEndpoint() const
{
    return m_udpServer->endpoint();
}

SocketId NetworkEngine::udpServerId() const
{
    return m_udpServer->socketId();
}

NetErrorInfo NetworkEngine::setUdpProcessingDelay(int ms)
{
    if (!m_udpServer->setProcessingDelay(ms))
        return fail({NetError::InvalidInput,
                     tr("The processing delay must be between 0 and %1 ms, not %2.")
                             .arg(UdpServerEndpoint::MaxProcessingDelayMs)
                             .arg(ms)});
    m_log.append(EventSeverity::Info, tr("UDP processing delay set to %1 ms.").arg(ms),
                 m_udpServer->socketId());
    Q_EMIT udpServerChanged();
    return {};
}

void NetworkEngine::setUdpModel(UdpModel model)
{
    m_udpServer->setModel(model);
    Q_EMIT udpServerChanged();
}

UdpModel NetworkEngine::udpModel() const
{
    return m_udpServer->model();
}

int NetworkEngine::udpProcessingDelay() const
{
    return m_udpServer->processingDelay();
}

void NetworkEngine::setTcpModel(ConcurrencyModel model)
{
    m_tcpServer->setModel(model);
}

ConcurrencyModel NetworkEngine::tcpModel() const
{
    return m_tcpServer->model();
}

NetErrorInfo NetworkEngine::setWorkerLimit(int limit)
{
    if (!m_tcpServer->setWorkerLimit(limit))
        return fail(
                {NetError::InvalidInput, tr("The worker limit must be between 1 and %1, not %2.")
                                                 .arg(TcpServerEndpoint::MaxWorkerLimit)
                                                 .arg(limit)});
    Q_EMIT tcpServerChanged();
    return {};
}

int NetworkEngine::workerLimit() const
{
    return m_tcpServer->workerLimit();
}

qsizetype NetworkEngine::workerCount() const
{
    return m_tcpServer->workerCount();
}

void NetworkEngine::setWorkerCommand(const WorkerCommand &command)
{
    m_tcpServer->setWorkerCommand(command);
}

void NetworkEngine::setTcpBehaviour(Behaviour behaviour)
{
    m_tcpServer->setBehaviour(behaviour);
    Q_EMIT tcpServerChanged();
}

void NetworkEngine::setUdpBehaviour(Behaviour behaviour)
{
    m_udpServer->setBehaviour(behaviour);
    Q_EMIT udpServerChanged();
}

Behaviour NetworkEngine::tcpBehaviour() const
{
    return m_tcpServer->behaviour();
}

Behaviour NetworkEngine::udpBehaviour() const
{
    return m_udpServer->behaviour();
}

// --- clients

NetErrorInfo NetworkEngine::setConnectTimeout(int seconds)
{
    return m_clients->setConnectTimeout(seconds);
}

SpawnResult NetworkEngine::spawnTcpClients(int count, const TcpSpawnOptions &options)
{
    return m_clients->spawnTcpClients(count, options);
}

SpawnResult NetworkEngine::spawnUdpClients(int count, const UdpSpawnOptions &options)
{
    return m_clients->spawnUdpClients(count, options);
}

void NetworkEngine::closeAllClients()
{
    m_clients->closeAllClients();
}

void NetworkEngine::closeEverything()
{
    // TCP by abort: a fresh start leaves no TIME_WAIT of its own cleanup behind.
    const QList<SocketId> tcp
            = m_clients->tcpClientIds() + m_tcpServer->connectionIds() + m_tcpServer->workerIds();
    for (SocketId id : tcp)
        abort(id);
    const QList<UdpClientEndpoint *> udp = m_clients->udpClients();
    for (UdpClientEndpoint *client : udp)
        client->close();
    stopTcpServer();
    stopUdpServer();
}

// --- actions

TcpConnection *NetworkEngine::tcpConnection(SocketId id) const
{
    if (TcpClientEndpoint *client = m_clients->tcpClient(id))
        return client;
    return m_tcpServer->connection(id);
}

TcpWorker *NetworkEngine::tcpWorker(SocketId id) const
{
    return m_tcpServer->worker(id);
}

UdpClientEndpoint *NetworkEngine::udpClient(SocketId id) const
{
    return m_clients->udpClient(id);
}

SocketActions NetworkEngine::availableActions(SocketId id) const
{
    if (id == InvalidSocketId)
        return {};
    if (const TcpConnection *connection = tcpConnection(id))
        return connection->availableActions();
    if (const TcpWorker *worker = tcpWorker(id))
        return worker->availableActions();
    if (const UdpClientEndpoint *client = udpClient(id))
        return client->availableActions();
    if (id == m_tcpServer->listenerId() || id == m_udpServer->socketId()
        || m_udpServer->peerSocketIds().contains(id))
        return SocketAction::Close;
    return {};
}

NetErrorInfo NetworkEngine::unknownSocket(SocketId id) const
{
    return {NetError::NotRunning,
            tr("Socket #%1 is not one of ours any more (closed, or owned by another program).")
                    .arg(id),
            id};
}

NetErrorInfo NetworkEngine::sendText(SocketId id, const QString &text)
{
    if (text.isEmpty() || text.size() > MaxTextChars)
        return fail(
                {NetError::InvalidInput, tr("Type between 1 and 1048576 characters to send."), id});
    if (TcpConnection *connection = tcpConnection(id)) {
        QByteArray bytes = text.toUtf8();
        if (!bytes.endsWith('\n'))
            bytes.append('\n');
        const NetErrorInfo error = connection->sendText(bytes);
        return error.isError() ? fail(error) : error;
    }
    if (TcpWorker *worker = tcpWorker(id)) {
        QByteArray bytes = text.toUtf8();
        if (!bytes.endsWith('\n'))
            bytes.append('\n');
        const NetErrorInfo error = worker->sendText(bytes);
        return error.isError() ? fail(error) : error;
    }
    if (UdpClientEndpoint *client = udpClient(id))
        return client->sendDatagram(text.toUtf8()); // logs and emits its own errors
    return fail(unknownSocket(id));
}

NetErrorInfo NetworkEngine::sendBurst(SocketId id, int count, const QString &text)
{
    UdpClientEndpoint *client = udpClient(id);
    if (!client)
        return fail(tcpConnection(id)
                            ? NetErrorInfo{NetError::InvalidInput,
                                           tr("Bursts are for UDP clients: TCP is a byte "
                                              "stream, a burst would arrive as one run of "
                                              "bytes."),
                                           id}
                            : unknownSocket(id));
    const NetErrorInfo error = client->sendBurst(count, text.toUtf8());
    // Send failures were logged by the client; only input errors are ours to log.
    return error.error == NetError::InvalidInput ? fail(error) : error;
}

NetErrorInfo NetworkEngine::startPeriodic(SocketId id, int intervalMs, const QString &text)
{
    NetErrorInfo error;
    if (TcpConnection *connection = tcpConnection(id)) {
        QByteArray bytes = text.toUtf8();
        if (!bytes.endsWith('\n'))
            bytes.append('\n');
        error = connection->startPeriodic(intervalMs, bytes);
    } else if (TcpWorker *worker = tcpWorker(id)) {
        QByteArray bytes = text.toUtf8();
        if (!bytes.endsWith('\n'))
            bytes.append('\n');
        error = worker->startPeriodic(intervalMs, bytes);
    } else if (UdpClientEndpoint *client = udpClient(id)) {
        error = client->startPeriodic(intervalMs, text.toUtf8());
    } else {
        error = unknownSocket(id);
    }
    return error.isError() ? fail(error) : error;
}

NetErrorInfo NetworkEngine::stopPeriodic(SocketId id)
{
    if (TcpConnection *connection = tcpConnection(id))
        connection->stopPeriodic();
    else if (TcpWorker *worker = tcpWorker(id))
        worker->stopPeriodic();
    else if (UdpClientEndpoint *client = udpClient(id))
        client->stopPeriodic();
    else
        return fail(unknownSocket(id));
    return {};
}

NetErrorInfo NetworkEngine::halfClose(SocketId id)
{
    if (TcpWorker *worker = tcpWorker(id)) {
        const NetErrorInfo error = worker->halfClose();
        return error.isError() ? fail(error) : error;
    }
    TcpConnection *connection = tcpConnection(id);
    if (!connection)
        return fail(udpClient(id) ? NetErrorInfo{NetError::InvalidInput,
                                                 tr("UDP has no connection to half-close."), id}
                                  : unknownSocket(id));
    // The other end of a connection between two of our sockets has the mirrored tuple.
    if (const SocketRecord *record = m_registry.find(id); record && record->remote) {
        const SocketId peer = m_registry.findByTuple(Protocol::Tcp, *record->remote, record->local);
        if (TcpConnection *peerConnection = tcpConnection(peer))
            peerConnection->setHoldOnPeerFin(true);
    }
    const NetErrorInfo error = connection->halfClose();
    return error.isError() && error.error != NetError::Other ? fail(error) : error;
}

void NetworkEngine::setHoldCloseWait(bool hold)
{
    m_tcpServer->setHoldCloseWait(hold);
}

bool NetworkEngine::holdsCloseWait() const
{
    return m_tcpServer->holdsCloseWait();
}

NetErrorInfo NetworkEngine::close(SocketId id)
{
    if (TcpConnection *connection = tcpConnection(id)) {
        connection->close();
        return {};
    }
    if (TcpWorker *worker = tcpWorker(id)) {
        worker->close();
        return {};
    }
    if (UdpClientEndpoint *client = udpClient(id)) {
        client->close();
        return {};
    }
    if (id != InvalidSocketId && id == m_tcpServer->listenerId()) {
        stopTcpServer();
        return {};
    }
    if (id != InvalidSocketId && id == m_udpServer->socketId()) {
        stopUdpServer();
        return {};
    }
    if (m_udpServer->closePeerSocket(id))
        return {};
    return fail(unknownSocket(id));
}

NetErrorInfo NetworkEngine::abort(SocketId id)
{
    if (TcpWorker *worker = tcpWorker(id)) {
        worker->abort();
        return {};
    }
    TcpConnection *connection = tcpConnection(id);
    if (!connection)
        return fail(udpClient(id) ? NetErrorInfo{NetError::InvalidInput,
                                                 tr("UDP has no connection to reset; use "
                                                    "close."),
                                                 id}
                                  : unknownSocket(id));
    connection->abort();
    return {};
}

void NetworkEngine::setClosedLinger(int ms)
{
    const int linger = qBound(0, ms, 60000);
    m_clients->setClosedLinger(linger);
    m_tcpServer->setClosedLinger(linger);
}

NetErrorInfo NetworkEngine::fail(NetErrorInfo error)
{
    m_log.append(errorLine(error, error.socket));
    qCInfo(lcNet) << netErrorName(error.error) << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
