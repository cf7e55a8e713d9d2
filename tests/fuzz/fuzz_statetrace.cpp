// SPDX-License-Identifier: MIT
// libFuzzer target: what trace_pipe gives the state trace, line by line, through
// StateTraceFormat::parseLine (the lines are cut at '\n' as StateTrace::read cuts them).

#include "fuzzcheck.h"
#include "statetrace.h"

#include <cstdint>

using namespace SocketScope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype start = 0;
    while (start <= text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        if (const auto transition = StateTraceFormat::parseLine(text.sliced(start, end - start))) {
            check(transition->monotonicNs >= 0);
            check(!transition->local.address.isNull() && !transition->remote.address.isNull());
            check(transition->from != SocketState::Unknown
                  && transition->to != SocketState::Unknown);
        }
        start = end + 1;
    }
    return 0;
}
