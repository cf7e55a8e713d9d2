// SPDX-License-Identifier: MIT
#include "flowcontrolledreader.h"

#include "netutil.h"

#include <QCoreApplication>
#include <QEvent>
#include <QSocketNotifier>
#include <QTcpSocket>

#include <sys/socket.h>

namespace SocketScope {

FlowControlledReader::FlowControlledReader(QTcpSocket *socket, QObject *parent)
    : QObject(parent), m_socket(socket)
{
    socket->setReadBufferSize(ChunkBytes);
    m_stallTimer.setSingleShot(true);
    m_stallTimer.setInterval(StallMs);
    connect(&m_stallTimer, &QTimer::timeout, this, [this] {
        if (m_paused && !m_stalled) {
            m_stalled = true;
            Q_EMIT stalledChanged(true);
        }
    });
    connect(socket, &QTcpSocket::readyRead, this, &FlowControlledReader::readAvailable);
    connect(socket, &QTcpSocket::bytesWritten, this, &FlowControlledReader::onBytesWritten);
    // Qt makes its read notifier once the connection is up.
    if (socket->state() == QAbstractSocket::ConnectedState)
        watchNotifier();
    else
        connect(socket, &QTcpSocket::connected, this, &FlowControlledReader::watchNotifier);
}

void FlowControlledReader::watchNotifier()
{
    // The notifier is Qt's own child of the socket; if a later Qt hides it, nothing holds
    // Qt's reads off and a FIN read while a reply waits may drop the reply's tail, as
    // before (the reading itself stays bounded), and resets are reported as closes.
    m_notifier = qtReadNotifier(*m_socket, m_socket->socketDescriptor());
    if (m_notifier)
        m_notifier->installEventFilter(this);
}

bool FlowControlledReader::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::SockAct || watched != m_notifier)
        return QObject::eventFilter(watched, event);
    if (m_socket->bytesToWrite() > 0) {
        // Qt would read now, and on a FIN close with our reply still in its buffer.
        m_notifier->setEnabled(false);
        m_heldOff = true;
        setPaused(true);
        return true;
    }
    if (m_socket->socketDescriptor() >= 0 && unreadInKernel(m_socket->socketDescriptor()) == 0)
        Q_EMIT aboutToReadEnd();
    return QObject::eventFilter(watched, event);
}

void FlowControlledReader::readAvailable()
{
    const QPointer<FlowControlledReader> alive(this);
    qint64 total = 0;
    // Bounded by MaxBytesPerWakeUp; Qt's buffer holds at most ChunkBytes anyway, and Qt
    // says readyRead again when it has read more.
    while (total < MaxBytesPerWakeUp && m_socket->bytesAvailable() > 0) {
        if (m_socket->bytesToWrite() > 0) {
            setPaused(true);
            return;
        }
        const QByteArray chunk = m_socket->read(ChunkBytes);
        if (chunk.isEmpty())
            break;
        total += chunk.size();
        Q_EMIT chunkRead(chunk);
        if (!alive)
            return;
    }
    if (m_socket->bytesToWrite() > 0)
        setPaused(true); // the last reply waits: hold Qt off until it has gone
    else
        setPaused(false);
}

void FlowControlledReader::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (paused) {
        m_stallTimer.start();
        return;
    }
    m_stallTimer.stop();
    if (m_heldOff) {
        m_heldOff = false;
        if (m_notifier && m_socket->state() == QAbstractSocket::ConnectedState)
            m_notifier->setEnabled(true);
    }
    if (m_stalled) {
        m_stalled = false;
        Q_EMIT stalledChanged(false);
    }
}

void FlowControlledReader::onBytesWritten()
{
    if (!m_paused || m_resumeQueued || m_socket->bytesToWrite() > 0)
        return;
    // Queued: bytesWritten() comes from inside Qt's flush, and reading there would answer
    // (write) from within it.
    m_resumeQueued = true;
    QMetaObject::invokeMethod(this, &FlowControlledReader::resume, Qt::QueuedConnection);
}

void FlowControlledReader::resume()
{
    m_resumeQueued = false;
    if (m_socket->bytesToWrite() > 0)
        return;
    // What Qt already holds first; then Qt may read from the kernel again.
    readAvailable();
}

qint64 sendOrQueue(QTcpSocket &socket, QByteArrayView data)
{
    const int fd = static_cast<int>(socket.socketDescriptor());
    qsizetype sent = 0;
    if (fd >= 0 && socket.bytesToWrite() == 0
        && socket.state() == QAbstractSocket::ConnectedState) {
        const ssize_t result = ::send(fd, data.data(), static_cast<size_t>(data.size()),
                                      MSG_NOSIGNAL | MSG_DONTWAIT);
        if (result > 0)
            sent = result;
        // An error (EAGAIN aside) is left for Qt to meet on its own write and report.
    }
    if (sent < data.size())
        socket.write(data.data() + sent, data.size() - sent);
    return sent;
}

QString readingPausedText()
{
    return QCoreApplication::translate(
            "SocketScope::FlowControlledReader",
            "paused reading: the peer is not reading what this socket sends, so it stops "
            "reading too and the kernel's buffers fill (TCP flow control)");
}

} // namespace SocketScope
