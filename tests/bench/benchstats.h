// SPDX-License-Identifier: MIT
// Summaries of timings, shared by the benchmarks so their numbers mean the same thing.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

namespace SocketScope::Bench {

// The nearest-rank value at fraction p (0.5: median, 0.99: p99); 0 for no values.
inline double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

inline double median(std::vector<double> values)
{
    return percentile(std::move(values), 0.5);
}

inline double mean(const std::vector<double> &values)
{
    double sum = 0;
    for (double value : values)
        sum += value;
    return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

inline double maximum(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

} // namespace SocketScope::Bench
