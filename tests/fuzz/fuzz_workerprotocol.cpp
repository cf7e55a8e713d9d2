// SPDX-License-Identifier: MIT
// libFuzzer target: what the other end of a worker's socket pair can send. The first byte
// picks what is fuzzed:
//   even: a byte stream, cut into chunks (of the size in the second byte, or one read each
//         when it is 0) and fed through a LineFramer; every line is decoded, and whatever
//         decodes must encode to a line that decodes to the same message;
//   odd:  the ancillary data of the message that hands the socket over (scanControl), its
//         second byte the MSG_CTRUNC flag.

#include "fuzzcheck.h"
#include "workerprotocol.h"

#include <sys/socket.h>

#include <cstdint>

using namespace SocketScope;
using namespace SocketScope::WorkerProtocol;

namespace {

bool same(const Message &a, const Message &b)
{
    return a.verb == b.verb && a.number == b.number && a.data == b.data
           && a.behaviour == b.behaviour && (a.verb != Verb::Closed || a.reason == b.reason);
}

void fuzzLines(QByteArrayView stream, std::uint8_t chunkSize)
{
    LineFramer framer;
    const qsizetype step = chunkSize == 0 ? stream.size() : qsizetype(chunkSize);
    for (qsizetype at = 0; at < stream.size() && !framer.overflowed(); at += step) {
        if (!framer.append(stream.sliced(at, qMin(step, stream.size() - at))))
            break;
        while (const std::optional<QByteArray> line = framer.takeLine()) {
            check(line->size() <= MaxLineBytes && !line->contains('\n'));
            QString error;
            const std::optional<Message> message = decode(*line, &error);
            if (!message) {
                check(!error.isEmpty());
                continue;
            }
            const QByteArray encoded = encode(*message);
            check(encoded.endsWith('\n') && encoded.count('\n') == 1);
            const std::optional<Message> again = decode(QByteArrayView(encoded).chopped(1));
            check(again && same(*message, *again));
        }
    }
    check(framer.buffered() <= MaxLineBytes + stream.size());
}

void fuzzControl(QByteArrayView control, bool truncated)
{
    const ControlScan scan = scanControl(control, truncated);
    check(scan.wellFormed == scan.error.isEmpty());
    check(!truncated || !scan.wellFormed);
    // Every descriptor listed was in the bytes: four of them each, at the least.
    check(scan.descriptors.size() <= control.size() / qsizetype(sizeof(int)));
    for (int fd : scan.descriptors)
        check(fd >= 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    const QByteArrayView rest(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));
    if ((data[0] & 1) == 0)
        fuzzLines(rest, data[1]);
    else
        fuzzControl(rest, (data[1] & 1) != 0);
    return 0;
}
