// SPDX-License-Identifier: MIT
#include "descriptorbudget.h"

#include <QDir>

#include <sys/resource.h>

namespace SocketScope {

bool DescriptorBudget::raiseSoftLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return false;
    if (limit.rlim_cur == limit.rlim_max)
        return true;
    limit.rlim_cur = limit.rlim_max;
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

DescriptorBudget DescriptorBudget::current()
{
    DescriptorBudget budget;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        const auto clamp = [](rlim_t value) {
            return value == RLIM_INFINITY ? std::numeric_limits<qint64>::max()
                                          : static_cast<qint64>(value);
        };
        budget.softLimit = clamp(limit.rlim_cur);
        budget.hardLimit = clamp(limit.rlim_max);
    }
    // Listing /proc/self/fd opens one descriptor for the listing itself; it is closed again
    // before we return, so it is not counted.
    const QDir fds(QStringLiteral("/proc/self/fd"));
    const qint64 listed = fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size();
    budget.open = listed > 0 ? listed - 1 : 0;
    return budget;
}

qint64 DescriptorBudget::clientsThatFit(int costPerClient, int reserve) const
{
    if (costPerClient <= 0)
        return 0;
    const qint64 usable = available() - qMax(reserve, 0);
    return usable > 0 ? usable / costPerClient : 0;
}

QString DescriptorBudget::describe(int costPerClient) const
{
    return QStringLiteral("%1 of %2 file descriptors in use (hard limit %3): room for %4 more "
                          "local clients at %5 descriptors each")
            .arg(open)
            .arg(softLimit)
            .arg(hardLimit)
            .arg(clientsThatFit(costPerClient))
            .arg(costPerClient);
}

} // namespace SocketScope
