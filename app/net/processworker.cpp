// SPDX-License-Identifier: MIT
#include "processworker.h"

#include "clientsession.h"
#include "eventlog.h"

#include <QCoreApplication>

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
