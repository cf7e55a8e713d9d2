// SPDX-License-Identifier: MIT
#pragma once

#include "descriptorbudget.h"
#include "neterror.h"
#include "socketrecord.h"
#include "tcpclientendpoint.h"
#include "udpclientendpoint.h"

#include <QHash>
#include <QObject>

#include <optional>

namespace SocketScope {

class EventLog;
class SocketRegistry;
class TcpServerEndpoint;
class UdpServerEndpoint;

struct TcpSpawnOptions
{
    // Where to connect; default: our TCP server, or 127.0.0.1:9877 when it is not running
    // (so a spawn with the listener stopped shows "connection refused").
    std::optional<Endpoint> server;
    TcpClientOptions client;
};

struct UdpSpawnOptions
{
    std::optional<Endpoint> server; // default: our UDP server, or 127.0.0.1:9877
    UdpClientOptions client;
};

struct SpawnResult
{
    int requested = 0;
    int created = 0;
    QList<SocketId> ids; // the records of the clients made, in order
    NetErrorInfo stopReason; // why fewer than requested were made; None when all were
    bool complete() const { return created == requested && !stopReason.isError(); }
};

// The clients the program spawns, from the click that asks for them until each is finished:
// where they go by default (our own server, or its last address after a stop), how many the
// descriptor budget lets us open, the batches our own accept queue can take, and how a spawn
// that stopped short is worded. It owns every client it made and forgets one when it ends.
// Apart from NetworkEngine, which runs the servers and routes actions by socket id, because
// making clients is a job of its own with its own limits; it only reads the servers (to aim
// at them and to explain a SYN they did not answer) and drains our listener's queue.
class ClientSpawner : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxSpawn = 20000; // more is a typo, not a lecture

    // The registry, the log and both servers must outlive it.
    ClientSpawner(SocketRegistry &registry, EventLog &log, TcpServerEndpoint &tcpServer,
                  const UdpServerEndpoint &udpServer, QObject *parent = nullptr);
    ~ClientSpawner() override; // deleteAllClients()

    SpawnResult spawnTcpClients(int count, const TcpSpawnOptions &options = {});
    SpawnResult spawnUdpClients(int count, const UdpSpawnOptions &options = {});
    void closeAllClients();
    // Closes every client and deletes it now, not on the next turn of the event loop.
    void deleteAllClients();

    qsizetype tcpClientCount() const { return m_tcpClients.size(); }
    qsizetype udpClientCount() const { return m_udpClients.size(); }
    QList<SocketId> tcpClientIds() const { return m_tcpClients.keys(); }
    QList<SocketId> udpClientIds() const { return m_udpClients.keys(); }
    TcpClientEndpoint *tcpClient(SocketId id) const { return m_tcpClients.value(id); }
    UdpClientEndpoint *udpClient(SocketId id) const { return m_udpClients.value(id); }
    QList<UdpClientEndpoint *> udpClients() const;

    // See NetworkEngine::setConnectTimeout.
    NetErrorInfo setConnectTimeout(int seconds);
    int connectTimeout() const { return m_connectTimeoutSeconds; }
    // Descriptors a spawn leaves free for everything else the program opens.
    void setDescriptorReserve(int descriptors) { m_descriptorReserve = qMax(descriptors, 0); }
    // How long a closed TCP client's record stays, for clients spawned from now on.
    void setClosedLinger(int ms) { m_closedLingerMs = ms; }

Q_SIGNALS:
    void clientsChanged(); // a client was made or is gone
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    NetErrorInfo fail(NetErrorInfo error); // logs and emits a spawn's error
    // Shared by both spawns: checks the requested count, and words how a spawn ended.
    bool acceptSpawnCount(SpawnResult &result);
    void concludeSpawn(SpawnResult &result, const QString &protocol, const QString &budgetSpent,
                       const QString &success);
    Endpoint defaultTarget(bool tcp) const;
    bool isOurListener(const Endpoint &target) const;
    // Why our own listener did not answer a client's SYN, from the kernel's accept queue.
    QString whyOurListenerDoesNotAnswer() const;

    SocketRegistry &m_registry;
    EventLog &m_log;
    TcpServerEndpoint &m_tcpServer;
    const UdpServerEndpoint &m_udpServer;
    QHash<SocketId, TcpClientEndpoint *> m_tcpClients;
    QHash<SocketId, UdpClientEndpoint *> m_udpClients;
    int m_descriptorReserve = DescriptorBudget::DefaultReserve;
    int m_closedLingerMs = 0;
    int m_connectTimeoutSeconds = DefaultConnectTimeoutSeconds;
};

} // namespace SocketScope
