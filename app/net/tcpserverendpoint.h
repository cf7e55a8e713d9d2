// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "concurrencymodel.h"
#include "neterror.h"
#include "socketrecord.h"
#include "tcpworker.h"
#include "tcpworkerpool.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
class QTcpServer;
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class EventLog;
class SocketRegistry;
class TcpConnection;

struct TcpServerConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = DefaultServerPort; // 0: the kernel picks a free one
    int backlog = 50; // listen(2) backlog: connections the kernel queues until we accept
    Behaviour behaviour = Behaviour::Echo;
    // SO_REUSEADDR, on as in nearly every server (and in QTcpServer, always). Off, bind()
    // fails with EADDRINUSE while a connection on the port is still in TIME_WAIT.
    bool reuseAddress = true;
};

// The TCP listener and the sockets it accepted. The listener and each accepted socket are
// separate registry records; the accepted ones share the listener's local address and port
// and differ by the remote end, exactly as the kernel keeps them.
class TcpServerEndpoint : public QObject
{
    Q_OBJECT
public:
    TcpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~TcpServerEndpoint() override;

    // Listens (restarting if it already does). Errors are logged, emitted and returned.
    NetErrorInfo start(const TcpServerConfig &config);
    // Closes the listening socket only: connections it accepted stay established.
    void stop();
    bool isListening() const;
    // Pausing leaves the listener open, so the kernel keeps completing handshakes and the
    // accept queue fills up to the backlog, visible as the listener's Recv-Q.
    void setAccepting(bool accepting);
    // Takes the connections waiting in the accept queue now instead of on the next event
    // loop turn. Spawning more clients than the backlog calls it between batches: a queue
    // that overflows drops the handshake's last ACK, and with SYN cookies the client then
    // believes it is connected while the server has nothing. Does nothing while paused.
    void acceptWaiting();
    // Listening and taking connections: not paused by hand nor for want of descriptors.
    bool isAccepting() const { return m_accepting && !m_pausedForDescriptors; }
    // Accepting is held off because this process has no descriptor left for a new socket;
    // connections wait in the kernel's accept queue until one frees up.
    bool isPausedForDescriptors() const { return m_pausedForDescriptors; }
    // How often a paused listener looks for a free descriptor again.
    static constexpr int DescriptorRetryMs = 250;

    Endpoint endpoint() const { return m_endpoint; } // the bound port, also when 0 was asked
    SocketId listenerId() const { return m_listenerId; }
    qintptr listenerDescriptor() const; // -1 when not listening
    const TcpServerConfig &config() const { return m_config; }
    void setBehaviour(Behaviour behaviour);
    Behaviour behaviour() const { return m_behaviour->kind(); }
    void setClosedLinger(int ms)
    {
        m_closedLingerMs = ms;
        m_workers->setClosedLinger(ms);
    }
    // Accepted sockets stay in CLOSE_WAIT after the client's FIN until closed by hand, for
    // connections served by the event loop (applies to open connections too).
    void setHoldCloseWait(bool hold);
    bool holdsCloseWait() const { return m_holdCloseWait; }

    // Event-loop connections only; those served by workers are worker(id).
    TcpConnection *connection(SocketId id) const { return m_connections.value(id); }
    QList<SocketId> connectionIds() const { return m_connections.keys(); }
    // Every accepted connection still open, whichever model serves it.
    qsizetype connectionCount() const { return m_connections.size() + m_workers->workerCount(); }

    // --- concurrency: applies to connections accepted from now on; those already
    // accepted stay with the model (and thread or process) that serves them.
    void setModel(ConcurrencyModel model);
    ConcurrencyModel model() const { return m_model; }
    // Most worker threads and processes alive at once; a connection beyond it is closed
    // at once (FIN) with an error saying why. 1..MaxWorkerLimit.
    bool setWorkerLimit(int limit) { return m_workers->setWorkerLimit(limit); }
    int workerLimit() const { return m_workers->workerLimit(); }
    void setWorkerCommand(const WorkerCommand &command) { m_workers->setWorkerCommand(command); }
    TcpWorker *worker(SocketId id) const { return m_workers->worker(id); }
    QList<SocketId> workerIds() const { return m_workers->workerIds(); }
    qsizetype workerCount() const { return m_workers->workerCount(); }
    // Ends every worker: SIGTERM (threads: quit), up to `graceMs` for all of them together,
    // then SIGKILL; each is reaped before this returns. Their records are closed.
    void endWorkers(int graceMs = 1000);

    static constexpr int DefaultWorkerLimit = TcpWorkerPool::DefaultWorkerLimit;
    static constexpr int MaxWorkerLimit = TcpWorkerPool::MaxWorkerLimit;

Q_SIGNALS:
    void listeningChanged(bool listening);
    void acceptingChanged(bool accepting);
    void accepted(SocketScope::SocketId id);
    void modelChanged(SocketScope::ConcurrencyModel model);
    // A worker thread or process started or ended.
    void workersChanged();
    void connectionFinished(SocketScope::SocketId id);
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    friend class ListeningServer;
    // The listener's accept hook: true when a worker took the descriptor.
    bool handOver(qintptr descriptor);
    void onNewConnection();
    void resumeIfPausedForDescriptors();
    void adopt(QTcpSocket *socket);
    void apply(TcpConnection *connection, const TcpReaction &reaction);
    void onAcceptError();
    NetErrorInfo fail(NetErrorInfo error);
    bool listenWithoutAddressReuse(const TcpServerConfig &config, NetErrorInfo *error);
    bool eventFilter(QObject *watched, QEvent *event) override;
    void watchAcceptNotifier();
    void pauseForDescriptors();
    void retryAfterDescriptorPause();

    SocketRegistry &m_registry;
    EventLog &m_log;
    QTcpServer *m_server = nullptr;
    TcpWorkerPool *m_workers = nullptr; // connections served by worker threads or processes
    TcpServerConfig m_config;
    Endpoint m_endpoint;
    SocketId m_listenerId = InvalidSocketId;
    std::unique_ptr<ServerBehaviour> m_behaviour;
    QHash<SocketId, TcpConnection *> m_connections;
    ConcurrencyModel m_model = ConcurrencyModel::EventLoop;
    int m_closedLingerMs = 0;
    bool m_holdCloseWait = false;
    bool m_accepting = false;
    bool m_pausedForDescriptors = false;
    QPointer<QSocketNotifier> m_acceptNotifier; // Qt's read notifier on the listener
    QTimer m_descriptorRetry;
};

} // namespace SocketScope
