// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "concurrencymodel.h"
#include "neterror.h"
#include "socketaction.h"
#include "socketrecord.h"
#include "workerprotocol.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThread>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace SocketScope {

class ClientSession;
class EventLog;
class SocketRegistry;

// The app's side of one accepted connection served by a worker (a thread or a child
// process). Lives in the GUI thread, keeps the registry record true from what the worker
// reports, and forwards the user's actions to it. Finished once the socket is closed AND
// the worker has ended, so nothing of it is left when the owner deletes it.
class TcpWorker : public QObject
{
    Q_OBJECT
public:
    TcpWorker(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~TcpWorker() override;

    // Starts reporting under the record `id` (made once the worker runs, so the record
    // carries the right owner from its first appearance). Once.
    void attach(SocketId id, const Endpoint &peer);

    virtual ConcurrencyModel model() const = 0;
    SocketId id() const { return m_id; }
    qint64 pid() const { return m_pid; }
    qint64 threadId() const { return m_threadId; }
    bool isSocketOpen() const { return !m_socketClosed; }
    bool isFinished() const { return m_finished; }
    void setClosedLinger(int ms) { m_closedLingerMs = ms; }

    SocketActions availableActions() const;
    NetErrorInfo sendText(const QByteArray &text);
    NetErrorInfo startPeriodic(int intervalMs, const QByteArray &text);
    void stopPeriodic();
    NetErrorInfo halfClose();
    void close();
    void abort();

    // Asks the worker to end now (SIGTERM / thread quit) without waiting.
    virtual void requestStop() = 0;
    // Waits at most `ms` for the worker to end; true when it has.
    virtual bool waitStopped(int ms) = 0;
    // Ends it for sure (SIGKILL / wait for the thread), bounded.
    virtual void forceStop() = 0;

Q_SIGNALS:
    void errorOccurred(const SocketScope::NetErrorInfo &error);
    // The socket is closed, its record marked, the worker gone: the owner may delete this.
    void finished(SocketScope::SocketId id);

protected:
    virtual void forward(const WorkerProtocol::Message &command) = 0;
    virtual bool workerRunning() const = 0;
    // From the worker's reports.
    void onReceived(qint64 bytes);
    void onSent(qint64 bytes);
    void onHalfClosed();
    void onReadingStalled(bool stalled);
    void onSocketClosed(WorkerProtocol::CloseReason reason, const QString &detail);
    // The worker ended; `why` is logged when the socket had not reported its end itself.
    void onWorkerEnded(const QString &why, bool abnormal);
    void setOwner(qint64 pid, qint64 threadId);
    void maybeFinish();

    SocketRegistry &m_registry;
    EventLog &m_log;

private:
    void markSocketClosed();
    NetErrorInfo notConnected() const;

    SocketId m_id = InvalidSocketId;
    Endpoint m_peer;
    qint64 m_pid = 0;
    qint64 m_threadId = 0;
    int m_closedLingerMs = 0;
    bool m_socketClosed = false;
    bool m_workerEnded = false;
    bool m_finished = false;
    bool m_writeShut = false;
    bool m_periodic = false;
    bool m_closeRequested = false;
};

// Thread per client: a QThread of its own whose event loop serves the client through a
// ClientSession, created inside that thread. Reports arrive as queued signals.
class ThreadWorker final : public TcpWorker
{
    Q_OBJECT
public:
    ThreadWorker(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~ThreadWorker() override;

    ConcurrencyModel model() const override { return ConcurrencyModel::ThreadPerClient; }
    // Takes ownership of `descriptor` in every case.
    void start(qintptr descriptor, Behaviour behaviour);
    void requestStop() override;
    bool waitStopped(int ms) override;
    void forceStop() override;

protected:
    void forward(const WorkerProtocol::Message &command) override;
    bool workerRunning() const override;

private:
    QThread m_thread;
    ClientSession *m_session = nullptr; // lives in m_thread, deleted there when it finishes
};

} // namespace SocketScope
