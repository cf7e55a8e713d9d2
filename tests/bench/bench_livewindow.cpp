// SPDX-License-Identifier: MIT
// The whole window under load (issue 11): a UDP flood into the app's echo server and TCP
// connect/close cycles against its TCP server, both from raw loopback sockets in threads of
// their own, with the window composed as app/main.cpp composes it (NetworkHost ->
// mirrorInto -> EventJournal -> Pacer -> presented registry -> MainWindow with its docks,
// the PresentationClock wired the same way). The kernel probe (KernelLink) is left out, so
// the numbers are the window's and the journal's, not the kernel poll's.
//
// A frame: RegistryMirror delivers at most one batch per frame to the window thread. A
// frame's cost is the time from that batch arriving until it is applied (live registry,
// journal, pacer, presented registry, table and log), the log's lines added
// (EventLogView::flush), the diagram laid out (DiagramScene::flush) and the window painted
// (the diagram's viewport repainted, then every other widget the batch made dirty), forced
// synchronously so that no timer's wait is counted as work. That is wall time, and with the
// load's threads on the same cores it includes waits for a core; the UI thread's own CPU
// time per frame is printed beside it. The frame interval is the wall time between two
// batches' arrivals.
//
// Flood rates, the same datagrams from the same senders in the same run:
//   (a) raw: a plain socket's recvfrom + sendto echo loop in a thread (the baseline);
//   (b) engine: NetworkHost mirrored into this thread's registry, no journal, no window;
//   (c) window: everything above, live.
// A rate is datagrams per second from the first send until the last one is counted where
// that configuration counts it: echoed (a), in the mirrored registry (b), journalled (c).
// Each sender keeps a bounded window of datagrams in flight (an echo frees a place), so the
// rate is how fast each configuration handles them, not how many the kernel drops.
//
// Bounded: fixed counts, every load stops after --time-limit seconds whatever happens, every
// wait has a deadline. Only 127.0.0.1 is ever a target.
//
// Run: QT_QPA_PLATFORM=offscreen build/<preset>/tests/bench/bench_livewindow [--datagrams 200000]
//          [--senders 4] [--window 32] [--cycles 5000] [--time-limit 60]
#include "benchloopback.h"
#include "benchstats.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventjournal.h"
#include "eventlog.h"
#include "eventlogview.h"
#include "mainwindow.h"
#include "networkengine.h"
#include "networkhost.h"
#include "pacer.h"
#include "playbackbar.h"
#include "presentationclock.h"
#include "registrymirror.h"
#include "socketinspector.h"
#include "socketregistry.h"
#include "tcpstatemachineview.h"
#include "timelinepanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QEventLoop>
#include <QTimer>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <memory>
#include <optional>
#include <thread>

using namespace SocketScope;
using namespace std::chrono_literals;
using Bench::percentile;
using Clock = std::chrono::steady_clock;

namespace {

using SocketScope::Bench::loopback;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// A socket of `type` bound to 127.0.0.1 on a port the kernel picks; -1 on failure.
int boundLoopbackSocket(int type, quint16 *port)
{
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), length) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

struct FloodTally
{
    quint64 sent = 0;
    quint64 echoed = 0;
    quint64 givenUp = 0; // in flight when 50 ms passed without an echo: dropped, sent anew
    QString toString() const
    {
        return QStringLiteral("%1/%2/%3").arg(sent).arg(echoed).arg(givenUp);
    }
    FloodTally &operator+=(const FloodTally &other)
    {
        sent += other.sent;
        echoed += other.echoed;
        givenUp += other.givenUp;
        return *this;
    }
};

// One sender: `count` datagrams, at most `window` of them waiting for their echo.
FloodTally sendFlood(quint16 port, quint64 count, quint64 window, Clock::time_point deadline)
{
    FloodTally tally;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const sockaddr_in server = loopback(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&server), sizeof server) != 0) {
        if (fd >= 0)
            ::close(fd);
        return tally;
    }
    static constexpr char payload[] = "socketscope bench datagram";
    char reply[512];
    quint64 inFlight = 0;
    while ((tally.sent < count || inFlight > 0) && Clock::now() < deadline) {
        for (; inFlight < window && tally.sent < count; ++tally.sent, ++inFlight) {
            if (::send(fd, payload, sizeof payload - 1, 0) < 0) { // refused: nobody listens
                ::close(fd);
                return tally;
            }
        }
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 50) <= 0) {
            tally.givenUp += inFlight;
            inFlight = 0;
            continue;
        }
        while (::recv(fd, reply, sizeof reply, MSG_DONTWAIT) > 0) {
            ++tally.echoed;
            inFlight -= inFlight > 0 ? 1 : 0;
        }
    }
    ::close(fd);
    return tally;
}

