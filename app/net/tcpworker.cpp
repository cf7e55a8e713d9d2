// SPDX-License-Identifier: MIT
#include "tcpworker.h"

#include "clientsession.h"
#include "eventlog.h"
#include "flowcontrolledreader.h"
#include "netlogging.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

using WorkerProtocol::CloseReason;
using WorkerProtocol::Message;
using WorkerProtocol::Verb;

// --- TcpWorker

TcpWorker::TcpWorker(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent), m_registry(registry), m_log(log)
{ }

TcpWorker::~TcpWorker()
{
    if (m_id != InvalidSocketId && !m_socketClosed) {
        m_registry.markClosed(m_id);
        m_registry.remove(m_id);
    }
}

void TcpWorker::attach(SocketId id, const Endpoint &peer)
{
    m_id = id;
    m_peer = peer;
}

void TcpWorker::setOwner(qint64 pid, qint64 threadId)
{
    m_pid = pid;
    m_threadId = threadId;
    if (m_id != InvalidSocketId && !m_socketClosed)
        m_registry.update(m_id, [pid, threadId](SocketRecord &record) {
            record.pid = pid;
            record.threadId = threadId;
        });
}

SocketActions TcpWorker::availableActions() const
{
    if (m_socketClosed || m_id == InvalidSocketId || !workerRunning())
        return {};
    SocketActions actions = SocketAction::Close | SocketAction::Abort;
    if (!m_writeShut) {
        actions |= SocketAction::SendText | SocketAction::HalfClose;
        actions |= m_periodic ? SocketAction::StopPeriodic : SocketAction::StartPeriodic;
    }
    return actions;
}

NetErrorInfo TcpWorker::notConnected() const
{
    return {NetError::NotRunning, tr("The connection is not established; nothing was sent."), m_id};
}

NetErrorInfo TcpWorker::sendText(const QByteArray &text)
{
    if (m_socketClosed || !workerRunning())
        return notConnected();
    if (m_writeShut)
        return {NetError::NotRunning,
                tr("This socket's sending side is shut down (half-closed); it can only receive."),
                m_id};
    if (NetErrorInfo error = checkMessageText(text, m_id); error.isError())
        return error;
    Message command;
    command.verb = Verb::Send;
    command.data = text;
    forward(command);
    return {};
}

NetErrorInfo TcpWorker::startPeriodic(int intervalMs, const QByteArray &text)
{
    if (NetErrorInfo error = checkPeriodicInterval(intervalMs, m_id); error.isError())
        return error;
    if (NetErrorInfo error = checkMessageText(text, m_id); error.isError())
        return error;
    if (m_socketClosed || m_writeShut || !workerRunning())
        return {NetError::NotRunning, tr("This connection cannot send any more."), m_id};
    Message command;
    command.verb = Verb::StartPeriodic;
    command.number = intervalMs;
    command.data = text;
    forward(command);
    m_periodic = true;
    return {};
}

void TcpWorker::stopPeriodic()
{
    if (!m_periodic)
        return;
    m_periodic = false;
    Message command;
    command.verb = Verb::StopPeriodic;
    forward(command);
}

NetErrorInfo TcpWorker::halfClose()
{
    if (m_socketClosed || !workerRunning())
        return {NetError::NotRunning, tr("The connection is not established."), m_id};
    if (m_writeShut)
        return {};
    m_writeShut = true;
    m_periodic = false;
    Message command;
    command.verb = Verb::HalfClose;
    forward(command);
    m_log.append(EventSeverity::Info,
                 tr("Half-close asked of the worker: it sends FIN and can still receive."), m_id);
    return {};
}

void TcpWorker::close()
{
    if (m_socketClosed || m_closeRequested)
        return;
    m_closeRequested = true;
    m_periodic = false;
    m_log.append(EventSeverity::Info, tr("Close asked of the worker (FIN)."), m_id);
    Message command;
    command.verb = Verb::Close;
    forward(command);
}

void TcpWorker::abort()
{
    if (m_socketClosed)
        return;
    m_closeRequested = true;
    m_periodic = false;
    m_log.append(EventSeverity::Info, tr("Abort asked of the worker: SO_LINGER 0, then RST."),
                 m_id);
    Message command;
    command.verb = Verb::Abort;
    forward(command);
}

