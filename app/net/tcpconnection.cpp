// SPDX-License-Identifier: MIT
#include "tcpconnection.h"

#include "eventlog.h"
#include "flowcontrolledreader.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QTcpSocket>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

TcpConnection::TcpConnection(QTcpSocket *socket, SocketRegistry &registry, EventLog &log,
                             QObject *parent)
    : QObject(parent), m_registry(registry), m_log(log), m_socket(socket)
{
    m_socket->setParent(this);
    useNoProxy(*m_socket);
    m_periodic.setParent(this);
    connect(&m_periodic, &QTimer::timeout, this, [this] {
        ++m_periodicCount;
        QByteArray line = m_periodicText;
        line.replace("%n", QByteArray::number(m_periodicCount));
        sendText(line);
    });
}

TcpConnection::~TcpConnection()
{
    // The socket dies with us; its last signals must not reach a half-destroyed object.
    m_socket->disconnect(this);
    releaseHeldDescriptor(false);
    if (m_id != InvalidSocketId && !m_finished) {
        m_socket->abort();
        m_registry.markClosed(m_id);
        m_registry.remove(m_id);
    }
}

void TcpConnection::attach(SocketId id)
{
    m_id = id;
    m_reader = new FlowControlledReader(m_socket, this);
    connect(m_reader, &FlowControlledReader::chunkRead, this, &TcpConnection::onChunk);
    connect(m_reader, &FlowControlledReader::aboutToReadEnd, this, &TcpConnection::lookBeforeEnd);
    connect(m_reader, &FlowControlledReader::stalledChanged, this,
            &TcpConnection::onReadingStalled);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this](qint64 bytes) {
        m_registry.recordTraffic(m_id, TrafficDirection::Sent, bytes,
                                 Endpoint{m_socket->peerAddress(), m_socket->peerPort()}, false);
        if (m_shutdownPending && m_socket->bytesToWrite() == 0)
            shutWriteOnceDrained();
        // Queued: this runs inside Qt's flush, which must not close under itself.
        if (m_closeWhenDrained && m_socket->bytesToWrite() == 0)
            QMetaObject::invokeMethod(this, &TcpConnection::closeNow, Qt::QueuedConnection);
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpConnection::onError);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpConnection::finish);
}

bool TcpConnection::isConnected() const
{
    return !m_finished
           && (m_socket->state() == QAbstractSocket::ConnectedState || isHoldingCloseWait());
}

void TcpConnection::releaseHeldDescriptor(bool reset)
{
    if (m_heldFd < 0)
        return;
    if (reset && !setResetOnClose(m_heldFd))
        qCWarning(lcNet) << "SO_LINGER failed:" << qt_error_string(errno);
    ::close(m_heldFd);
    m_heldFd = -1;
}

SocketActions TcpConnection::availableActions() const
{
    if (m_finished || m_id == InvalidSocketId)
        return {};
    if (!isConnected())
        return SocketAction::Abort; // still connecting: giving up is all there is
    if (isHoldingCloseWait())
        return SocketAction::SendText | SocketAction::Close | SocketAction::Abort;
    SocketActions actions = SocketAction::Close | SocketAction::Abort;
    if (!m_writeShut) {
        actions |= SocketAction::SendText | SocketAction::HalfClose;
        actions |= isPeriodic() ? SocketAction::StopPeriodic : SocketAction::StartPeriodic;
    }
    return actions;
}

NetErrorInfo TcpConnection::sendText(const QByteArray &text)
{
    if (!isConnected())
        return {NetError::NotRunning, tr("The connection is not established; nothing was sent."),
                m_id};
    if (m_writeShut)
        return {NetError::NotRunning,
                tr("This socket's sending side is shut down (half-closed); it can only receive."),
                m_id};
    if (NetErrorInfo error = checkMessageText(text, m_id); error.isError())
        return error;
    if (isHoldingCloseWait()) {
        // Qt has let go; CLOSE_WAIT may still send, so we do it on the held descriptor.
        const ssize_t sent = ::send(m_heldFd, text.constData(), static_cast<size_t>(text.size()),
                                    MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0)
            return {NetError::Other, tr("send() failed: %1").arg(qt_error_string(errno)), m_id};
        m_registry.recordTraffic(m_id, TrafficDirection::Sent, sent, m_peer, false);
        return {};
    }
    transmit(text);
    return {};
}

void TcpConnection::transmit(const QByteArray &data)
{
    const qint64 handed = sendOrQueue(*m_socket, data);
    if (handed > 0)
        m_registry.recordTraffic(m_id, TrafficDirection::Sent, handed,
                                 Endpoint{m_socket->peerAddress(), m_socket->peerPort()}, false);
    // What Qt queued is counted by bytesWritten as it goes.
}

