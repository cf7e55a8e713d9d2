// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

namespace SocketScope {

// Every socket is a file descriptor, and a process may hold only RLIMIT_NOFILE of them.
// Debian's default soft limit (1024) stops a spawn of 1000 local clients halfway, since
// each costs two here (the client and the socket our listener accepts for it), so we raise
// the soft limit to the hard one at start-up and count before spawning.
struct DescriptorBudget
{
    qint64 softLimit = 0;
    qint64 hardLimit = 0;
    qint64 open = 0; // descriptors this process holds right now

    // Sets the soft limit to the hard limit. Returns false (errno set) if the kernel refused.
    static bool raiseSoftLimit();
    // Reads the limits and counts /proc/self/fd. Costs a directory listing: call it once
    // per spawn, not once per socket.
    static DescriptorBudget current();
    // The numbers of the descriptors this process holds now, of every kind, unordered.
    static QList<int> openDescriptors();
    static qint64 countOpenDescriptors();

    qint64 available() const { return softLimit > open ? softLimit - open : 0; }
    // How many more clients fit when each costs `costPerClient` descriptors and `reserve`
    // stay free for everything else the program opens (files, X connection, pipes).
    qint64 clientsThatFit(int costPerClient, int reserve = DefaultReserve) const;
    // "1021 of 1024 descriptors free (hard limit 524288): room for 500 more local clients"
    QString describe(int costPerClient = 2) const;

    static constexpr int DefaultReserve = 32;
};

} // namespace SocketScope
