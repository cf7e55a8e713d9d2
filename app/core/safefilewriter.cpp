// SPDX-License-Identifier: MIT
#include "safefilewriter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace SocketScope {

namespace {

QMutex s_reserveMutex;
int s_reserve = -1; // guarded by s_reserveMutex

int takeReserve()
{
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

// The reserve is free while a write opens its target (the one descriptor it needs), and
// taken again afterwards. Another thread may open a descriptor in between and take the
// freed slot; then that write fails with the EMFILE message, as it would without a reserve.
class ReserveReleased
{
public:
    ReserveReleased() : m_lock(&s_reserveMutex)
    {
        m_had = s_reserve >= 0;
        if (m_had) {
            ::close(s_reserve);
            s_reserve = -1;
        }
    }
    ~ReserveReleased()
    {
        if (m_had)
            s_reserve = takeReserve();
    }
    Q_DISABLE_COPY_MOVE(ReserveReleased)

private:
    QMutexLocker<QMutex> m_lock;
    bool m_had = false;
};

// A FIFO whose reader went away raises SIGPIPE, which would end the whole program. Blocked
// in this thread while writing, and a SIGPIPE the write raised is taken off again.
class SigPipeBlocked
{
public:
    SigPipeBlocked()
    {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_previous);
    }
    ~SigPipeBlocked()
    {
        sigset_t pending;
        sigemptyset(&pending);
        if (!m_wasPending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
            const timespec now{0, 0};
            sigtimedwait(&m_pipe, nullptr, &now);
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    Q_DISABLE_COPY_MOVE(SigPipeBlocked)

private:
    sigset_t m_pipe;
    sigset_t m_previous;
    bool m_wasPending = false;
};

QString cannotWrite(const QString &path, const QString &why)
{
    return QStringLiteral("Cannot write %1: %2").arg(path, why);
}

// What the system said, and what the user can do about it.
QString advice(int error)
{
    switch (error) {
    case ENOSPC:
        return QStringLiteral("no space left on the device. Free some space or choose another "
                              "place.");
    case EDQUOT:
        return QStringLiteral("the disk quota is used up. Free some space or choose another "
                              "place.");
    case EACCES:
    case EPERM:
        return QStringLiteral("permission denied. Choose a place you may write to.");
    case EROFS:
        return QStringLiteral("the file system is read-only. Choose another place.");
    case ENOENT:
    case ENOTDIR:
        return QStringLiteral("the folder does not exist. Create it first or choose another "
                              "place.");
    case EMFILE:
    case ENFILE:
        return QStringLiteral("the program has run out of file descriptors (too many open "
                              "sockets). Close some clients and export again.");
    case EPIPE:
        return QStringLiteral("the reader closed it before the export was complete.");
    default:
        return QString::fromLocal8Bit(std::strerror(error)) + QLatin1Char('.');
    }
}

QString kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    if (S_ISBLK(mode))
        return QStringLiteral("a block device");
    return QStringLiteral("not a file");
}

bool fail(QString *errorMessage, const QString &message)
{
    if (errorMessage)
        *errorMessage = message;
    return false;
}

bool writeAtomically(const QString &path, QByteArrayView bytes, QString *errorMessage)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        // Qt's text for these says what happened, ours also what to do.
        const int why = errno;
        const bool known = why == EMFILE || why == ENFILE || why == ENOSPC || why == EDQUOT;
        return fail(errorMessage, cannotWrite(path, known ? advice(why) : file.errorString()));
    }
    if (file.write(bytes.data(), bytes.size()) != bytes.size() || !file.commit())
        return fail(errorMessage, cannotWrite(path, file.errorString()));
    return true;
}

// Waits until `fd` takes more bytes; false (errno set) when it will not.
bool waitWritable(int fd, QElapsedTimer &sinceProgress)
{
    for (;;) {
        const qint64 left = SafeFileWriter::StallTimeoutMs - sinceProgress.elapsed();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return false;
        }
        pollfd ready{fd, POLLOUT, 0};
        const int result = ::poll(&ready, 1, static_cast<int>(left));
        if (result < 0 && errno == EINTR)
            continue;
        if (result < 0)
            return false;
        if (result == 0)
            continue; // the deadline check above ends it
        if (ready.revents & (POLLERR | POLLHUP)) {
            errno = EPIPE;
            return false;
        }
        return true;
    }
}

