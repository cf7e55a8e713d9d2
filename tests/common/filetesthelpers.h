// SPDX-License-Identifier: MIT
#pragma once

// Files of every kind for tests that write to them: a character device without risking the
// system's own, and what kind a path is now.

#include <QFile>
#include <QString>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace SocketScope::Test {

// A copy of the memory device with this minor number (3: null, 7: full) made in `dir` when
// we may (root, not a nodev mount), so a writer that wrongly replaced it would replace only
// the copy; otherwise the system's /dev/<name>.
inline QString deviceLike(const QString &dir, const char *name, unsigned minor)
{
    const QString copy = dir + QLatin1Char('/') + QLatin1String(name);
    if (::mknod(QFile::encodeName(copy).constData(), S_IFCHR | 0666, makedev(1, minor)) == 0) {
        const int fd = ::open(QFile::encodeName(copy).constData(), O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            ::close(fd);
            return copy;
        }
        ::unlink(QFile::encodeName(copy).constData()); // a nodev mount
    }
    return QStringLiteral("/dev/") + QLatin1String(name);
}

// The kind of file at `path` (S_IFREG, S_IFIFO, S_IFCHR, ...), not following a link; 0 when
// there is none.
inline mode_t typeOf(const QString &path)
{
    struct stat info;
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & S_IFMT;
}

} // namespace SocketScope::Test
