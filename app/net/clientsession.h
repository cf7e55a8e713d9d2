// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "workerprotocol.h"

#include <QObject>
#include <QTimer>

#include <memory>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class FlowControlledReader;

// One accepted client served away from the registry: in a worker thread or in a worker
// process, where the registry is not reachable (another thread, another address space).
// It only runs the behaviour and says what happened through signals; whoever hosts it
// forwards those to the GUI thread or over the worker channel.
class ClientSession : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of `descriptor` (an accepted, connected TCP socket).
    ClientSession(qintptr descriptor, Behaviour behaviour, QObject *parent = nullptr);
    ~ClientSession() override;

    // With this set, the socket carries SO_LINGER 0 while it is open, so if the process
    // dies the kernel resets the client instead of ending the stream as if all was well;
    // an orderly close clears it first. For worker processes, which can be killed.
    void setResetIfKilled(bool reset) { m_resetIfKilled = reset; }

    // Adopts the descriptor in the calling thread (the one that will serve it) and runs the
    // behaviour's greeting. False with *error when it is not a connected TCP socket.
    bool start(QString *error);
    // Runs one command from the owner (send, close, ...); other verbs are ignored.
    void execute(const SocketScope::WorkerProtocol::Message &command);
    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    // start() adopted the socket in the thread with this Linux thread id.
    void adopted(qint64 threadId);
    void received(qint64 bytes);
    void sent(qint64 bytes);
    void halfClosed();
    // Reading paused because the peer does not take what we send (true), or resumed.
    void readingStalled(bool stalled);
    // The socket is gone; the session does nothing more.
    void finished(SocketScope::WorkerProtocol::CloseReason reason, const QString &detail);

private:
    void onChunk(const QByteArray &chunk);
    void lookBeforeEnd();
    void apply(const TcpReaction &reaction);
    void send(const QByteArray &bytes);
    void halfClose();
    void shutWriteOnceDrained();
    void closeGracefully();
    void closeNow();
    void abort();
    void onDisconnected();
    void onError();
    void finish(WorkerProtocol::CloseReason reason, const QString &detail = {});
    void setLingerZero(bool on);

    qintptr m_descriptor = -1; // until start() hands it to the socket
    QTcpSocket *m_socket = nullptr;
    FlowControlledReader *m_reader = nullptr;
    std::unique_ptr<ServerBehaviour> m_behaviour;
    QTimer m_periodic;
    QByteArray m_periodicText;
    quint64 m_periodicCount = 0;
    QString m_closeDetail; // why our close was not a clean FIN, for the owner's log
    bool m_resetIfKilled = false;
    bool m_sawReset = false;
    bool m_closingByUs = false;
    bool m_aborting = false;
    bool m_writeShut = false;
    bool m_shutdownPending = false; // half-close asked while output still waited in Qt
    bool m_closeWhenDrained = false; // close asked while output still waited in Qt
    bool m_finished = false;
};

// A Unix stream socket carrying WorkerProtocol lines, driven by the event loop of the
// thread that made it. Used by the app (one per worker process) and by the worker.
class WorkerChannel : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of `descriptor` and makes it non-blocking.
    explicit WorkerChannel(int descriptor, QObject *parent = nullptr);
    ~WorkerChannel() override;

    // Feeds bytes that were read before the channel existed (those after the descriptor).
    void inject(QByteArrayView bytes);
    // Queues one message; past MaxOutboxBytes unsent the channel is closed as broken.
    void send(const WorkerProtocol::Message &message);
    static constexpr qsizetype MaxOutboxBytes = 4 * WorkerProtocol::MaxLineBytes;
    // Waits (bounded) until everything queued is in the kernel, for a worker about to exit.
    bool flush(int timeoutMs);
    bool isOpen() const { return m_descriptor >= 0; }
    int descriptor() const { return m_descriptor; }

Q_SIGNALS:
    void messageReceived(const SocketScope::WorkerProtocol::Message &message);
    // The peer broke the protocol; the channel is closed.
    void protocolError(const QString &error);
    // End of file or an error: the other side is gone.
    void closed();

private:
    void onReadable();
    void onWritable();
    void drain();
    void shutdown();

    int m_descriptor = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    WorkerProtocol::LineFramer m_framer;
    QByteArray m_outbox;
};

} // namespace SocketScope