bool writeInto(const QString &path, bool fifo, QByteArrayView bytes, QString *errorMessage)
{
    // O_NONBLOCK: opening a FIFO for writing otherwise waits for a reader, possibly forever;
    // this way a FIFO with no reader fails at once with ENXIO.
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENXIO && fifo)
            return fail(errorMessage,
                        cannotWrite(path,
                                    QStringLiteral("it is a FIFO and nothing reads from it. Start "
                                                   "its reader first (e.g. cat %1), then export "
                                                   "again.")
                                            .arg(path)));
        return fail(errorMessage, cannotWrite(path, advice(errno)));
    }
    // What we opened may not be what we looked at (renamed in between): only ever write
    // into what may be written into, and never truncate a regular file here.
    struct stat opened;
    if (::fstat(fd, &opened) != 0 || !(S_ISFIFO(opened.st_mode) || S_ISCHR(opened.st_mode))) {
        ::close(fd);
        return fail(errorMessage,
                    cannotWrite(path, QStringLiteral("it changed while being opened. Export "
                                                     "again.")));
    }
    SigPipeBlocked noSigPipe;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    qsizetype done = 0;
    int error = 0;
    while (done < bytes.size()) {
        const ssize_t written
                = ::write(fd, bytes.data() + done, static_cast<size_t>(bytes.size() - done));
        if (written > 0) {
            done += written;
            sinceProgress.restart();
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && errno == EAGAIN && waitWritable(fd, sinceProgress))
            continue;
        error = written < 0 ? errno : EIO;
        break;
    }
    if (::close(fd) != 0 && error == 0 && errno != EINTR)
        error = errno;
    if (error == ETIMEDOUT)
        return fail(errorMessage,
                    cannotWrite(path, QStringLiteral("its reader stopped reading (%1 of %2 bytes "
                                                     "written in %3 s). Export again when it "
                                                     "reads.")
                                              .arg(done)
                                              .arg(bytes.size())
                                              .arg(SafeFileWriter::StallTimeoutMs / 1000)));
    if (error != 0)
        return fail(errorMessage, cannotWrite(path, advice(error)));
    return true;
}

} // namespace

bool SafeFileWriter::write(const QString &path, QByteArrayView bytes, QString *errorMessage)
{
    if (path.isEmpty())
        return fail(errorMessage, QStringLiteral("Cannot write: no file name given."));
    const ReserveReleased reserve;
    struct stat existing;
    if (::stat(QFile::encodeName(path).constData(), &existing) != 0) {
        if (errno == ENOENT)
            return writeAtomically(path, bytes, errorMessage); // a new file
        return fail(errorMessage, cannotWrite(path, advice(errno)));
    }
    // A FIFO made at this name between stat() and the rename would still be replaced; only a
    // rename that refuses to replace could close that gap, and QSaveFile has none.
    if (S_ISREG(existing.st_mode))
        return writeAtomically(path, bytes, errorMessage);
    if (S_ISFIFO(existing.st_mode) || S_ISCHR(existing.st_mode))
        return writeInto(path, S_ISFIFO(existing.st_mode), bytes, errorMessage);
    return fail(errorMessage, cannotWrite(path, QStringLiteral("it is %1; give a file name.")
                                                        .arg(kindOf(existing.st_mode))));
}

bool SafeFileWriter::reserveDescriptor()
{
    const QMutexLocker lock(&s_reserveMutex);
    if (s_reserve < 0)
        s_reserve = takeReserve();
    return s_reserve >= 0;
}

bool SafeFileWriter::hasReservedDescriptor()
{
    const QMutexLocker lock(&s_reserveMutex);
    return s_reserve >= 0;
}

void SafeFileWriter::releaseReservedDescriptor()
{
    const QMutexLocker lock(&s_reserveMutex);
    if (s_reserve >= 0)
        ::close(s_reserve);
    s_reserve = -1;
}

} // namespace SocketScope
