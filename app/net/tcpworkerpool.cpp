// SPDX-License-Identifier: MIT
#include "tcpworkerpool.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <unistd.h>

namespace SocketScope {

TcpWorkerPool::TcpWorkerPool(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent), m_registry(registry), m_log(log)
{ }

void TcpWorkerPool::take(qintptr descriptor, ConcurrencyModel model, Behaviour behaviour,
                         SocketId listenerId)
{
    const bool process = model == ConcurrencyModel::ProcessPerClient;
    const std::optional<Endpoint> local = localEndpointOf(descriptor);
    const std::optional<Endpoint> peer = peerEndpointOf(descriptor);
    if (m_workers.size() >= m_workerLimit || !local || !peer) {
        // Closed at once with FIN: the client sees a connection that ends before a word,
        // the log says why. Queuing it instead would hide the limit from the lecture.
        ::close(static_cast<int>(descriptor));
        const NetErrorInfo error{
                NetError::WorkerLimitReached,
                !local || !peer
                        ? tr("An accepted connection was gone before a worker could take it.")
                        : tr("Worker limit reached: %1 %2 already serve clients, so the "
                             "connection from %3 was closed at once. Close some clients or "
                             "raise the limit.")
                                  .arg(m_workerLimit)
                                  .arg(process ? tr("worker processes") : tr("worker threads"))
                                  .arg(peer->toString()),
                listenerId};
        if (!local || !peer)
            m_log.append(EventSeverity::Warning, error.message, listenerId);
        else
            Q_EMIT failed(error);
        return;
    }

    TcpWorker *worker = nullptr;
    if (process) {
        auto *processWorker = new ProcessWorker(m_registry, m_log, this);
        worker = processWorker;
        const NetErrorInfo error = processWorker->start(descriptor, behaviour, m_workerCommand);
        if (error.isError()) {
            delete processWorker;
            Q_EMIT failed(error);
            return;
        }
    } else {
        auto *threadWorker = new ThreadWorker(m_registry, m_log, this);
        worker = threadWorker;
        threadWorker->start(descriptor, behaviour);
    }
    worker->setClosedLinger(m_closedLingerMs);

    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpServerSide;
    record.local = *local;
    record.remote = *peer;
    record.state = SocketState::Established;
    record.program = QCoreApplication::applicationName();
    record.pid = worker->pid(); // the child's pid; 0 (= ours) for a thread
    record.threadId = worker->threadId(); // the thread reports its id once it runs
    const SocketId id = m_registry.add(record);
    worker->attach(id, *peer);
    m_workers.insert(id, worker);
    connect(worker, &TcpWorker::errorOccurred, this, &TcpWorkerPool::errorOccurred);
    connect(worker, &TcpWorker::finished, this,
            [this, worker](SocketId finishedId) { onWorkerFinished(worker, finishedId); });
    m_log.append(EventSeverity::Info,
                 process ? tr("Accepted %1 on %2 and passed the socket to worker process pid "
                              "%3; this process closed its copy and keeps only the listener.")
                                   .arg(peer->toString(), local->toString())
                                   .arg(worker->pid())
                         : tr("Accepted %1 on %2 and handed the socket to a worker thread.")
                                   .arg(peer->toString(), local->toString()),
                 id);
    Q_EMIT started(id);
    Q_EMIT workersChanged();
}

void TcpWorkerPool::onWorkerFinished(TcpWorker *worker, SocketId id)
{
    if (m_workers.value(id) != worker)
        return;
    m_workers.remove(id);
    worker->deleteLater();
    Q_EMIT finished(id);
    Q_EMIT workersChanged();
}

void TcpWorkerPool::endWorkers(int graceMs)
{
    if (m_workers.isEmpty())
        return;
    const QList<TcpWorker *> workers = m_workers.values();
    for (TcpWorker *worker : workers)
        worker->requestStop();
    // One deadline for all of them: they end in parallel, so the wait is not per worker.
    QElapsedTimer clock;
    clock.start();
    for (TcpWorker *worker : workers)
        worker->waitStopped(static_cast<int>(qMax<qint64>(1, graceMs - clock.elapsed())));
    for (TcpWorker *worker : workers)
        worker->forceStop();
    m_workers.clear();
    qDeleteAll(workers);
    Q_EMIT workersChanged();
}

bool TcpWorkerPool::setWorkerLimit(int limit)
{
    if (limit < 1 || limit > MaxWorkerLimit)
        return false;
    m_workerLimit = limit;
    return true;
}

} // namespace SocketScope
