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

} // namespace SocketScope