void TcpWorker::onReceived(qint64 bytes)
{
    if (!m_socketClosed)
        m_registry.recordTraffic(m_id, TrafficDirection::Received, bytes, m_peer, false);
}

void TcpWorker::onSent(qint64 bytes)
{
    if (!m_socketClosed)
        m_registry.recordTraffic(m_id, TrafficDirection::Sent, bytes, m_peer, false);
}

void TcpWorker::onHalfClosed()
{
    m_writeShut = true;
    m_registry.recordSegment(m_id, EventKind::FinSent, QLatin1String(SegmentCall::Shutdown));
}

void TcpWorker::onReadingStalled(bool stalled)
{
    if (m_socketClosed || m_id == InvalidSocketId)
        return;
    const QString activity = stalled ? readingPausedText() : QString();
    m_registry.update(m_id, [&activity](SocketRecord &record) { record.activity = activity; });
    if (stalled)
        m_log.append(EventSeverity::Info, activity, m_id);
}

void TcpWorker::onSocketClosed(CloseReason reason, const QString &detail)
{
    if (m_socketClosed)
        return;
    switch (reason) {
    case CloseReason::PeerClosed:
        m_registry.recordSegment(m_id, EventKind::FinReceived);
        m_log.append(EventSeverity::Info, tr("The peer closed the connection (FIN)."), m_id);
        break;
    case CloseReason::PeerReset: {
        m_registry.recordSegment(m_id, EventKind::RstReceived);
        const NetErrorInfo error{NetError::ResetByPeer,
                                 tr("Connection reset by peer: the other side aborted (RST)."),
                                 m_id};
        m_log.append(errorLine(error, m_id));
        Q_EMIT errorOccurred(error);
        break;
    }
    case CloseReason::ClosedByUs:
        // A detail says why it was not a clean FIN (bytes left unread: RST).
        if (detail.isEmpty())
            m_registry.recordSegment(m_id, EventKind::FinSent, QLatin1String(SegmentCall::Close));
        else
            m_registry.recordSegment(m_id, EventKind::RstSent,
                                     QLatin1String(SegmentCall::CloseWithUnread));
        m_log.append(
                EventSeverity::Info,
                detail.isEmpty()
                        ? tr("The worker closed the connection (FIN).")
                        : tr("The worker closed the connection. %1").arg(boundedText(detail, 300)),
                m_id);
        break;
    case CloseReason::AbortedByUs:
        m_registry.recordSegment(m_id, EventKind::RstSent, QLatin1String(SegmentCall::Abort));
        m_log.append(EventSeverity::Info, tr("The worker aborted the connection (RST)."), m_id);
        break;
    case CloseReason::Failed: {
        // The worker's text may be as long as a protocol line (2 MiB): bounded here.
        const NetErrorInfo error{
                NetError::Other,
                tr("The worker lost the connection: %1").arg(boundedText(detail, 300)), m_id};
        m_log.append(errorLine(error, m_id));
        Q_EMIT errorOccurred(error);
        break;
    }
    }
    markSocketClosed();
    maybeFinish();
}

void TcpWorker::onWorkerEnded(const QString &why, bool abnormal)
{
    if (m_workerEnded)
        return;
    m_workerEnded = true;
    if (!m_socketClosed) {
        // The worker took the socket with it: whatever it was doing, the kernel closed it.
        const NetErrorInfo error{NetError::ResetByPeer, why, m_id};
        m_log.append(abnormal ? EventSeverity::Error : EventSeverity::Warning, why, m_id);
        if (abnormal)
            Q_EMIT errorOccurred(error);
        markSocketClosed();
    } else if (!why.isEmpty()) {
        m_log.append(abnormal ? EventSeverity::Warning : EventSeverity::Info, why, m_id);
    }
    maybeFinish();
}

void TcpWorker::markSocketClosed()
{
    m_socketClosed = true;
    m_periodic = false;
    if (m_id == InvalidSocketId)
        return;
    m_registry.markClosed(m_id);
    if (m_closedLingerMs > 0) {
        const SocketId id = m_id;
        SocketRegistry *registry = &m_registry;
        QTimer::singleShot(m_closedLingerMs, registry, [registry, id] { registry->remove(id); });
    } else {
        m_registry.remove(m_id);
    }
}

void TcpWorker::maybeFinish()
{
    if (m_finished || !m_socketClosed || !m_workerEnded)
        return;
    m_finished = true;
    Q_EMIT finished(m_id);
}