struct CycleTally
{
    quint64 completed = 0;
    quint64 failed = 0;
    CycleTally &operator+=(const CycleTally &other)
    {
        completed += other.completed;
        failed += other.failed;
        return *this;
    }
};

// `count` times: connect() to the server, then close() at once (the client side ends in
// TIME_WAIT, as a client that closes first does).
CycleTally connectAndClose(quint16 port, quint64 count, Clock::time_point deadline)
{
    CycleTally tally;
    const sockaddr_in server = loopback(port);
    const timeval connectLimit{2, 0}; // a full accept queue drops SYNs: do not wait for ever
    for (quint64 i = 0; i < count && Clock::now() < deadline; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const bool connected
                = fd >= 0
                  && ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &connectLimit, sizeof connectLimit)
                             == 0
                  && ::connect(fd, reinterpret_cast<const sockaddr *>(&server), sizeof server) == 0;
        ++(connected ? tally.completed : tally.failed);
        if (fd >= 0)
            ::close(fd);
    }
    return tally;
}

// Splits `total` over `threads` threads running work(share) and sums their tallies.
template<typename Tally, typename Work>
Tally inThreads(int threads, quint64 total, Work work)
{
    std::vector<std::future<Tally>> parts;
    for (int i = 0; i < threads; ++i) {
        const quint64 share = total / quint64(threads) + (quint64(i) < total % quint64(threads));
        parts.push_back(std::async(std::launch::async, work, share));
    }
    Tally sum;
    for (auto &part : parts)
        sum += part.get();
    return sum;
}

// The raw baselines: one plain socket served in a thread with nothing but system calls.
// UDP: recvfrom + sendto back (echo); TCP: accept + close.
class RawServer
{
public:
    RawServer(int type, Clock::time_point deadline) : m_type(type), m_deadline(deadline)
    {
        m_fd = boundLoopbackSocket(type | SOCK_NONBLOCK, &m_port); // polled, never blocks
        if (m_fd >= 0 && (type == SOCK_DGRAM || ::listen(m_fd, 1024) == 0))
            m_thread = std::thread([this] { serve(); });
    }
    ~RawServer()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
        if (m_fd >= 0)
            ::close(m_fd);
    }
    quint16 port() const { return m_thread.joinable() ? m_port : 0; }

private:
    void serve()
    {
        char buffer[2048];
        while (!m_stop && Clock::now() < m_deadline) {
            pollfd readable{m_fd, POLLIN, 0};
            if (::poll(&readable, 1, 20) <= 0)
                continue;
            for (int i = 0; i < 1024; ++i) { // what is there now, then look at the clock again
                sockaddr_storage peer{};
                socklen_t length = sizeof peer;
                auto *address = reinterpret_cast<sockaddr *>(&peer);
                if (m_type == SOCK_STREAM) {
                    const int accepted = ::accept4(m_fd, address, &length, 0);
                    if (accepted < 0)
                        break;
                    ::close(accepted);
                    continue;
                }
                const ssize_t n
                        = ::recvfrom(m_fd, buffer, sizeof buffer, MSG_DONTWAIT, address, &length);
                if (n < 0)
                    break;
                ::sendto(m_fd, buffer, size_t(n), 0, address, length);
            }
        }
    }

    int m_type;
    Clock::time_point m_deadline;
    int m_fd = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// Runs this thread's event loop, sleeping in it rather than spinning (the senders need the
// other core), until `done` or the deadline.
template<typename Predicate>
bool runEventLoopUntil(Predicate done, Clock::time_point deadline)
{
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || Clock::now() >= deadline)
            loop.quit();
    });
    check.start(2);
    if (!done())
        loop.exec();
    return done();
}

