// SPDX-License-Identifier: MIT
#include "networkengine.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"

namespace SocketScope {

namespace {

constexpr int MaxTextChars = 1 << 20;

// Clients cannot connect to an any-address; they mean "this machine", so use its loopback.
Endpoint reachable(Endpoint endpoint)
{
    if (endpoint.address == QHostAddress(QHostAddress::AnyIPv4)
        || endpoint.address == QHostAddress(QHostAddress::Any))
        endpoint.address = QHostAddress(QHostAddress::LocalHost);
    else if (endpoint.address == QHostAddress(QHostAddress::AnyIPv6))
        endpoint.address = QHostAddress(QHostAddress::LocalHostIPv6);
    return endpoint;
}

} // namespace

NetworkEngine::NetworkEngine(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_tcpServer(new TcpServerEndpoint(registry, log, this)),
      m_udpServer(new UdpServerEndpoint(registry, log, this))
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
    closeAllClients();
    qDeleteAll(m_tcpClients);
    qDeleteAll(m_udpClients);
    m_tcpClients.clear();
    m_udpClients.clear();
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

Endpoint NetworkEngine::defaultTarget(bool tcp) const
{
    // After a stop the last bound endpoint is kept, so the next spawn is refused there,
    // which is the point the lecturer wants to make.
    const Endpoint last = tcp ? m_tcpServer->endpoint() : m_udpServer->endpoint();
    if (last.port != 0)
        return reachable(last);
    return Endpoint{QHostAddress(QHostAddress::LocalHost), DefaultServerPort};
}

bool NetworkEngine::isOurListener(const Endpoint &target) const
{
    if (!m_tcpServer->isListening() || target.port != m_tcpServer->endpoint().port)
        return false;
    return isLocalAddress(target.address);
}

QString NetworkEngine::whyOurListenerDoesNotAnswer() const
{
    const std::optional<AcceptQueue> queue = acceptQueueOf(m_tcpServer->listenerDescriptor());
    if (!queue || !queue->isFull())
        return {};
    return tr("The server accepted no connection: its accept queue stayed full (%1 waiting, "
              "backlog %2%3), so the kernel dropped this client's SYNs.")
            .arg(queue->waiting)
            .arg(queue->backlog)
            .arg(m_tcpServer->isAccepting() ? QString() : tr(", accepting paused"));
}

NetErrorInfo NetworkEngine::setConnectTimeout(int seconds)
{
    if (seconds < 0 || seconds > MaxConnectTimeoutSeconds)
        return fail({NetError::InvalidInput,
                     tr("A connect timeout is 0 (the kernel's own limit) to %1 seconds; %2 is "
                        "not.")
                             .arg(MaxConnectTimeoutSeconds)
                             .arg(seconds)});
    m_connectTimeoutSeconds = seconds;
    return {};
}

SpawnResult NetworkEngine::spawnTcpClients(int count, const TcpSpawnOptions &options)
{
    SpawnResult result;
    result.requested = count;
    if (!acceptSpawnCount(result))
        return result;
    const Endpoint target = options.server ? *options.server : defaultTarget(true);
    if (target.address.isNull() || target.port == 0) {
        result.stopReason = fail(
                {NetError::InvalidInput, tr("Connect to which server? Give an address and a port "
                                            "from 1 to 65535.")});
        return result;
    }
    // Our own listener accepts every client we make: two descriptors each.
    const int cost = isOurListener(target) ? 2 : 1;
    const DescriptorBudget budget = DescriptorBudget::current();
    const qint64 fit = budget.clientsThatFit(cost, m_descriptorReserve);
    const int planned = static_cast<int>(qMin<qint64>(count, fit));
    // On this machine connect() completes the handshake at once and the connection waits
    // in our accept queue: take them in batches of half the backlog so it never overflows.
    const bool ownListener = isOurListener(target);
    const int batch = qMax(1, m_tcpServer->config().backlog / 2);

    for (int i = 0; i < planned; ++i) {
        if (ownListener && i > 0 && i % batch == 0)
            m_tcpServer->acceptWaiting();
        TcpClientOptions clientOptions = options.client;
        if (!clientOptions.connectTimeoutSeconds)
            clientOptions.connectTimeoutSeconds = m_connectTimeoutSeconds;
        auto *client = new TcpClientEndpoint(m_registry, m_log, target, clientOptions, this);
        client->setClosedLinger(m_closedLingerMs);
        if (ownListener)
            client->setNoAnswerExplanation([this] { return whyOurListenerDoesNotAnswer(); });
        const NetErrorInfo error = client->open();
        if (error.isError()) {
            delete client;
            result.stopReason = error;
            break;
        }
        const SocketId id = client->id();
        m_tcpClients.insert(id, client);
        result.ids.append(id);
        ++result.created;
        connect(client, &TcpConnection::errorOccurred, this, &NetworkEngine::errorOccurred);
        connect(client, &TcpConnection::finished, this, [this, client](SocketId finishedId) {
            m_tcpClients.remove(finishedId);
            client->deleteLater();
            Q_EMIT clientsChanged();
        });
    }

    concludeSpawn(
            result, QStringLiteral("TCP"),
            tr("the descriptor budget is spent (%1). Close clients, or raise the hard "
               "limit (ulimit -Hn) before starting.")
                    .arg(budget.describe(cost)),
            tr("Spawned %n TCP client(s) to %1.", nullptr, result.created).arg(target.toString()));
    return result;
}

SpawnResult NetworkEngine::spawnUdpClients(int count, const UdpSpawnOptions &options)
{
    SpawnResult result;
    result.requested = count;
    if (!acceptSpawnCount(result))
        return result;
    const Endpoint target = options.server ? *options.server : defaultTarget(false);
    if (target.address.isNull() || target.port == 0) {
        result.stopReason = fail({NetError::InvalidInput,
                                  tr("Send to which server? Give an address and a port from 1 "
                                     "to 65535.")});
        return result;
    }
    const DescriptorBudget budget = DescriptorBudget::current();
    const int planned
            = static_cast<int>(qMin<qint64>(count, budget.clientsThatFit(1, m_descriptorReserve)));

    for (int i = 0; i < planned; ++i) {
        auto *client = new UdpClientEndpoint(m_registry, m_log, target, options.client, this);
        const NetErrorInfo error = client->open();
        if (error.isError()) {
            delete client;
            result.stopReason = error;
            break;
        }
        const SocketId id = client->id();
        m_udpClients.insert(id, client);
        result.ids.append(id);
        ++result.created;
        connect(client, &UdpClientEndpoint::errorOccurred, this, &NetworkEngine::errorOccurred);
        connect(client, &UdpClientEndpoint::finished, this, [this, client](SocketId finishedId) {
            m_udpClients.remove(finishedId);
            client->deleteLater();
            Q_EMIT clientsChanged();
        });
    }

    concludeSpawn(
            result, QStringLiteral("UDP"),
            tr("the descriptor budget is spent (%1). Close clients first.").arg(budget.describe(1)),
            tr("Spawned %n UDP client(s) for %1.", nullptr, result.created).arg(target.toString()));
    return result;
}

bool NetworkEngine::acceptSpawnCount(SpawnResult &result)
{
    if (result.requested >= 1 && result.requested <= MaxSpawn)
        return true;
    result.stopReason = fail(
            {NetError::InvalidInput,
             tr("Spawn 1 to %1 clients at a time, not %2.").arg(MaxSpawn).arg(result.requested)});
    return false;
}

void NetworkEngine::concludeSpawn(SpawnResult &result, const QString &protocol,
                                  const QString &budgetSpent, const QString &success)
{
    // Fewer made than asked, with no error from a socket: the descriptor budget stopped it.
    if (!result.stopReason.isError() && result.created < result.requested) {
        result.stopReason
                = {NetError::OutOfDescriptors, tr("Made %1 of %2 %3 clients, then stopped: %4")
                                                       .arg(result.created)
                                                       .arg(result.requested)
                                                       .arg(protocol, budgetSpent)};
    } else if (result.stopReason.isError()) {
        result.stopReason.message = tr("Made %1 of %2 %3 clients, then stopped: %4")
                                            .arg(result.created)
                                            .arg(result.requested)
                                            .arg(protocol, result.stopReason.message);
    }
    if (result.stopReason.isError())
        fail(result.stopReason);
    else
        m_log.append(EventSeverity::Info, success);
    if (result.created > 0)
        Q_EMIT clientsChanged();
}

void NetworkEngine::closeAllClients()
{
    const QList<TcpClientEndpoint *> tcp = m_tcpClients.values();
    for (TcpClientEndpoint *client : tcp)
        client->close();
    const QList<UdpClientEndpoint *> udp = m_udpClients.values();
    for (UdpClientEndpoint *client : udp)
        client->close();
}

void NetworkEngine::closeEverything()
{
    // TCP by abort: a fresh start leaves no TIME_WAIT of its own cleanup behind.
    const QList<SocketId> tcp
            = m_tcpClients.keys() + m_tcpServer->connectionIds() + m_tcpServer->workerIds();
    for (SocketId id : tcp)
        abort(id);
    const QList<UdpClientEndpoint *> udp = m_udpClients.values();
    for (UdpClientEndpoint *client : udp)
        client->close();
    stopTcpServer();
    stopUdpServer();
}

// --- actions

TcpConnection *NetworkEngine::tcpConnection(SocketId id) const
{
    if (TcpClientEndpoint *client = m_tcpClients.value(id))
        return client;
    return m_tcpServer->connection(id);
}

TcpWorker *NetworkEngine::tcpWorker(SocketId id) const
{
    return m_tcpServer->worker(id);
}

UdpClientEndpoint *NetworkEngine::udpClient(SocketId id) const
{
    return m_udpClients.value(id);
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
    m_closedLingerMs = qBound(0, ms, 60000);
    m_tcpServer->setClosedLinger(m_closedLingerMs);
}

NetErrorInfo NetworkEngine::fail(NetErrorInfo error)
{
    m_log.append(errorLine(error, error.socket));
    qCInfo(lcNet) << netErrorName(error.error) << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
