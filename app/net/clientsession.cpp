// SPDX-License-Identifier: MIT
#include "clientsession.h"

#include "flowcontrolledreader.h"
#include "netlogging.h"
#include "netutil.h"

#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTcpSocket>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace SocketScope {

using WorkerProtocol::CloseReason;
using WorkerProtocol::Message;
using WorkerProtocol::Verb;

ClientSession::ClientSession(qintptr descriptor, Behaviour behaviour, QObject *parent)
    : QObject(parent), m_descriptor(descriptor), m_behaviour(makeBehaviour(behaviour))
{
    m_periodic.setParent(this);
    connect(&m_periodic, &QTimer::timeout, this, [this] {
        ++m_periodicCount;
        QByteArray line = m_periodicText;
        line.replace("%n", QByteArray::number(m_periodicCount));
        send(line);
    });
}

ClientSession::~ClientSession()
{
    if (m_socket)
        m_socket->disconnect(this);
    else if (m_descriptor >= 0)
        ::close(static_cast<int>(m_descriptor));
}

bool ClientSession::start(QString *error)
{
    const auto failed = [this, error](const QString &why) {
        if (error)
            *error = why;
        finish(CloseReason::Failed, why);
        return false;
    };
    int type = 0;
    socklen_t length = sizeof type;
    if (m_descriptor < 0
        || ::getsockopt(static_cast<int>(m_descriptor), SOL_SOCKET, SO_TYPE, &type, &length) != 0
        || type != SOCK_STREAM)
        return failed(tr("the descriptor is not a TCP socket"));
    m_socket = new QTcpSocket(this);
    useNoProxy(*m_socket);
    if (!m_socket->setSocketDescriptor(m_descriptor)) {
        ::close(static_cast<int>(m_descriptor)); // Qt did not take it
        m_descriptor = -1;
        return failed(m_socket->errorString());
    }
    m_descriptor = -1; // the socket owns it now
    if (m_resetIfKilled)
        setLingerZero(true);
    m_reader = new FlowControlledReader(m_socket, this);
    connect(m_reader, &FlowControlledReader::chunkRead, this, &ClientSession::onChunk);
    connect(m_reader, &FlowControlledReader::aboutToReadEnd, this, &ClientSession::lookBeforeEnd);
    connect(m_reader, &FlowControlledReader::stalledChanged, this, &ClientSession::readingStalled);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this](qint64 bytes) {
        Q_EMIT sent(bytes);
        if (m_shutdownPending && m_socket->bytesToWrite() == 0)
            shutWriteOnceDrained();
        if (m_closeWhenDrained && m_socket->bytesToWrite() == 0)
            QMetaObject::invokeMethod(this, &ClientSession::closeNow, Qt::QueuedConnection);
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ClientSession::onError);
    Q_EMIT adopted(::gettid());
    apply(m_behaviour->onTcpConnected());
    // Bytes may already be waiting (the client spoke before we got the socket).
    if (!m_finished && m_socket->bytesAvailable() > 0)
        m_reader->readAvailable();
    return true;
}

void ClientSession::execute(const Message &command)
{
    if (m_finished || !m_socket)
        return;
    switch (command.verb) {
    case Verb::Send:
        // The owner checked the text; this bound only guards against a confused one.
        if (command.data.size() <= MaxTextBytes)
            send(command.data);
        break;
    case Verb::HalfClose:
        halfClose();
        break;
    case Verb::Close:
        closeGracefully();
        break;
    case Verb::Abort:
        abort();
        break;
    case Verb::StartPeriodic:
        if (command.number >= 10 && command.number <= 3600000 && !command.data.isEmpty()
            && command.data.size() <= MaxTextBytes && !m_writeShut) {
            m_periodicText = command.data;
            m_periodicCount = 0;
            m_periodic.start(static_cast<int>(command.number));
        }
        break;
    case Verb::StopPeriodic:
        m_periodic.stop();
        break;
    default:
        break;
    }
}

void ClientSession::onChunk(const QByteArray &chunk)
{
    Q_EMIT received(chunk.size());
    if (!m_closingByUs) // once closing, nothing more is answered
        apply(m_behaviour->onTcpData(chunk));
}

void ClientSession::apply(const TcpReaction &reaction)
{
    if (!reaction.reply.isEmpty())
        send(reaction.reply);
    if (reaction.closeAfterReply)
        closeGracefully();
}

