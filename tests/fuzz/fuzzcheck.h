// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>

// A broken promise of the code under test (not a crash of its own) is a finding too: abort,
// so libFuzzer keeps the input that did it.
inline void check(bool condition)
{
    if (!condition)
        std::abort();
}