// How many events reached a registry (accepts among them), and when the last one did.
struct ArrivalWatch
{
    explicit ArrivalWatch(const SocketRegistry &registry)
    {
        QObject::connect(&registry, &SocketRegistry::eventApplied, &context,
                         [this](const SocketEvent &event) {
                             ++events;
                             accepted += event.kind == EventKind::Accepted;
                             lastEvent = Clock::now();
                         });
    }
    quint64 events = 0;
    quint64 accepted = 0;
    Clock::time_point lastEvent = Clock::now();
    QObject context; // the connection goes with the watch
};

struct LoadRun
{
    quint64 handled = 0; // datagrams counted where the configuration counts them, or cycles
    quint64 events = 0; // events applied to the window thread's registry
    double seconds = 0;
    double rate() const { return seconds > 0 ? double(handled) / seconds : 0; }
};

// Starts `load` in threads and runs the event loop until it has ended and nothing more has
// reached `watch` for 300 ms since (the mirror ships a change within a frame); the run's
// time ends with the last event that arrived, or with the load if none came after it.
template<typename Load>
LoadRun underEventLoop(ArrivalWatch &watch, Load load, Clock::time_point deadline)
{
    const Clock::time_point start = Clock::now();
    const quint64 eventsBefore = watch.events;
    auto finished = std::async(std::launch::async, load);
    runEventLoopUntil([&] { return finished.wait_for(0s) == std::future_status::ready; }, deadline);
    finished.wait(); // the senders stop by their own deadline, whatever happens here
    const Clock::time_point loadEnded = Clock::now();
    const auto end = [&] { return std::max(loadEnded, watch.lastEvent); };
    runEventLoopUntil([&] { return Clock::now() - end() > 300ms; }, deadline + 10s);
    LoadRun run;
    run.events = watch.events - eventsBefore;
    run.seconds = std::chrono::duration<double>(end() - start).count();
    return run;
}

double threadCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

// Frames, as defined at the top. arrived() must be connected to the mirror before the
// window's registry is, applied() after it: queued slots run in the order of connection.
class FrameMeter
{
public:
    struct Phase
    {
        std::vector<double> costMs;
        std::vector<double> cpuMs; // the UI thread's CPU time within each frame
        std::vector<double> intervalMs;
        double busyShare = 0; // the UI thread's CPU time over the phase's wall time
    };

    explicit FrameMeter(MainWindow &window) : m_window(window) { }

    void arrived()
    {
        m_arrived = Clock::now();
        m_arrivedCpu = threadCpuSeconds();
        if (m_recording && m_lastArrival)
            m_phase.intervalMs.push_back(millisecondsBetween(*m_lastArrival, m_arrived));
        m_lastArrival = m_arrived;
    }
    void applied()
    {
        // The log adds a batch's lines once control is back in the event loop; here, so
        // that adding them is part of this frame.
        for (EventLogView *log : m_window.findChildren<EventLogView *>())
            log->flush();
        m_window.diagramScene()->flush();
        m_window.diagramView()->viewport()->repaint();
        // The table, the log and the timeline the batch made dirty paint in the window's
        // next update request; sent now, they are part of this frame.
        QCoreApplication::sendPostedEvents(&m_window, QEvent::UpdateRequest);
        if (m_recording) {
            m_phase.costMs.push_back(millisecondsBetween(m_arrived, Clock::now()));
            m_phase.cpuMs.push_back((threadCpuSeconds() - m_arrivedCpu) * 1000);
        }
    }
    void start()
    {
        m_phase = {};
        m_lastArrival.reset();
        m_recording = true;
        m_startWall = Clock::now();
        m_startCpu = threadCpuSeconds();
    }
    Phase stop()
    {
        m_recording = false;
        m_phase.busyShare = (threadCpuSeconds() - m_startCpu) / secondsSince(m_startWall);
        return m_phase;
    }

private:
    static double millisecondsBetween(Clock::time_point from, Clock::time_point to)
    {
        return std::chrono::duration<double, std::milli>(to - from).count();
    }

    MainWindow &m_window;
    Phase m_phase;
    bool m_recording = false;
    Clock::time_point m_arrived;
    double m_arrivedCpu = 0;
    std::optional<Clock::time_point> m_lastArrival;
    Clock::time_point m_startWall;
    double m_startCpu = 0;
};

