// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "concurrencymodel.h"
#include "neterror.h"
#include "processworker.h"
#include "socketrecord.h"
#include "tcpworker.h"

#include <QHash>
#include <QObject>

namespace SocketScope {

class EventLog;
class SocketRegistry;

// The accepted connections that a worker thread or a child process serves, one worker each:
// starting a worker for a descriptor the listener accepted (or closing it at once when the
// limit is reached), its registry record, and ending and reaping every worker on demand.
// Apart from TcpServerEndpoint, which listens, accepts and serves event-loop connections
// itself, because a worker's life (its own thread or process, a limit, a grace period to
// end) has nothing to do with listening; the endpoint only decides who serves a connection.
class TcpWorkerPool : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultWorkerLimit = 200;
    static constexpr int MaxWorkerLimit = 4096;

    // The registry and the log must outlive it.
    TcpWorkerPool(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);

    // Takes an accepted descriptor (always: one it cannot serve it closes) and starts a
    // worker of `model` (thread or process per client) with `behaviour` to serve it.
    // `listenerId` is the listener's record, named in the log when the limit is reached.
    void take(qintptr descriptor, ConcurrencyModel model, Behaviour behaviour, SocketId listenerId);

    // Most workers alive at once; 1..MaxWorkerLimit, false (and unchanged) otherwise.
    bool setWorkerLimit(int limit);
    int workerLimit() const { return m_workerLimit; }
    void setWorkerCommand(const WorkerCommand &command) { m_workerCommand = command; }
    // How long a closed connection's record stays, for workers started from now on.
    void setClosedLinger(int ms) { m_closedLingerMs = ms; }

    TcpWorker *worker(SocketId id) const { return m_workers.value(id); }
    QList<SocketId> workerIds() const { return m_workers.keys(); }
    qsizetype workerCount() const { return m_workers.size(); }
    // See TcpServerEndpoint::endWorkers.
    void endWorkers(int graceMs);

Q_SIGNALS:
    void started(SocketScope::SocketId id); // a worker took the connection of this record
    void finished(SocketScope::SocketId id); // it ended and is forgotten
    void workersChanged();
    // An error of the pool's own (the limit, a worker that could not start), not yet logged.
    void failed(const SocketScope::NetErrorInfo &error);
    // A worker's error, which the worker has logged itself.
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    void onWorkerFinished(TcpWorker *worker, SocketId id);

    SocketRegistry &m_registry;
    EventLog &m_log;
    QHash<SocketId, TcpWorker *> m_workers;
    WorkerCommand m_workerCommand;
    int m_workerLimit = DefaultWorkerLimit;
    int m_closedLingerMs = 0;
};

} // namespace SocketScope
