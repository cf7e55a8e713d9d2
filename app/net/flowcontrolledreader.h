// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketScope {

// Reads a connected TCP socket the way a well-behaved server does: in bounded chunks, and
// only while nothing it wrote is still waiting in Qt's write buffer. A peer that sends and
// never reads then fills the kernel's buffers and is held back by TCP's own flow control
// (its window closes), instead of growing our memory without bound: Qt's read buffer holds
// at most one chunk, its write buffer at most one reply.
//
// Not reading ourselves is not enough: Qt reads into its buffer whenever its read notifier
// fires, and when such a read meets the peer's FIN it closes the descriptor at once,
// dropping whatever its write buffer still held (an echo of a peer that sent everything,
// half-closed and only then read lost its tail). So while output is pending the reader
// also holds Qt's notifier off; Qt reads again, and may meet the end of the stream, only
// once all we owed the peer has reached the kernel.
class FlowControlledReader : public QObject
{
    Q_OBJECT
public:
    // Bytes read per chunk, and the size of Qt's read buffer: the bound on any one chunk a
    // behaviour sees and on what Qt holds for us.
    static constexpr qint64 ChunkBytes = qint64{64} * 1024;
    // Most bytes read per wake-up, so one busy peer cannot starve the others of the loop.
    static constexpr qint64 MaxBytesPerWakeUp = 16 * ChunkBytes;
    // How long reading must stay paused before it counts as the peer not reading: a bulk
    // transfer pauses for microseconds many times a second, which is not worth showing.
    static constexpr int StallMs = 300;

    // Reads `socket` from now on; its readyRead, bytesWritten and connected drive this.
    explicit FlowControlledReader(QTcpSocket *socket, QObject *parent = nullptr);

    // Reads what Qt holds (bounded), unless output is still pending. Called on readyRead and
    // when the pending output has drained; callers may call it for bytes that came before
    // they watched the socket.
    void readAvailable();
    // Reading is paused because our output has not reached the kernel yet.
    bool isPaused() const { return m_paused; }
    // Paused for longer than StallMs: the peer is not reading.
    bool isStalled() const { return m_stalled; }

Q_SIGNALS:
    // At most ChunkBytes, never empty.
    void chunkRead(const QByteArray &chunk);
    // Qt is about to read with nothing queued in the kernel: that read meets the end of the
    // stream if there is one, and Qt closes the descriptor as it does. The last moment to
    // look at the socket's TCP state (FIN or RST?) or to keep it open.
    void aboutToReadEnd();
    // Reading paused for longer than StallMs (true) and resumed after such a stall (false).
    void stalledChanged(bool stalled);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void watchNotifier();
    void setPaused(bool paused);
    void onBytesWritten();
    void resume();

    QTcpSocket *m_socket;
    QPointer<QSocketNotifier> m_notifier; // Qt's read notifier for the socket
    QTimer m_stallTimer;
    bool m_paused = false;
    bool m_stalled = false;
    bool m_heldOff = false; // we disabled Qt's notifier
    bool m_resumeQueued = false;
};

// Hands `data` to the kernel at once where it takes it, queuing the rest in Qt's buffer
// behind anything already there, so the order holds. Returns the bytes handed over now
// (Qt reports the rest with bytesWritten() as it goes). Sending directly while nothing is
// queued skips arming Qt's write notifier, which with thousands of sockets walks the event
// loop's list of all of them each time (measured: 13 % of a busy loop).
qint64 sendOrQueue(QTcpSocket &socket, QByteArrayView data);

// The activity line of a socket whose reading is paused because its peer does not read.
QString readingPausedText();

} // namespace SocketScope