void printFrames(const char *load, const FrameMeter::Phase &phase)
{
    const auto &cost = phase.costMs;
    const auto &interval = phase.intervalMs;
    std::printf("%s: %zu frames\n  frame cost      median %6.2f ms  p95 %6.2f ms  max %7.2f ms"
                "   (target: median < 16 ms: %s)\n"
                "  of it on a core median %6.2f ms  p95 %6.2f ms  (the rest the UI thread waited "
                "for one: the load's threads and the app's network thread share %u cores)\n"
                "  frame interval  median %6.2f ms  p95 %6.2f ms  max %7.2f ms;  UI thread busy "
                "%.0f%% of the time\n",
                load, cost.size(), percentile(cost, 0.5), percentile(cost, 0.95),
                Bench::maximum(cost), percentile(cost, 0.5) < 16 ? "met" : "MISSED",
                percentile(phase.cpuMs, 0.5), percentile(phase.cpuMs, 0.95),
                std::thread::hardware_concurrency(), percentile(interval, 0.5),
                percentile(interval, 0.95), Bench::maximum(interval), 100 * phase.busyShare);
}

qint64 heapBytes()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
}

// The app's servers on 127.0.0.1, ports the kernel picks, echoing.
std::pair<quint16, quint16> startServers(NetworkHost &host)
{
    return host.run([&host] {
        NetworkEngine &engine = host.engine();
        TcpServerConfig tcp;
        tcp.port = 0;
        tcp.backlog = 1024;
        UdpServerConfig udp;
        udp.port = 0;
        if (engine.startTcpServer(tcp).isError() || engine.startUdpServer(udp).isError())
            return std::pair<quint16, quint16>{0, 0};
        return std::pair{engine.tcpServerEndpoint().port, engine.udpServerEndpoint().port};
    });
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const auto option = [](const char *name, const char *about, const char *byDefault) {
        return QCommandLineOption(QLatin1String(name), QLatin1String(about), QStringLiteral("n"),
                                  QLatin1String(byDefault));
    };
    const QCommandLineOption datagramsOption = option("datagrams", "datagrams", "200000");
    const QCommandLineOption sendersOption = option("senders", "UDP sender threads", "4");
    const QCommandLineOption windowOption = option("window", "datagrams in flight each", "32");
    const QCommandLineOption cyclesOption = option("cycles", "TCP connect/close cycles", "5000");
    const QCommandLineOption limitOption = option("time-limit", "seconds per load", "60");
    parser.addOptions({datagramsOption, sendersOption, windowOption, cyclesOption, limitOption});
    parser.addHelpOption();
    parser.process(app);
    const quint64 datagrams = qBound(1000, parser.value(datagramsOption).toInt(), 2'000'000);
    const int senders = qBound(1, parser.value(sendersOption).toInt(), 16);
    const quint64 window = qBound(1, parser.value(windowOption).toInt(), 256);
    const quint64 cycles = qBound(10, parser.value(cyclesOption).toInt(), 20'000);
    const auto timeLimit = std::chrono::seconds(qBound(5, parser.value(limitOption).toInt(), 120));
    const auto flood = [&](quint16 port) {
        const Clock::time_point deadline = Clock::now() + timeLimit;
        return inThreads<FloodTally>(senders, datagrams, [=](quint64 share) {
            return sendFlood(port, share, window, deadline);
        });
    };
    const auto connectClose = [&](quint16 port) {
        const Clock::time_point deadline = Clock::now() + timeLimit;
        return inThreads<CycleTally>(
                2, cycles, [=](quint64 share) { return connectAndClose(port, share, deadline); });
    };
    std::printf("SocketScope live-window benchmark on 127.0.0.1: %llu datagrams from %d senders "
                "(%llu in flight each), %llu TCP connect/close cycles from 2 threads; each load "
                "stops after %lld s. Kernel probe: left out.\n\n",
                static_cast<unsigned long long>(datagrams), senders,
                static_cast<unsigned long long>(window), static_cast<unsigned long long>(cycles),
                static_cast<long long>(timeLimit.count()));

    // (a) The raw baselines.
    LoadRun rawFlood, rawCycles;
    FloodTally rawTally, engineTally, windowTally;
    {
        const RawServer echo(SOCK_DGRAM, Clock::now() + timeLimit + 5s);
        const Clock::time_point start = Clock::now();
        rawTally = flood(echo.port());
        rawFlood.handled = rawTally.echoed;
        rawFlood.seconds = secondsSince(start);
    }
    {
        const RawServer acceptor(SOCK_STREAM, Clock::now() + timeLimit + 5s);
        const Clock::time_point start = Clock::now();
        rawCycles.handled = connectClose(acceptor.port()).completed;
        rawCycles.seconds = secondsSince(start);
    }

    // (b) The engine in its thread, mirrored into a registry here; no journal, no window.
    LoadRun engineFlood;
    {
        SocketRegistry registry;
        EventLog log;
        NetworkHost network;
        network.mirrorInto(registry, log);
        ArrivalWatch watch(registry);
        const quint16 udpPort = startServers(network).second;
        const SocketId udpServer = network.run([&] { return network.engine().udpServerId(); });
        engineFlood = underEventLoop(
                watch, [&] { return engineTally = flood(udpPort); }, Clock::now() + timeLimit + 5s);
        engineFlood.handled
                = registry.find(udpServer) ? registry.find(udpServer)->datagramsReceived : 0;
    }

    // (c) The window, composed as main.cpp does (without KernelLink and AppController).
    auto registry = std::make_unique<SocketRegistry>();
    EventLog log;
    auto journal = std::make_unique<EventJournal>(*registry, &log);
    auto network = std::make_unique<NetworkHost>();
    SocketRegistry presented;
    auto pacer = std::make_unique<Pacer>(*journal, presented);
    auto clock = std::make_unique<PresentationClock>(PresentationClock::monotonicNs, pacer.get());
    auto mainWindow = std::make_unique<MainWindow>(presented, log);
    mainWindow->diagramScene()->setPresentationClock(*clock);
    mainWindow->socketInspector()->setPresentationClock(*clock);
    mainWindow->showLogOf(*journal);
    mainWindow->addToolBarBreak();
    mainWindow->addToolBar(new PlaybackBar(*pacer, mainWindow.get()));
    auto *stateMachineDock = new QDockWidget(QStringLiteral("TCP State Machine"), mainWindow.get());
    stateMachineDock->setObjectName(QStringLiteral("tcpStateMachineDock"));
    auto *stateMachine
            = new TcpStateMachineView(*journal, presented, pacer.get(), stateMachineDock);
    stateMachineDock->setWidget(stateMachine);
    stateMachine->setExactTransitions(false, QStringLiteral("no kernel probe in this benchmark"));
    QObject::connect(mainWindow->socketInspector(), &SocketInspector::socketShown, stateMachine,
                     &TcpStateMachineView::setSocket);
    mainWindow->addBottomDock(stateMachineDock, QKeySequence(), QString());
    auto *timelineDock = new QDockWidget(QStringLiteral("Timeline"), mainWindow.get());
    timelineDock->setObjectName(QStringLiteral("timelineDock"));
    timelineDock->setWidget(new TimelinePanel(*journal, pacer.get(), timelineDock));
    mainWindow->addBottomDock(timelineDock, QKeySequence(), QString());
    setKernelViewAvailable(false);
    mainWindow->setKernelViewUnavailable(QStringLiteral("no kernel probe in this benchmark"));
    mainWindow->resize(1280, 720);
    mainWindow->show();

    FrameMeter meter(*mainWindow);
    QObject::connect(&network->mirror(), &RegistryMirror::batchReady, mainWindow.get(),
                     [&meter] { meter.arrived(); });
    network->mirrorInto(*registry, log);
    QObject::connect(&network->mirror(), &RegistryMirror::batchReady, mainWindow.get(),
                     [&meter] { meter.applied(); });
    ArrivalWatch watch(*registry);
    const std::pair<quint16, quint16> ports = startServers(*network);
    const quint16 tcpPort = ports.first;
    const quint16 udpPort = ports.second;
    if (tcpPort == 0) {
        std::fprintf(stderr, "could not start the app's servers on 127.0.0.1\n");
        return 1;
    }
    const SocketId udpServer = network->run([&] { return network->engine().udpServerId(); });
    runEventLoopUntil([] { return false; }, Clock::now() + 500ms); // shown, servers drawn

    meter.start();
    LoadRun windowFlood = underEventLoop(
            watch, [&] { return windowTally = flood(udpPort); }, Clock::now() + timeLimit + 5s);
    const FrameMeter::Phase floodFrames = meter.stop();
    windowFlood.handled = registry->find(udpServer)->datagramsReceived;
    // One more datagram, once the flood is over: does the server still read its socket?
    const bool answersAfterFlood = sendFlood(udpPort, 1, 1, Clock::now() + 1s).echoed == 1;

    meter.start();
    const quint64 acceptedBefore = watch.accepted;
    CycleTally appCycles;
    LoadRun windowCycles = underEventLoop(
            watch, [&] { return appCycles = connectClose(tcpPort); },
            Clock::now() + timeLimit + 5s);
    const FrameMeter::Phase cycleFrames = meter.stop();
    windowCycles.handled = appCycles.completed;

    const auto ratio = [](double x, double y) { return y > 0 ? x / y : 0; };
    std::printf("UDP flood, datagrams/s (first send until the last one is counted):\n"
                "  (a) raw recvfrom+sendto echo loop:  %9.0f/s  %llu echoed in %.2f s\n"
                "  (b) engine + registry mirror:       %9.0f/s  %llu mirrored in %.2f s "
                "(%llu events after folding)\n"
                "  (c) window live, journalled:        %9.0f/s  %llu journalled in %.2f s "
                "(%llu events after folding)\n"
                "  ratios: c/a %.2f, c/b %.2f, b/a %.2f\n"
                "  senders (sent/echoed/given up after 50 ms without an echo): a %s, b %s, c %s\n"
                "  after the flood the app's UDP server answers one more datagram: %s\n",
                rawFlood.rate(), static_cast<unsigned long long>(rawFlood.handled),
                rawFlood.seconds, engineFlood.rate(),
                static_cast<unsigned long long>(engineFlood.handled), engineFlood.seconds,
                static_cast<unsigned long long>(engineFlood.events), windowFlood.rate(),
                static_cast<unsigned long long>(windowFlood.handled), windowFlood.seconds,
                static_cast<unsigned long long>(windowFlood.events),
                ratio(windowFlood.rate(), rawFlood.rate()),
                ratio(windowFlood.rate(), engineFlood.rate()),
                ratio(engineFlood.rate(), rawFlood.rate()), qPrintable(rawTally.toString()),
                qPrintable(engineTally.toString()), qPrintable(windowTally.toString()),
                answersAfterFlood ? "yes" : "NO");
    std::printf("TCP connect/close cycles/s:\n"
                "  raw accept+close loop:              %9.0f/s  %llu in %.2f s\n"
                "  window live, until journalled:      %9.0f/s  %llu in %.2f s (%llu failed; "
                "%llu accepted by the app; %llu events)\n"
                "  ratio window/raw %.2f\n\n",
                rawCycles.rate(), static_cast<unsigned long long>(rawCycles.handled),
                rawCycles.seconds, windowCycles.rate(),
                static_cast<unsigned long long>(windowCycles.handled), windowCycles.seconds,
                static_cast<unsigned long long>(appCycles.failed),
                static_cast<unsigned long long>(watch.accepted - acceptedBefore),
                static_cast<unsigned long long>(windowCycles.events),
                ratio(windowCycles.rate(), rawCycles.rate()));
    printFrames("frames during the UDP flood", floodFrames);
    printFrames("frames during the TCP connect/close cycles", cycleFrames);

    // What the journal holds: the heap it gives back when it goes (the views that read it
    // go first).
    const qsizetype held = journal->size();
    const quint64 recorded = journal->lastSeq();
    const quint64 dropped = journal->droppedEvents();
    const quint64 folded = journal->foldedEvents();
    const qsizetype keyframes = journal->keyframeCount();
    const qsizetype bound = journal->limits().maxEvents;
    mainWindow.reset();
    clock.reset();
    pacer.reset();
    const qint64 heapWithJournal = heapBytes();
    journal.reset();
    const double journalBytes = double(heapWithJournal - heapBytes());
    const double perEvent = held > 0 ? journalBytes / double(held) : 0;
    std::printf("\njournal: %lld events held (%llu recorded, %llu dropped at the bound of %lld, "
                "%llu sends/receives folded into them), %lld keyframes\n"
                "  holds %.1f MB = %.0f bytes/event (keyframes included); at 1 M events %.0f MB "
                "(extrapolated; the bound keeps at most %lld events, %.0f MB)\n",
                static_cast<long long>(held), static_cast<unsigned long long>(recorded),
                static_cast<unsigned long long>(dropped), static_cast<long long>(bound),
                static_cast<unsigned long long>(folded), static_cast<long long>(keyframes),
                journalBytes / 1e6, perEvent, perEvent, static_cast<long long>(bound),
                perEvent * double(bound) / 1e6);
    return 0;
}
