// SPDX-License-Identifier: MIT
#include "clientspawner.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "tcpserverendpoint.h"
#include "udpserverendpoint.h"

namespace SocketScope {

namespace {

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

ClientSpawner::ClientSpawner(SocketRegistry &registry, EventLog &log, TcpServerEndpoint &tcpServer,
                             const UdpServerEndpoint &udpServer, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_tcpServer(tcpServer),
      m_udpServer(udpServer)
{ }

ClientSpawner::~ClientSpawner()
{
    deleteAllClients();
}

void ClientSpawner::deleteAllClients()
{
    closeAllClients();
    qDeleteAll(m_tcpClients);
    qDeleteAll(m_udpClients);
    m_tcpClients.clear();
    m_udpClients.clear();
}

Endpoint ClientSpawner::defaultTarget(bool tcp) const
{
    // After a stop the last bound endpoint is kept, so the next spawn is refused there,
    // which is the point the lecturer wants to make.
    const Endpoint last = tcp ? m_tcpServer.endpoint() : m_udpServer.endpoint();
    if (last.port != 0)
        return reachable(last);
    return Endpoint{QHostAddress(QHostAddress::LocalHost), DefaultServerPort};
}

bool ClientSpawner::isOurListener(const Endpoint &target) const
{
    if (!m_tcpServer.isListening() || target.port != m_tcpServer.endpoint().port)
        return false;
    return isLocalAddress(target.address);
}

QString ClientSpawner::whyOurListenerDoesNotAnswer() const
{
    const std::optional<AcceptQueue> queue = acceptQueueOf(m_tcpServer.listenerDescriptor());
    if (!queue || !queue->isFull())
        return {};
    return tr("The server accepted no connection: its accept queue stayed full (%1 waiting, "
              "backlog %2%3), so the kernel dropped this client's SYNs.")
            .arg(queue->waiting)
            .arg(queue->backlog)
            .arg(m_tcpServer.isAccepting() ? QString() : tr(", accepting paused"));
}

NetErrorInfo ClientSpawner::setConnectTimeout(int seconds)
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

SpawnResult ClientSpawner::spawnTcpClients(int count, const TcpSpawnOptions &options)
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
    const int batch = qMax(1, m_tcpServer.config().backlog / 2);

    for (int i = 0; i < planned; ++i) {
        if (ownListener && i > 0 && i % batch == 0)
            m_tcpServer.acceptWaiting();
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
        connect(client, &TcpConnection::errorOccurred, this, &ClientSpawner::errorOccurred);
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

SpawnResult ClientSpawner::spawnUdpClients(int count, const UdpSpawnOptions &options)
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
        connect(client, &UdpClientEndpoint::errorOccurred, this, &ClientSpawner::errorOccurred);
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

bool ClientSpawner::acceptSpawnCount(SpawnResult &result)
{
    if (result.requested >= 1 && result.requested <= MaxSpawn)
        return true;
    result.stopReason = fail(
            {NetError::InvalidInput,
             tr("Spawn 1 to %1 clients at a time, not %2.").arg(MaxSpawn).arg(result.requested)});
    return false;
}

void ClientSpawner::concludeSpawn(SpawnResult &result, const QString &protocol,
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

void ClientSpawner::closeAllClients()
{
    const QList<TcpClientEndpoint *> tcp = m_tcpClients.values();
    for (TcpClientEndpoint *client : tcp)
        client->close();
    const QList<UdpClientEndpoint *> udp = m_udpClients.values();
    for (UdpClientEndpoint *client : udp)
        client->close();
}
QList<UdpClientEndpoint *> ClientSpawner::udpClients() const
{
    return m_udpClients.values();
}

NetErrorInfo ClientSpawner::fail(NetErrorInfo error)
{
    m_log.append(errorLine(error, error.socket));
    qCInfo(lcNet) << netErrorName(error.error) << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
