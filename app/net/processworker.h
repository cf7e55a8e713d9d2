// SPDX-License-Identifier: MIT
#pragma once

#include "tcpworker.h"

#include <QProcess>
#include <QString>
#include <QStringList>

namespace SocketScope {

class WorkerChannel;

// How the app starts itself as a worker: normally its own executable with --worker; tests
// and benchmarks point it at their own binary, which handles --worker the same way.
struct WorkerCommand
{
    QString program; // empty: QCoreApplication::applicationFilePath()
    QStringList arguments{QStringLiteral("--worker")};
};

// Process per client: a child process (this same program in worker mode) that receives the
// accepted socket over a Unix socket pair with SCM_RIGHTS and reports over that pair.
// Apart from TcpWorker (the app's bookkeeping of a served socket, shared with ThreadWorker)
// because starting a child, handing it the descriptor and reading its reports over the
// pair is a job of its own that the thread model never needs.
class ProcessWorker final : public TcpWorker
{
    Q_OBJECT
public:
    ProcessWorker(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~ProcessWorker() override;

    ConcurrencyModel model() const override { return ConcurrencyModel::ProcessPerClient; }
    // Starts the child and passes it `descriptor`; closes our copy in every case, so only
    // the child holds the connection. An error leaves the worker finished.
    NetErrorInfo start(qintptr descriptor, Behaviour behaviour, const WorkerCommand &command);
    void requestStop() override;
    bool waitStopped(int ms) override;
    void forceStop() override;
    QProcess *process() const { return m_process; }

protected:
    void forward(const WorkerProtocol::Message &command) override;
    bool workerRunning() const override;

private:
    void onMessage(const WorkerProtocol::Message &message);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);

    QProcess *m_process = nullptr;
    WorkerChannel *m_channel = nullptr;
    bool m_channelBroken = false;
};

} // namespace SocketScope