NetErrorInfo TcpConnection::startPeriodic(int intervalMs, const QByteArray &text)
{
    if (NetErrorInfo error = checkPeriodicInterval(intervalMs, m_id); error.isError())
        return error;
    if (NetErrorInfo error = checkMessageText(text, m_id); error.isError())
        return error;
    if (!isConnected() || m_writeShut)
        return {NetError::NotRunning, tr("This connection cannot send any more."), m_id};
    m_periodicText = text;
    m_periodicCount = 0;
    m_periodic.start(intervalMs);
    return {};
}

void TcpConnection::stopPeriodic()
{
    m_periodic.stop();
}

NetErrorInfo TcpConnection::halfClose()
{
    if (!isConnected())
        return {NetError::NotRunning, tr("The connection is not established."), m_id};
    if (m_writeShut)
        return {};
    stopPeriodic();
    m_writeShut = true;
    // Whatever Qt still buffers must reach the kernel before FIN, or it would be lost: with
    // a peer that is not reading that may take a while, so the FIN waits for it.
    m_socket->flush();
    if (m_socket->bytesToWrite() > 0) {
        m_shutdownPending = true;
        m_log.append(EventSeverity::Info,
                     tr("Half-close: FIN follows once the %1 still queued for the peer have "
                        "reached the kernel.")
                             .arg(byteCountText(quint64(m_socket->bytesToWrite()))),
                     m_id);
        return {};
    }
    shutWriteOnceDrained();
    return {};
}

void TcpConnection::shutWriteOnceDrained()
{
    m_shutdownPending = false;
    if (!shutdownWrite(m_socket->socketDescriptor())) {
        report({NetError::Other, tr("shutdown(SHUT_WR) failed: %1").arg(qt_error_string(errno)),
                m_id});
        return;
    }
    m_registry.recordSegment(m_id, EventKind::FinSent, QLatin1String(SegmentCall::Shutdown));
    m_log.append(EventSeverity::Info,
                 tr("Half-closed: FIN sent, this socket can still receive until the peer closes."),
                 m_id);
}

void TcpConnection::close()
{
    if (m_finished || m_closeWhenDrained)
        return;
    stopPeriodic();
    m_closingByUs = true;
    if (isHoldingCloseWait()) {
        const qint64 unread = unreadInKernel(m_heldFd);
        recordClose(unread);
        m_log.append(EventSeverity::Info,
                     unread > 0 ? closeWithUnreadText(unread) : tr("Closing gracefully (FIN)."),
                     m_id);
        releaseHeldDescriptor(false); // the last reference: now the kernel closes
        finish();
        return;
    }
    m_socket->flush();
    if (m_socket->bytesToWrite() > 0) {
        // Qt would close once its buffer is out, at a moment we cannot look at the socket;
        // we close then ourselves, so what the log says (FIN or RST) is what happened.
        m_closeWhenDrained = true;
        return;
    }
    closeNow();
}

void TcpConnection::recordClose(qint64 unread)
{
    // close() with bytes the program never read makes the kernel send RST, not FIN.
    if (unread > 0)
        m_registry.recordSegment(m_id, EventKind::RstSent,
                                 QLatin1String(SegmentCall::CloseWithUnread));
    else
        m_registry.recordSegment(m_id, EventKind::FinSent, QLatin1String(SegmentCall::Close));
}

void TcpConnection::closeNow()
{
    m_closeWhenDrained = false;
    if (m_finished)
        return;
    const qint64 unread = unreadInKernel(m_socket->socketDescriptor());
    recordClose(unread);
    m_log.append(EventSeverity::Info,
                 unread > 0 ? closeWithUnreadText(unread) : tr("Closing gracefully (FIN)."), m_id);
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish();
}

void TcpConnection::abort()
{
    if (m_finished)
        return;
    stopPeriodic();
    m_closingByUs = true;
    if (m_socket->socketDescriptor() >= 0 && !setResetOnClose(m_socket->socketDescriptor()))
        qCWarning(lcNet) << "SO_LINGER failed:" << qt_error_string(errno);
    m_registry.recordSegment(m_id, EventKind::RstSent, QLatin1String(SegmentCall::Abort));
    m_log.append(EventSeverity::Info, tr("Aborted: SO_LINGER 0 makes close() send RST."), m_id);
    releaseHeldDescriptor(true);
    m_socket->abort();
    finish();
}

void TcpConnection::finish()
{
    if (m_finished)
        return;
    if (m_heldFd >= 0 && !m_closingByUs && !m_sawReset) {
        // Qt closed its descriptor on the peer's FIN; ours keeps the socket in CLOSE_WAIT.
        if (m_socket->state() == QAbstractSocket::UnconnectedState) {
            m_periodic.stop();
            m_registry.update(m_id,
                              [](SocketRecord &record) { record.state = SocketState::CloseWait; });
            m_log.append(EventSeverity::Info,
                         tr("The peer half-closed (FIN): this socket stays in CLOSE_WAIT, able "
                            "to send, until you close it."),
                         m_id);
        }
        return;
    }
    m_finished = true;
    m_periodic.stop();
    m_registry.markClosed(m_id);
    if (m_closedLingerMs > 0) {
        const SocketId id = m_id;
        SocketRegistry *registry = &m_registry;
        QTimer::singleShot(m_closedLingerMs, registry, [registry, id] { registry->remove(id); });
    } else {
        m_registry.remove(m_id);
    }
    Q_EMIT finished(m_id);
}

