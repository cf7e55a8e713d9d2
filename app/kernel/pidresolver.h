// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"

#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace SocketScope {

// Finds the process that holds each socket by matching inodes against the links in
// /proc/<pid>/fd ("socket:[12345]"). Scanning every process is expensive on a busy host, so
// answers are cached and a scan runs only when an inode shows up that the cache lacks:
// first our own process and its descendants (cheap, and where the app's sockets live), then
// the rest of the host at most once per `fullScanInterval`.
class PidResolver
{
public:
    explicit PidResolver(QString procRoot = QStringLiteral("/proc"), qint64 selfPid = 0);

    // Fills facts.pid, and facts.program from /proc/<pid>/comm, for every socket with a
    // non-zero inode.
    void resolve(KernelSnapshot *snapshot);

    void setFullScanIntervalMs(qint64 ms) { m_fullScanIntervalMs = ms; }
    // How many /proc/<pid>/fd directories were read in total (the cost, for tests and bench).
    quint64 scannedProcesses() const { return m_scannedProcesses; }

    // True when `pid` is `ancestor` or one of its descendants (walks PPid in
    // /proc/<pid>/stat, bounded in depth).
    static bool isDescendantOf(qint64 pid, qint64 ancestor,
                               const QString &procRoot = QStringLiteral("/proc"));
    // Our own process or one of its children (process-per-client servers).
    static bool isSelfOrDescendant(qint64 pid);

private:
    // Scans one process's descriptors; returns how many wanted inodes it resolved.
    int scanProcess(qint64 pid, QHash<quint64, qint64> *wanted);
    QList<qint64> descendantsOf(qint64 pid) const;

    QString m_procRoot;
    qint64 m_selfPid = 0;
    QString programOf(qint64 pid);

    QHash<quint64, qint64> m_pidByInode; // 0: scanned for and not found
    QHash<qint64, QString> m_programByPid; // only the pids of the last snapshot
    QElapsedTimer m_sinceFullScan;
    qint64 m_fullScanIntervalMs = 1000;
    bool m_fullScanPending = false;
    quint64 m_scannedProcesses = 0;
};

} // namespace SocketScope
