// SPDX-License-Identifier: MIT
#pragma once

#include "neterror.h"
#include "socketaction.h" // what the UI may offer for a socket
#include "socketrecord.h"

#include <QFlags>
#include <QObject>
#include <QTimer>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class EventLog;
class FlowControlledReader;
class SocketRegistry;

// One established TCP connection, either end: a client we opened or a socket our listener
// accepted. It keeps the registry record true (traffic, closure) and offers the actions a
// lecturer wants to show: send, periodic send, half-close, close, abort with RST.
class TcpConnection : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the socket. Call attach() once the socket has a registry record.
    TcpConnection(QTcpSocket *socket, SocketRegistry &registry, EventLog &log,
                  QObject *parent = nullptr);
    ~TcpConnection() override;

    // Starts reporting the socket's traffic and end under the record `id`. Once.
    void attach(SocketId id);

    SocketId id() const { return m_id; }
    QTcpSocket *socket() const { return m_socket; }
    bool isConnected() const;
    bool isWriteShut() const { return m_writeShut; }
    bool isPeriodic() const { return m_periodic.isActive(); }
    bool isFinished() const { return m_finished; }
    SocketActions availableActions() const;

    // Delay between marking the record closed and removing it, so a view can show the
    // closing for a moment; 0 removes at once.
    void setClosedLinger(int ms) { m_closedLingerMs = ms; }

    NetErrorInfo sendText(const QByteArray &text);
    // Hands bytes to the kernel now, in order with anything Qt still buffers, and counts
    // them as sent. No checks: callers (sendText, a server's reply) have made them. While
    // some of them wait in Qt's buffer, this connection reads nothing (back-pressure).
    void transmit(const QByteArray &data);
    NetErrorInfo startPeriodic(int intervalMs, const QByteArray &text);
    void stopPeriodic();
    // Sends FIN and goes on reading: the peer sees end-of-file, we still see its answers.
    // What is still queued for the peer goes first; the FIN follows it.
    NetErrorInfo halfClose();
    // Graceful: pending data is sent, then FIN.
    void close();
    // SO_LINGER 0, then close: pending data is dropped and the peer gets RST.
    void abort();
    // When the peer sends FIN, keep this end open in CLOSE_WAIT until close() or abort(),
    // instead of closing at once as Qt does. Lets a lecturer show a half-closed connection
    // (FIN_WAIT2 on one side, CLOSE_WAIT on the other) for as long as she likes.
    void setHoldOnPeerFin(bool hold) { m_holdOnPeerFin = hold; }
    bool isHoldingCloseWait() const { return m_heldFd >= 0 && !m_finished; }

Q_SIGNALS:
    void dataReceived(const QByteArray &data);
    void errorOccurred(const SocketScope::NetErrorInfo &error);
    // The socket is closed and its record marked; the owner may delete this object.
    void finished(SocketScope::SocketId id);

protected:
    // Marks the record closed (and later removes it). Safe to call twice.
    void finish();
    void report(const NetErrorInfo &error);
    // The socket's current error as advice for the user.
    virtual NetErrorInfo describeSocketError() const;

    SocketRegistry &m_registry;
    EventLog &m_log;
    QTcpSocket *m_socket = nullptr;
    SocketId m_id = InvalidSocketId;
    // Set while the owner handles errors itself (synchronous failures in open()).
    bool m_quiet = false;

private:
    void onChunk(const QByteArray &chunk);
    void onError();
    // Just before a read that may meet the end of the stream: FIN or RST, and keeping the
    // socket in CLOSE_WAIT when asked to.
    void lookBeforeEnd();
    void onReadingStalled(bool stalled);
    void shutWriteOnceDrained();
    void closeNow();
    void recordClose(qint64 unread); // the FIN or RST close() sends, and which call sent it

    FlowControlledReader *m_reader = nullptr;

    QTimer m_periodic;
    QByteArray m_periodicText;
    quint64 m_periodicCount = 0;
    int m_closedLingerMs = 0;
    bool m_writeShut = false;
    bool m_shutdownPending = false; // half-close asked while output still waited in Qt
    bool m_closeWhenDrained = false; // close asked while output still waited in Qt
    bool m_finished = false;
    bool m_sawReset = false;
    bool m_sawFinAfterOurs = false; // both FINs exchanged: the kernel keeps us in TIME_WAIT
    bool m_closingByUs = false;
    bool m_holdOnPeerFin = false;
    // A duplicate of the descriptor, taken just before Qt reads the peer's FIN and closes
    // its own: the kernel socket lives on (CLOSE_WAIT) while this one is open.
    int m_heldFd = -1;
    Endpoint m_peer; // remembered with the held descriptor: Qt forgets it on close
    void releaseHeldDescriptor(bool reset);
};

} // namespace SocketScope