void TcpConnection::report(const NetErrorInfo &error)
{
    if (m_quiet)
        return;
    if (error.error == NetError::None)
        m_log.append(EventSeverity::Info, error.message, m_id);
    else
        m_log.append(errorLine(error, m_id));
    Q_EMIT errorOccurred(error);
}

void TcpConnection::onChunk(const QByteArray &chunk)
{
    m_registry.recordTraffic(m_id, TrafficDirection::Received, chunk.size(),
                             Endpoint{m_socket->peerAddress(), m_socket->peerPort()}, false);
    // Once we are closing, nothing more is answered: the FIN follows what was already sent.
    if (!m_closingByUs)
        Q_EMIT dataReceived(chunk);
}

void TcpConnection::onReadingStalled(bool stalled)
{
    if (m_finished)
        return;
    const QString activity = stalled ? readingPausedText() : QString();
    m_registry.update(m_id, [&activity](SocketRecord &record) { record.activity = activity; });
    if (stalled)
        m_log.append(EventSeverity::Info, activity, m_id);
}

void TcpConnection::onError()
{
    const NetErrorInfo error = describeSocketError();
    // What ended the peer's direction, as the kernel's state told lookBeforeEnd(); a refused
    // connect is the peer kernel's RST to our SYN.
    if (!m_finished && error.error == NetError::None
        && m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        m_registry.recordSegment(m_id, EventKind::FinReceived);
    else if (!m_finished
             && (error.error == NetError::ResetByPeer
                 || error.error == NetError::ConnectionRefused))
        m_registry.recordSegment(m_id, EventKind::RstReceived);
    if (error.error == NetError::None) {
        if (!m_closingByUs && !m_quiet)
            m_log.append(EventSeverity::Info, error.message, m_id);
    } else {
        report(error);
    }
    // A connect that failed never emits disconnected(): this is its end.
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish();
}

NetErrorInfo TcpConnection::describeSocketError() const
{
    const QAbstractSocket::SocketError error = m_socket->error();
    if (error == QAbstractSocket::RemoteHostClosedError) {
        if (m_sawReset)
            return {NetError::ResetByPeer,
                    tr("Connection reset by peer: the other side aborted (RST) and data in "
                       "flight is lost. Reconnect if the abort was not intended."),
                    m_id};
        // An orderly close is not an error; the message is for the log.
        if (m_sawFinAfterOurs)
            return {NetError::None,
                    tr("The peer closed too (FIN after ours): an orderly close, no RST. The "
                       "kernel keeps this tuple in TIME_WAIT."),
                    m_id};
        return {NetError::None, tr("The peer closed the connection (FIN)."), m_id};
    }
    const NetError kind = netErrorFromSocketError(error);
    switch (kind) {
    case NetError::ConnectionRefused:
        return {kind,
                tr("Connection refused by %1:%2: nothing listens there (is the TCP server "
                   "stopped?). Start it, or check address and port, then spawn again.")
                        .arg(m_socket->peerName().isEmpty() ? m_socket->peerAddress().toString()
                                                            : m_socket->peerName())
                        .arg(m_socket->peerPort()),
                m_id};
    case NetError::OutOfDescriptors:
        return {kind,
                tr("No socket for a new connection: this process is out of file descriptors "
                   "(EMFILE). Close some clients first."),
                m_id};
    default:
        return {kind, m_socket->errorString(), m_id};
    }
}

void TcpConnection::lookBeforeEnd()
{
    // Qt reports both FIN and RST from the peer as RemoteHostClosedError and closes the
    // descriptor before telling us. So we look first: when Qt is about to read with
    // nothing queued, the kernel's TCP state says which one it was.
    if (m_sawReset)
        return;
    const qintptr fd = m_socket->socketDescriptor();
    const PeerEnd end = peerEndOf(fd);
    if (end == PeerEnd::Reset) {
        m_sawReset = true;
    } else if (end == PeerEnd::FinAfterOurs) {
        m_sawFinAfterOurs = true;
    } else if (end == PeerEnd::Fin && m_holdOnPeerFin && m_heldFd < 0) {
        m_peer = Endpoint{m_socket->peerAddress(), m_socket->peerPort()};
        m_heldFd = ::fcntl(static_cast<int>(fd), F_DUPFD_CLOEXEC, 0);
    }
}

} // namespace SocketScope
