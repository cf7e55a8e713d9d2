// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "clientspawner.h"
#include "concurrencymodel.h"
#include "descriptorbudget.h"
#include "neterror.h"
#include "socketrecord.h"
#include "tcpclientendpoint.h"
#include "tcpconnection.h"
#include "tcpserverendpoint.h"
#include "udpclientendpoint.h"
#include "udpserverendpoint.h"

#include <QHash>
#include <QObject>

#include <optional>

namespace SocketScope {

class EventLog;
class SocketRegistry;

// The one entry point for the UI, the CLI and scenarios: every socket the program opens
// is opened here and reported to the registry; every failure is logged in the event log
// and emitted as errorOccurred, never thrown. The registry and the log must outlive it.
class NetworkEngine : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxSpawn = ClientSpawner::MaxSpawn;

    NetworkEngine(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~NetworkEngine() override;

    // --- servers
    NetErrorInfo startTcpServer(const TcpServerConfig &config = {});
    void stopTcpServer();
    void setTcpAccepting(bool accepting);
    bool isTcpListening() const;
    bool isTcpAccepting() const;
    Endpoint tcpServerEndpoint() const; // bound address and port while listening
    SocketId tcpListenerId() const;

    NetErrorInfo startUdpServer(const UdpServerConfig &config = {});
    void stopUdpServer();
    bool isUdpBound() const;
    Endpoint udpServerEndpoint() const;
    SocketId udpServerId() const;
    NetErrorInfo setUdpProcessingDelay(int ms); // 0..2000
    // One socket for all clients (default), or a connected socket per client; see
    // UdpServerEndpoint::setModel. Per-client sockets are records of role UdpServer with a
    // remote (the client) and state ESTABLISHED; their only action is Close.
    void setUdpModel(UdpModel model);
    UdpModel udpModel() const;
    int udpProcessingDelay() const;

    // How the TCP server serves connections accepted from now on (see ConcurrencyModel);
    // connections already accepted keep the model, thread or process that serves them.
    // Their records say who: pid (the child's in process mode) and threadId (the worker
    // thread's Linux tid in thread mode, 0 otherwise).
    void setTcpModel(ConcurrencyModel model);
    ConcurrencyModel tcpModel() const;
    // Most worker threads/processes at once (1..4096, default 200); beyond it a new
    // connection is closed at once and errorOccurred says WorkerLimitReached.
    NetErrorInfo setWorkerLimit(int limit);
    int workerLimit() const;
    qsizetype workerCount() const;
    // The program started for process-per-client (default: this executable, --worker).
    void setWorkerCommand(const WorkerCommand &command);

    void setTcpBehaviour(Behaviour behaviour);
    void setUdpBehaviour(Behaviour behaviour);
    Behaviour tcpBehaviour() const;
    Behaviour udpBehaviour() const;

    // --- clients
    SpawnResult spawnTcpClients(int count, const TcpSpawnOptions &options = {});
    SpawnResult spawnUdpClients(int count, const UdpSpawnOptions &options = {});
    qsizetype tcpClientCount() const { return m_clients->tcpClientCount(); }
    qsizetype udpClientCount() const { return m_clients->udpClientCount(); }
    QList<SocketId> tcpClientIds() const { return m_clients->tcpClientIds(); }
    QList<SocketId> udpClientIds() const { return m_clients->udpClientIds(); }
    void closeAllClients();
    // Ends every socket of ours: clients and the connections the server accepted (whichever
    // model serves them) by abort, so that no TIME_WAIT of this cleanup stays behind, then
    // both servers. What a scenario does before it starts again on fresh sockets.
    void closeEverything();
    // Seconds a TCP client waits in SYN_SENT before it gives up (0: the kernel's own limit),
    // for clients spawned from now on without a timeout of their own. 0..MaxConnectTimeoutSeconds.
    NetErrorInfo setConnectTimeout(int seconds);
    int connectTimeout() const { return m_clients->connectTimeout(); }

    // --- actions on one socket, by registry id. TCP clients and accepted sockets take
    // send/periodic/half-close/close/abort; UDP clients send/burst/periodic/close; the
    // listener and the UDP server take Close (= stop that server).
    SocketActions availableActions(SocketId id) const;
    NetErrorInfo sendText(SocketId id, const QString &text); // TCP: a '\n' is added if missing
    NetErrorInfo sendBurst(SocketId id, int count, const QString &text); // UDP; %n = number
    NetErrorInfo startPeriodic(SocketId id, int intervalMs, const QString &text); // %n = number
    NetErrorInfo stopPeriodic(SocketId id);
    // Half-closing one of our own connections also makes its peer in this process hold
    // CLOSE_WAIT, so both halves of the state pair stay on screen until a close.
    NetErrorInfo halfClose(SocketId id);
    // Accepted sockets keep CLOSE_WAIT after any client's FIN (nc -N, a student's client).
    void setHoldCloseWait(bool hold);
    bool holdsCloseWait() const;
    NetErrorInfo close(SocketId id);
    NetErrorInfo abort(SocketId id);

    // --- descriptors
    DescriptorBudget descriptorBudget() const { return DescriptorBudget::current(); }
    // Descriptors a spawn leaves free for everything else the program opens.
    void setDescriptorReserve(int descriptors) { m_clients->setDescriptorReserve(descriptors); }
    // How long a closed socket's record stays (marked closed) before it is removed.
    void setClosedLinger(int ms);

    // For tests and advanced wiring.
    TcpServerEndpoint &tcpServer() { return *m_tcpServer; }
    UdpServerEndpoint &udpServer() { return *m_udpServer; }
    TcpConnection *tcpConnection(SocketId id) const;
    TcpWorker *tcpWorker(SocketId id) const;
    UdpClientEndpoint *udpClient(SocketId id) const;

Q_SIGNALS:
    void tcpServerChanged(); // listening, accepting, endpoint, model or workers changed
    void udpServerChanged();
    void clientsChanged(); // a client was made or is gone
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    NetErrorInfo fail(NetErrorInfo error); // logs and emits an engine-level error
    NetErrorInfo unknownSocket(SocketId id) const;

    SocketRegistry &m_registry;
    EventLog &m_log;
    TcpServerEndpoint *m_tcpServer = nullptr;
    UdpServerEndpoint *m_udpServer = nullptr;
    ClientSpawner *m_clients = nullptr;
};

} // namespace SocketScope
