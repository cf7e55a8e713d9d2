// SPDX-License-Identifier: MIT
#pragma once

// The soak's clients: plain POSIX sockets on 127.0.0.1 (the servers must serve any client,
// not only Qt's), each send a payload made from its number so nothing sent has to be kept,
// and every wait bounded by a deadline. The servers live in another thread or process, so
// these block in poll() without starving them.

#include "nettesthelpers.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>

#include <cstring>
#include <deque>
#include <vector>

namespace SocketScope::TestHelpers {

// Bytes of a 64-bit mix of (stream, offset): a lost, repeated, reordered or changed byte
// shows up as a mismatch.
inline char soakByte(quint64 stream, quint64 offset)
{
    quint64 x = (stream * 0x9E3779B97F4A7C15ULL) ^ ((offset / 8) * 0xBF58476D1CE4E5B9ULL);
    x ^= x >> 31;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 29;
    return static_cast<char>(x >> ((offset % 8) * 8));
}

// Cycle n's message: 1 to 6000 bytes, so small and multi-segment exchanges both occur.
inline QByteArray tcpPayload(quint64 cycle)
{
    QByteArray bytes(qsizetype(1 + (cycle * 2654435761ULL) % 6000), Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = soakByte(cycle, static_cast<quint64>(i));
    return bytes;
}

// Datagram `seq` of client `client`: its numbers first, then 0 to 1199 bytes of pattern.
inline QByteArray udpPayload(quint32 client, quint64 seq)
{
    QByteArray bytes(qsizetype(12 + (seq * 40503ULL + client) % 1200), Qt::Uninitialized);
    std::memcpy(bytes.data(), &client, sizeof client);
    std::memcpy(bytes.data() + sizeof client, &seq, sizeof seq);
    const quint64 stream = (quint64(client) << 40) ^ seq;
    for (qsizetype i = 12; i < bytes.size(); ++i)
        bytes[i] = soakByte(stream, static_cast<quint64>(i));
    return bytes;
}

// Reads until `size` bytes, end of stream, an error or the deadline.
inline RawRead readExactly(int fd, qsizetype size, const QDeadlineTimer &deadline)
{
    RawRead result;
    while (result.data.size() < size && !deadline.hasExpired()) {
        if (!waitReadable(fd, int(qMin<qint64>(deadline.remainingTime(), 1000))))
            continue;
        char buffer[8192];
        const ssize_t n
                = ::recv(fd, buffer, qMin<qsizetype>(sizeof buffer, size - result.data.size()),
                         MSG_DONTWAIT);
        if (n > 0) {
            result.data.append(buffer, n);
        } else if (n == 0) {
            result.eof = true;
            break;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            result.lastErrno = errno;
            break;
        }
    }
    return result;
}

// A connected (connect()ed, non-blocking) UDP socket to 127.0.0.1:port, which takes replies
// from the server only; -1 on failure.
inline int udpConnect(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const sockaddr_in address = loopback4(port);
    if (fd >= 0
        && ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// One UDP client of the soak and the datagrams it still waits to see echoed, oldest first.
struct UdpSoakClient
{
    Fd fd;
    quint32 index = 0;
    quint64 nextSeq = 0;
    quint64 sentOnThisSocket = 0;
    std::deque<quint64> outstanding;
};

// From /proc/self/status, e.g. "VmRSS" (kB) or "Threads"; -1 when not there.
inline qint64 selfStatus(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

inline qsizetype openDescriptors()
{
    return QDir(QStringLiteral("/proc/self/fd"))
            .entryList(QDir::System | QDir::NoDotAndDotDot)
            .size();
}

// Processes whose parent is this one, zombies included (they keep their /proc entry).
inline qsizetype childProcesses()
{
    const QByteArray self = QByteArray::number(::getpid());
    qsizetype count = 0;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!entry.front().isDigit() || !stat.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) S ppid ...": comm may hold spaces, so start after the last ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        count += fields.size() > 1 && fields.at(1) == self;
    }
    return count;
}

} // namespace SocketScope::TestHelpers
