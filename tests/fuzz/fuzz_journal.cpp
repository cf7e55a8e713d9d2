// SPDX-License-Identifier: MIT
// libFuzzer target: a journal file (JSON Lines) through EventJournal::fromJsonLines, with
// small limits so folding and keyframes are reached by small inputs. A file that loads must
// save to one that loads again to the same file, and every moment it holds must rebuild.

#include "eventjournal.h"
#include "fuzzcheck.h"

#include <cstdint>

using namespace SocketScope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray file(reinterpret_cast<const char *>(data), qsizetype(size));
    EventJournal::Limits limits;
    limits.maxEvents = 64;
    limits.keyframeEvery = 8;
    QString error;
    const std::unique_ptr<EventJournal> journal = EventJournal::fromJsonLines(file, &error, limits);
    if (!journal) {
        check(!error.isEmpty());
        return 0;
    }
    check(journal->size() <= limits.maxEvents);
    const QByteArray saved = journal->toJsonLines();
    QString againError;
    const std::unique_ptr<EventJournal> again
            = EventJournal::fromJsonLines(saved, &againError, limits);
    check(again != nullptr);
    check(again->toJsonLines() == saved);
    const quint64 first = journal->firstSeq();
    for (quint64 seq = first > 0 ? first - 1 : 0; seq <= journal->lastSeq(); ++seq)
        check(journal->snapshotAt(seq).has_value());
    return 0;
}
