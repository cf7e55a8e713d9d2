// SPDX-License-Identifier: MIT
#include "descriptorbudget.h"

#include <cstdlib>

#include <dirent.h>
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

QList<int> DescriptorBudget::openDescriptors()
{
    // Every entry counts, whatever it points at: a directory or an anonymous inode inherited
    // from whoever started us takes a descriptor like a socket does (a QDir listing filtered
    // by type missed directories, so a CI runner's stray directory descriptor made the
    // budget promise one more than the kernel gave). The listing's own descriptor is skipped.
    QList<int> numbers;
    DIR *listing = ::opendir("/proc/self/fd");
    if (!listing)
        return numbers;
    const int own = ::dirfd(listing);
    while (const dirent *entry = ::readdir(listing)) {
        if (entry->d_name[0] == '.')
            continue;
        const int number = std::atoi(entry->d_name);
        if (number != own)
            numbers.append(number);
    }
    ::closedir(listing);
    return numbers;
}

qint64 DescriptorBudget::countOpenDescriptors()
{
    return openDescriptors().size();
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
    budget.open = countOpenDescriptors();
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
