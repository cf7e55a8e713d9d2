// SPDX-License-Identifier: MIT
#include "pidresolver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSet>

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace SocketScope {

namespace {

constexpr int kMaxTreeDepth = 64;
constexpr int kMaxDescendants = 4096;

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
// "socket:[12345]" -> 12345, 0 for anything else.
quint64 socketInode(const char *link, qsizetype length)
{
    static constexpr char prefix[] = "socket:[";
    constexpr qsizetype prefixLength = sizeof(prefix) - 1;
    if (length <= prefixLength + 1 || std::memcmp(link, prefix, prefixLength) != 0
        || link[length - 1] != ']')
        return 0;
    quint64 inode = 0;
    for (qsizetype i = prefixLength; i < length - 1; ++i) {
        if (link[i] < '0' || link[i] > '9')
            return 0;
        inode = inode * 10 + quint64(link[i] - '0');
    }
    return inode;
}
#endif

qint64 parentOf(qint64 pid, const QString &procRoot)
{
    QFile stat(procRoot + QLatin1Char('/') + QString::number(pid) + QStringLiteral("/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so start after the
    // last ')'.
    const QByteArray line = stat.read(4096);
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return 0;
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    if (rest.size() < 2)
        return 0;
    bool ok = false;
    const qint64 parent = rest.at(1).toLongLong(&ok);
    return ok ? parent : 0;
}

} // namespace

PidResolver::PidResolver(QString procRoot, qint64 selfPid)
    : m_procRoot(std::move(procRoot)),
      m_selfPid(selfPid > 0 ? selfPid : QCoreApplication::applicationPid())
{ }

bool PidResolver::isDescendantOf(qint64 pid, qint64 ancestor, const QString &procRoot)
{
    for (int depth = 0; depth < kMaxTreeDepth && pid > 1; ++depth) {
        if (pid == ancestor)
            return true;
        pid = parentOf(pid, procRoot);
    }
    return pid == ancestor;
}

bool PidResolver::isSelfOrDescendant(qint64 pid)
{
    return pid > 0 && isDescendantOf(pid, QCoreApplication::applicationPid());
}

QList<qint64> PidResolver::descendantsOf(qint64 pid) const
{
    // /proc/<pid>/task/<tid>/children lists each thread's children (CONFIG_PROC_CHILDREN);
    // breadth first, bounded, so a fork bomb cannot stall the probe.
    QList<qint64> found;
    QList<qint64> queue{pid};
    for (qsizetype next = 0; next < queue.size() && found.size() < kMaxDescendants; ++next) {
        const QString taskDir = m_procRoot + QLatin1Char('/') + QString::number(queue.at(next))
                                + QStringLiteral("/task");
        const QStringList tids = QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &tid : tids) {
            QFile children(taskDir + QLatin1Char('/') + tid + QStringLiteral("/children"));
            if (!children.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> pids = children.readAll().simplified().split(' ');
            for (const QByteArray &text : pids) {
                bool ok = false;
                const qint64 child = text.toLongLong(&ok);
                if (ok && child > 0 && !queue.contains(child)) {
                    queue.append(child);
                    found.append(child);
                }
            }
        }
    }
    return found;
}

int PidResolver::scanProcess(qint64 pid, QHash<quint64, qint64> *wanted)
{
#if SOCKETSCOPE_LINUX_KERNEL_PROBE
    ++m_scannedProcesses;
    const QByteArray dirPath = QFile::encodeName(m_procRoot + QLatin1Char('/')
                                                 + QString::number(pid) + QStringLiteral("/fd"));
    DIR *dir = opendir(dirPath.constData());
    if (!dir)
        return 0; // gone, or not ours to read
    int resolved = 0;
    char linkPath[PATH_MAX];
    char target[64];
    while (const dirent *entry = readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        const int pathLength = std::snprintf(linkPath, sizeof(linkPath), "%s/%s",
                                             dirPath.constData(), entry->d_name);
        if (pathLength <= 0 || pathLength >= int(sizeof(linkPath)))
            continue;
        const ssize_t length = readlink(linkPath, target, sizeof(target));
        if (length <= 0 || length >= ssize_t(sizeof(target)))
            continue;
        const quint64 inode = socketInode(target, qsizetype(length));
        if (inode == 0)
            continue;
        auto it = wanted->find(inode);
        if (it != wanted->end() && it.value() == 0) {
            it.value() = pid;
            ++resolved;
        }
    }
    closedir(dir);
    return resolved;
#else
    Q_UNUSED(pid);
    Q_UNUSED(wanted);
    return 0;
#endif
}

void PidResolver::resolve(KernelSnapshot *snapshot)
{
    // Forget sockets that are gone, so the cache stays the size of the snapshot and a
    // recycled inode number is looked up afresh.
    QHash<quint64, qint64> current;
    current.reserve(snapshot->size());
    QHash<quint64, qint64> wanted; // inodes never looked for
    for (const KernelSocket &socket : std::as_const(*snapshot)) {
        const quint64 inode = socket.facts.inode;
        if (inode == 0 || current.contains(inode))
            continue;
        const auto cached = m_pidByInode.constFind(inode);
        if (cached != m_pidByInode.cend()) {
            current.insert(inode, cached.value());
        } else {
            current.insert(inode, 0);
            wanted.insert(inode, 0);
        }
    }

    if (!wanted.isEmpty()) {
        qsizetype left = wanted.size();
        left -= scanProcess(m_selfPid, &wanted);
        if (left > 0) {
            const QList<qint64> children = descendantsOf(m_selfPid);
            for (qint64 child : children) {
                left -= scanProcess(child, &wanted);
                if (left <= 0)
                    break;
            }
        }
        for (auto it = wanted.cbegin(); it != wanted.cend(); ++it)
            current.insert(it.key(), it.value());
        if (left > 0)
            m_fullScanPending = true;
    }

    const bool fullScanDue
            = !m_sinceFullScan.isValid() || m_sinceFullScan.elapsed() >= m_fullScanIntervalMs;
    if (m_fullScanPending && fullScanDue) {
        // Everything still unknown, including inodes an earlier scan could not place (their
        // process may have become readable since). Runs only after a new inode showed up.
        QHash<quint64, qint64> missing;
        for (auto it = current.cbegin(); it != current.cend(); ++it) {
            if (it.value() == 0)
                missing.insert(it.key(), 0);
        }
        qsizetype left = missing.size();
        m_sinceFullScan.start();
        m_fullScanPending = false;
        const QStringList entries = QDir(m_procRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &entry : entries) {
            if (left <= 0)
                break;
            bool ok = false;
            const qint64 pid = entry.toLongLong(&ok);
            if (ok && pid != m_selfPid)
                left -= scanProcess(pid, &missing);
        }
        for (auto it = missing.cbegin(); it != missing.cend(); ++it)
            current.insert(it.key(), it.value());
    }

    m_pidByInode = std::move(current);
    // A pid's name is read once while it owns sockets; a recycled pid is read afresh after
    // a snapshot without it.
    QHash<qint64, QString> programs;
    for (KernelSocket &socket : *snapshot) {
        if (socket.facts.inode == 0)
            continue;
        socket.facts.pid = m_pidByInode.value(socket.facts.inode, 0);
        if (socket.facts.pid <= 0)
            continue;
        auto known = programs.constFind(socket.facts.pid);
        if (known == programs.cend())
            known = programs.insert(socket.facts.pid, programOf(socket.facts.pid));
        socket.facts.program = known.value();
    }
    m_programByPid = std::move(programs);
}

QString PidResolver::programOf(qint64 pid)
{
    if (const auto cached = m_programByPid.constFind(pid); cached != m_programByPid.cend())
        return cached.value();
    QFile comm(m_procRoot + QLatin1Char('/') + QString::number(pid) + QStringLiteral("/comm"));
    if (!comm.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLocal8Bit(comm.read(64).trimmed());
}

} // namespace SocketScope
