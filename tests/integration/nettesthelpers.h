// SPDX-License-Identifier: MIT
#pragma once

// Small helpers shared by the net integration tests: raw POSIX sockets (to show our
// servers talk to any client, not only Qt's) and netcat. Loopback only, bounded waits.

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

namespace SocketScope::TestHelpers {

// Owns one descriptor.
class Fd
{
public:
    explicit Fd(int fd = -1) : m_fd(fd) { }
    ~Fd() { reset(); }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    Fd(Fd &&other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd;
};

inline sockaddr_in loopback4(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A blocking POSIX TCP client connected to 127.0.0.1:port, with a receive timeout so a
// test can never hang on it.
inline Fd rawTcpConnect(quint16 port, int timeoutMs = 5000)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return fd;
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const sockaddr_in address = loopback4(port);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        fd.reset();
    return fd;
}

// The local port the kernel gave a raw socket.
inline quint16 localPortOf(int fd)
{
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return 0;
    return ntohs(address.sin_port);
}

inline bool rawSendAll(int fd, const QByteArray &data)
{
    qsizetype sent = 0;
    for (int i = 0; i < 1000 && sent < data.size(); ++i) {
        const ssize_t n = ::send(fd, data.constData() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += n;
    }
    return sent == data.size();
}

// Reads until `expected` bytes, end of file, an error or the deadline. Returns what came;
// lastErrno tells ECONNRESET apart from an orderly end.
struct RawRead
{
    QByteArray data;
    bool eof = false;
    int lastErrno = 0;
};

// Waits (bounded) until the descriptor is readable, so each recv() below is immediate.
inline bool waitReadable(int fd, int timeoutMs)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeoutMs) > 0;
}

// The Qt event loop must run while a raw client waits for our Qt server, so the caller
// passes a pump (e.g. QCoreApplication::processEvents) run between short polls.
template<typename Pump>
RawRead rawRead(int fd, qsizetype expected, int timeoutMs, Pump pump)
{
    RawRead result;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs && result.data.size() < expected) {
        pump();
        if (!waitReadable(fd, 10))
            continue;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            result.data.append(buffer, n);
        } else if (n == 0) {
            result.eof = true;
            break;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            result.lastErrno = errno;
            break;
        }
    }
    return result;
}

// The kernel's TCP state (the hex "st" column of /proc/net/tcp: 06 is TIME_WAIT) of the IPv4
// socket whose local port is `localPort` and remote port `remotePort`, or -1 if it has none.
// Read straight from the kernel, so a test checks what happened, not what we logged.
inline int procNetTcpState(quint16 localPort, quint16 remotePort)
{
    QFile file(QStringLiteral("/proc/net/tcp"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray local
            = ':' + QByteArray::number(localPort, 16).toUpper().rightJustified(4, '0');
    const QByteArray remote
            = ':' + QByteArray::number(remotePort, 16).toUpper().rightJustified(4, '0');
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 3 && fields.at(1).endsWith(local) && fields.at(2).endsWith(remote))
            return fields.at(3).toInt(nullptr, 16);
    }
    return -1;
}

inline QString netcat()
{
    return QStandardPaths::findExecutable(QStringLiteral("nc"));
}

} // namespace SocketScope::TestHelpers