// --- ThreadWorker

ThreadWorker::ThreadWorker(SocketRegistry &registry, EventLog &log, QObject *parent)
    : TcpWorker(registry, log, parent)
{
    connect(&m_thread, &QThread::finished, this, [this] {
        m_session = nullptr; // deleted in its thread as that ended
        onWorkerEnded(tr("Worker thread %1 ended; it closed its socket.").arg(threadId()), false);
    });
}

ThreadWorker::~ThreadWorker()
{
    m_thread.disconnect(this);
    forceStop();
}

void ThreadWorker::start(qintptr descriptor, Behaviour behaviour)
{
    // No parent: it moves to the worker thread and dies there (QThread::finished below).
    auto *session = new ClientSession(descriptor, behaviour);
    m_session = session;
    session->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, session, &QObject::deleteLater);
    connect(session, &ClientSession::adopted, this, [this](qint64 tid) {
        setOwner(static_cast<qint64>(QCoreApplication::applicationPid()), tid);
        m_log.append(EventSeverity::Info,
                     tr("Served by worker thread %1 of this process: one thread, one "
                        "established socket.")
                             .arg(tid),
                     id());
    });
    connect(session, &ClientSession::received, this, [this](qint64 bytes) { onReceived(bytes); });
    connect(session, &ClientSession::sent, this, [this](qint64 bytes) { onSent(bytes); });
    connect(session, &ClientSession::halfClosed, this, [this] { onHalfClosed(); });
    connect(session, &ClientSession::readingStalled, this,
            [this](bool stalled) { onReadingStalled(stalled); });
    connect(session, &ClientSession::finished, this,
            [this](CloseReason reason, const QString &detail) {
                onSocketClosed(reason, detail);
                requestStop(); // the thread has nothing left to do
            });
    m_thread.setObjectName(QStringLiteral("client-worker"));
    m_thread.start();
    QMetaObject::invokeMethod(
            session, [session] { session->start(nullptr); }, Qt::QueuedConnection);
}

void ThreadWorker::forward(const Message &command)
{
    if (ClientSession *session = m_session)
        QMetaObject::invokeMethod(
                session, [session, command] { session->execute(command); }, Qt::QueuedConnection);
}

bool ThreadWorker::workerRunning() const
{
    return m_session != nullptr && m_thread.isRunning();
}

void ThreadWorker::requestStop()
{
    m_thread.quit();
}

bool ThreadWorker::waitStopped(int ms)
{
    return m_thread.wait(qMax(ms, 0));
}

void ThreadWorker::forceStop()
{
    // A session's event loop answers quit() at once; threads are never terminated.
    m_thread.quit();
    if (!m_thread.wait(5000))
        qCWarning(lcNet) << "worker thread" << threadId() << "did not end within 5 s";
}

// --- ProcessWorker

ProcessWorker::ProcessWorker(SocketRegistry &registry, EventLog &log, QObject *parent)
    : TcpWorker(registry, log, parent)
{ }

ProcessWorker::~ProcessWorker()
{
    if (m_process) {
        m_process->disconnect(this);
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(1000)) {
                m_process->kill();
                m_process->waitForFinished(2000);
            }
        }
    }
}