void ClientSession::send(const QByteArray &bytes)
{
    // Any size: an echo returns whatever one read brought (bounded by the reader), and
    // while it waits in Qt's buffer the reader reads nothing more.
    if (m_finished || m_writeShut || bytes.isEmpty()
        || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    const qint64 handed = sendOrQueue(*m_socket, bytes);
    if (handed > 0)
        Q_EMIT sent(handed);
    // As in TcpServerEndpoint::apply(): hand the bytes over before a FIN can be read.
    m_socket->flush();
}

void ClientSession::halfClose()
{
    if (m_writeShut || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_periodic.stop();
    m_writeShut = true;
    m_socket->flush();
    // What is still queued for the peer goes before the FIN.
    if (m_socket->bytesToWrite() > 0)
        m_shutdownPending = true;
    else
        shutWriteOnceDrained();
}

void ClientSession::shutWriteOnceDrained()
{
    m_shutdownPending = false;
    // Our FIN is on its way; a death from now on may as well end as a close.
    setLingerZero(false);
    if (shutdownWrite(m_socket->socketDescriptor()))
        Q_EMIT halfClosed();
}

void ClientSession::closeGracefully()
{
    if (m_finished || m_closeWhenDrained)
        return;
    m_periodic.stop();
    m_closingByUs = true;
    setLingerZero(false);
    m_socket->flush();
    // As TcpConnection::close(): once Qt's buffer is out, we close, and look as we do.
    if (m_socket->bytesToWrite() > 0)
        m_closeWhenDrained = true;
    else
        closeNow();
}

void ClientSession::closeNow()
{
    m_closeWhenDrained = false;
    if (m_finished)
        return;
    if (const qint64 unread = unreadInKernel(m_socket->socketDescriptor()); unread > 0)
        m_closeDetail = closeWithUnreadText(unread);
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish(CloseReason::ClosedByUs, m_closeDetail);
}

void ClientSession::abort()
{
    if (m_finished)
        return;
    m_periodic.stop();
    m_closingByUs = true;
    m_aborting = true;
    setLingerZero(true);
    m_socket->abort();
    finish(CloseReason::AbortedByUs);
}

void ClientSession::onDisconnected()
{
    if (m_closingByUs)
        finish(m_aborting ? CloseReason::AbortedByUs : CloseReason::ClosedByUs,
               m_aborting ? QString() : m_closeDetail);
    else
        finish(m_sawReset ? CloseReason::PeerReset : CloseReason::PeerClosed);
}

void ClientSession::onError()
{
    const QAbstractSocket::SocketError error = m_socket->error();
    if (error == QAbstractSocket::RemoteHostClosedError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
        return;
    }
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish(m_sawReset ? CloseReason::PeerReset : CloseReason::Failed, m_socket->errorString());
}

void ClientSession::finish(CloseReason reason, const QString &detail)
{
    if (m_finished)
        return;
    m_finished = true;
    m_periodic.stop();
    Q_EMIT finished(reason, detail);
}

void ClientSession::setLingerZero(bool on)
{
    if (!m_socket || m_socket->socketDescriptor() < 0)
        return;
    if (on) {
        if (!setResetOnClose(m_socket->socketDescriptor()))
            qCWarning(lcNet) << "SO_LINGER failed:" << qt_error_string(errno);
        return;
    }
    const linger value{0, 0};
    ::setsockopt(static_cast<int>(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &value,
                 sizeof value);
}

void ClientSession::lookBeforeEnd()
{
    // Same look-before-Qt-closes as TcpConnection::lookBeforeEnd().
    if (!m_socket || m_sawReset)
        return;
    const PeerEnd end = peerEndOf(m_socket->socketDescriptor());
    if (end == PeerEnd::Reset)
        m_sawReset = true;
    // The peer's FIN: Qt is about to close our side, which must answer with FIN, not with
    // the RST that SO_LINGER 0 would send.
    else if (end == PeerEnd::Fin && m_resetIfKilled)
        setLingerZero(false);
}

// --- WorkerChannel

WorkerChannel::WorkerChannel(int descriptor, QObject *parent)
    : QObject(parent), m_descriptor(descriptor)
{
    const int flags = ::fcntl(m_descriptor, F_GETFL);
    ::fcntl(m_descriptor, F_SETFL, flags | O_NONBLOCK);
    m_readNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &WorkerChannel::onReadable);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &WorkerChannel::onWritable);
}

WorkerChannel::~WorkerChannel()
{
    if (m_descriptor >= 0) {
        m_readNotifier->setEnabled(false);
        m_writeNotifier->setEnabled(false);
        ::close(m_descriptor);
    }
}

void WorkerChannel::inject(QByteArrayView bytes)
{
    if (!m_framer.append(bytes)) {
        shutdown();
        Q_EMIT protocolError(tr("line too long"));
        return;
    }
    drain();
}

void WorkerChannel::send(const Message &message)
{
    if (m_descriptor < 0)
        return;
    const QByteArray line = WorkerProtocol::encode(message);
    // Bounded like every buffer of ours: an other side that stops reading is broken.
    if (m_outbox.size() + line.size() > MaxOutboxBytes) {
        shutdown();
        Q_EMIT protocolError(tr("the other side stopped reading (over %1 MiB queued)")
                                     .arg(MaxOutboxBytes >> 20));
        return;
    }
    m_outbox += line;
    onWritable();
}

void WorkerChannel::onWritable()
{
    // Bounded: each pass either sends something or stops.
    for (int i = 0; i < 1024 && !m_outbox.isEmpty() && m_descriptor >= 0; ++i) {
        const ssize_t n = ::send(m_descriptor, m_outbox.constData(), m_outbox.size(),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_outbox.remove(0, n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            break;
        shutdown();
        Q_EMIT closed();
        return;
    }
    if (m_descriptor >= 0)
        m_writeNotifier->setEnabled(!m_outbox.isEmpty());
}

bool WorkerChannel::flush(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (m_descriptor >= 0 && !m_outbox.isEmpty() && clock.elapsed() < timeoutMs) {
        pollfd p{m_descriptor, POLLOUT, 0};
        ::poll(&p, 1, 10);
        onWritable();
    }
    return m_outbox.isEmpty();
}

void WorkerChannel::onReadable()
{
    char buffer[16384];
    // Room for a few descriptors: after the handover none may come, and one that does must
    // be seen (and closed), not silently dropped by a recv() with no room for it.
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    // Bounded per notification; the notifier fires again while more is waiting.
    for (int i = 0; i < 64 && m_descriptor >= 0; ++i) {
        iovec data{buffer, sizeof buffer};
        msghdr message{};
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(m_descriptor, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n >= 0 && (message.msg_controllen > 0 || (message.msg_flags & MSG_CTRUNC))) {
            const WorkerProtocol::ControlScan scan = WorkerProtocol::scanControl(
                    QByteArrayView(control, qsizetype(message.msg_controllen)),
                    (message.msg_flags & MSG_CTRUNC) != 0);
            for (int fd : scan.descriptors)
                ::close(fd);
            shutdown();
            Q_EMIT protocolError(scan.descriptors.isEmpty()
                                         ? tr("ancillary data where only lines may come")
                                         : tr("%n descriptor(s) sent where none may come", "",
                                              int(scan.descriptors.size())));
            return;
        }
        if (n > 0) {
            if (!m_framer.append(QByteArrayView(buffer, n))) {
                shutdown();
                Q_EMIT protocolError(tr("line too long"));
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            break;
        // End of file or a hard error: deliver what came before it, then say so.
        drain();
        shutdown();
        Q_EMIT closed();
        return;
    }
    drain();
}

void WorkerChannel::drain()
{
    for (int i = 0; i < 100000; ++i) {
        const std::optional<QByteArray> line = m_framer.takeLine();
        if (!line)
            break;
        QString error;
        const std::optional<Message> message = WorkerProtocol::decode(*line, &error);
        if (!message) {
            shutdown();
            Q_EMIT protocolError(error);
            return;
        }
        Q_EMIT messageReceived(*message);
        if (m_descriptor < 0)
            return;
    }
    if (m_framer.overflowed()) {
        shutdown();
        Q_EMIT protocolError(tr("line too long"));
    }
}

void WorkerChannel::shutdown()
{
    if (m_descriptor < 0)
        return;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    ::close(m_descriptor);
    m_descriptor = -1;
}

} // namespace SocketScope
