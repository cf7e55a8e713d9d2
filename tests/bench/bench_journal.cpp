// SPDX-License-Identifier: MIT
// What the event journal costs: events per second through the registry with and without a
// journal recording them (the raw baseline, same run, same events), and the heap the
// journal holds at its bound and when told to keep a million events.
//
// Run: build/<preset>/tests/bench/bench_journal [--events 1000000] [--sockets 1000]

#include "eventjournal.h"
#include "socketregistry.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <malloc.h>

#include <cstdio>
#include <memory>

using namespace SocketScope;

namespace {

double heapMiB()
{
    const struct mallinfo2 info = mallinfo2();
    return static_cast<double>(info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

// The same session every time: `sockets` connections, then traffic with a state or
// activity change every tenth event, until `events` events have been made.
qint64 play(SocketRegistry &registry, qsizetype events, int sockets)
{
    QList<SocketId> ids;
    for (int i = 0; i < sockets; ++i) {
        SocketRecord record;
        record.role = SocketRole::TcpServerSide;
        record.local = {QHostAddress(QHostAddress::LocalHost), 9877};
        record.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), quint16(20000 + i)};
        record.state = SocketState::Established;
        ids.append(registry.add(record));
    }
    QElapsedTimer timer;
    timer.start();
    for (qsizetype i = sockets; i < events; ++i) {
        const SocketId id = ids.at(i % sockets);
        if (i % 10 == 0) {
            registry.update(id, [i](SocketRecord &r) {
                r.activity = i % 20 ? QStringLiteral("reading") : QString();
            });
        } else {
            registry.recordTraffic(id, i % 2 ? TrafficDirection::Sent : TrafficDirection::Received,
                                   64, *registry.find(id)->remote, false);
        }
    }
    return timer.nsecsElapsed();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption eventsOption(QStringLiteral("events"), QStringLiteral("events"),
                                          QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption socketsOption(QStringLiteral("sockets"), QStringLiteral("sockets"),
                                           QStringLiteral("n"), QStringLiteral("1000"));
    parser.addOptions({eventsOption, socketsOption});
    parser.process(app);
    const qsizetype events = qBound(10'000, parser.value(eventsOption).toInt(), 10'000'000);
    const int sockets = qBound(1, parser.value(socketsOption).toInt(), 100'000);

    const auto rate = [events](qint64 ns) { return double(events) / (double(ns) / 1e9); };
    std::printf("%lld changes offered over %d sockets (no-op updates make no event)\n",
                static_cast<long long>(events), sockets);

    qint64 rawNs = 0;
    {
        SocketRegistry registry;
        rawNs = play(registry, events, sockets);
    }
    std::printf("registry alone (baseline):       %10.0f changes/s\n", rate(rawNs));

    for (const qsizetype bound : {JournalLimits{}.maxEvents, qsizetype(events)}) {
        const double heapBefore = heapMiB();
        SocketRegistry registry;
        auto journal
                = std::make_unique<EventJournal>(registry, nullptr, JournalLimits{bound, 1000});
        const qint64 ns = play(registry, events, sockets);
        const double held = heapMiB() - heapBefore;
        std::printf(
                "with journal (bound %7lld):    %10.0f changes/s  = %.2fx baseline;  holds %lld "
                "events, %lld keyframes, dropped %llu; heap %.1f MiB (%.0f bytes/event)\n",
                static_cast<long long>(bound), rate(ns), double(rawNs) / double(ns),
                static_cast<long long>(journal->size()),
                static_cast<long long>(journal->keyframeCount()),
                static_cast<unsigned long long>(journal->droppedEvents()), held,
                held * 1024 * 1024 / double(journal->size()));
        QElapsedTimer timer;
        timer.start();
        const QByteArray file = journal->toJsonLines();
        std::printf("  saved as JSON Lines: %.1f MiB in %lld ms\n",
                    double(file.size()) / (1024.0 * 1024.0),
                    static_cast<long long>(timer.elapsed()));
    }
    return 0;
}