NetErrorInfo ProcessWorker::start(qintptr descriptor, Behaviour behaviour,
                                  const WorkerCommand &command)
{
    const auto failed = [this, descriptor](const QString &why) {
        ::close(static_cast<int>(descriptor));
        onSocketClosed(CloseReason::Failed, why);
        onWorkerEnded({}, true);
        return NetErrorInfo{NetError::Other, tr("Could not start a worker process: %1").arg(why),
                            id()};
    };
    int pair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return failed(QString::fromLocal8Bit(std::strerror(errno)));
    const int parentEnd = pair[0];
    const int childEnd = pair[1];

    m_process = new QProcess(this);
    m_process->setProgram(command.program.isEmpty() ? QCoreApplication::applicationFilePath()
                                                    : command.program);
    m_process->setArguments(command.arguments);
    // No pipes: a worker costs the app one descriptor (its end of the pair), and its
    // messages for a human go where ours go.
    m_process->setProcessChannelMode(QProcess::ForwardedChannels);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setChildProcessModifier([childEnd] {
        // Between fork and exec: async-signal-safe calls only. The child's end goes to the
        // agreed number without close-on-exec; everything else of ours is CLOEXEC.
        if (childEnd == WorkerProtocol::ControlDescriptor)
            ::fcntl(childEnd, F_SETFD, ::fcntl(childEnd, F_GETFD) & ~FD_CLOEXEC);
        else
            ::dup2(childEnd, WorkerProtocol::ControlDescriptor);
        // If the app dies without cleaning up, its workers follow it.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    });
    connect(m_process, &QProcess::finished, this, &ProcessWorker::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, &ProcessWorker::onProcessError);
    m_process->start();
    ::close(childEnd);
    if (m_process->state() == QProcess::NotRunning || m_process->processId() <= 0) {
        ::close(parentEnd);
        const QString why = m_process->errorString();
        m_process->disconnect(this);
        return failed(why);
    }
    setOwner(m_process->processId(), 0);

    Message serve;
    serve.verb = Verb::Serve;
    serve.behaviour = behaviourName(behaviour);
    QString error;
    const bool handed = WorkerProtocol::sendDescriptor(parentEnd, static_cast<int>(descriptor),
                                                       WorkerProtocol::encode(serve), &error);
    // The child holds its own reference now (in flight or received): ours must go, or the
    // connection would outlive the child and the parent would own an established socket.
    ::close(static_cast<int>(descriptor));
    m_channel = new WorkerChannel(parentEnd, this);
    connect(m_channel, &WorkerChannel::messageReceived, this, &ProcessWorker::onMessage);
    connect(m_channel, &WorkerChannel::protocolError, this, [this](const QString &why) {
        m_channelBroken = true;
        m_log.append(EventSeverity::Error,
                     tr("Worker pid %1 broke the protocol (%2); ending it.").arg(pid()).arg(why),
                     id());
        m_process->kill();
    });
    connect(m_channel, &WorkerChannel::closed, this, [this] { m_channelBroken = true; });
    if (!handed) {
        m_process->kill();
        return {NetError::Other,
                tr("Could not hand the socket to worker pid %1: %2").arg(pid()).arg(error), id()};
    }
    return {};
}

void ProcessWorker::onMessage(const Message &message)
{
    switch (message.verb) {
    case Verb::Received:
        onReceived(message.number);
        break;
    case Verb::Sent:
        onSent(message.number);
        break;
    case Verb::Closed:
        onSocketClosed(message.reason, QString::fromUtf8(message.data));
        break;
    case Verb::Stalled:
        onReadingStalled(message.number != 0);
        break;
    default:
        // A command verb coming from the child is as wrong as a malformed line.
        m_log.append(EventSeverity::Error,
                     tr("Worker pid %1 sent a command it may not send; ending it.").arg(pid()),
                     id());
        m_process->kill();
        break;
    }
}

void ProcessWorker::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    // For a crash Qt's exitCode() holds the signal number (forkfd's si_status).
    const bool crashed = status == QProcess::CrashExit;
    QString why;
    if (isSocketOpen()) {
        why = crashed ? tr("Worker pid %1 exited with signal %2; its client was reset.")
                                .arg(pid())
                                .arg(exitCode)
                      : tr("Worker pid %1 exited (code %2) without closing; the kernel closed its "
                           "socket.")
                                .arg(pid())
                                .arg(exitCode);
    } else if (crashed || exitCode != 0) {
        why = crashed ? tr("Worker pid %1 exited with signal %2.").arg(pid()).arg(exitCode)
                      : tr("Worker pid %1 exited with code %2.").arg(pid()).arg(exitCode);
    }
    onWorkerEnded(why, crashed || exitCode != 0);
}

void ProcessWorker::onProcessError(QProcess::ProcessError error)
{
    // Only a failed start means no finished() will follow.
    if (error != QProcess::FailedToStart)
        return;
    onWorkerEnded(tr("Worker process could not start: %1").arg(m_process->errorString()), true);
}

void ProcessWorker::forward(const Message &command)
{
    if (m_channel && m_channel->isOpen())
        m_channel->send(command);
}

bool ProcessWorker::workerRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning && !m_channelBroken;
}

void ProcessWorker::requestStop()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        m_process->terminate();
}

bool ProcessWorker::waitStopped(int ms)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return true;
    return m_process->waitForFinished(qMax(ms, 1));
}

void ProcessWorker::forceStop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(2000);
}

} // namespace SocketScope
