// SPDX-License-Identifier: MIT
// Benchmark of the live diagram, in the app's whole window (table and event log follow the
// same registry), with many real clients on loopback. Prints numbers and
// ratios against raw baselines measured in the same run; it passes or fails nothing.
//
//   bench_diagram [--tcp 1000] [--udp 1000] [--frames 300]
//
// Traffic runs at two rates: a lecture's (every client sends once every 2 s) and a stress
// rate (a TCP line every 500 ms and a datagram every 250 ms per client, 6000 messages a
// second plus their echoes). Each is measured with the diagram (a frame is the time from one
// paint to the next in the application's own event loop) and again after the diagram is
// gone, with the same clients and traffic: then a 16 ms tick stands in for the frame, the
// raw baseline of what the event loop can keep up with the network alone. The cost of one
// full repaint of the view (its own paint path, item caches included), forced back to back,
// is printed too.
//
// Everything is bounded: a fixed number of clients and frames, every wait has a deadline,
// and all sockets are closed before it exits. Only 127.0.0.1 is ever a target.
#include "benchstats.h"
#include "descriptorbudget.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "networkengine.h"
#include "networkhost.h"
#include "registrymirror.h"
#include "socketregistry.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <vector>

using namespace SocketScope;
using Bench::percentile;

namespace {

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// Runs the event loop until `done` or the deadline; returns whether `done` came true.
template<typename Predicate>
bool waitFor(Predicate done, int deadlineMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > deadlineMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

// The raw baseline: plain Qt sockets, no registry, no engine, no diagram.
double rawConnectMs(int count)
{
    QTcpServer server;
    server.setListenBacklogSize(qMax(count, 128));
    if (!server.listen(QHostAddress::LocalHost, 0))
        return -1;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    std::vector<QTcpSocket *> accepted;
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection())
            accepted.push_back(socket);
    });
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, server.serverPort());
    }
    const bool ok = waitFor([&] { return accepted.size() == size_t(count); }, 30000);
    const double ms = timer.nsecsElapsed() / 1e6;
    clients.clear();
    return ok ? ms : -1;
}

// The cost of a full repaint, forced back to back: handle what arrived, lay out, and paint
// the view through its own paint path (item caches included), synchronously.
std::vector<double> measureRepaints(DiagramScene *scene, DiagramView *view, int repaints)
{
    std::vector<double> times;
    times.reserve(repaints);
    for (int i = 0; i < repaints; ++i) {
        QElapsedTimer timer;
        timer.start();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        scene->flush();
        view->viewport()->repaint();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    return times;
}

// Frames as the audience sees them: the application's own event loop runs for `ms`, the
// view is asked to repaint every 16 ms (and whenever the scene asks), and a frame is the
// time from one paint of the viewport to the next. Network events, layout, numbers and
// painting all share that one thread, so a slow anything shows as a long frame.
// Without a view (the baseline) the same loop serves a 16 ms tick instead, and a frame is
// the time between two ticks: how well the bare event loop could keep a frame rate.
class FrameClock : public QObject
{
public:
    std::vector<double> run(QWidget *viewport, int ms)
    {
        m_intervals.clear();
        m_last = -1;
        m_clock.start();
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        if (viewport) {
            // As if something moved on screen all the time: a repaint is asked for every
            // 16 ms, so a gap between paints is the loop being busy, never an idle picture.
            viewport->installEventFilter(this);
            QObject::connect(&tick, &QTimer::timeout, viewport, [viewport] { viewport->update(); });
        } else {
            QObject::connect(&tick, &QTimer::timeout, this, [this] { stamp(); });
        }
        tick.start(16);
        QEventLoop loop;
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
        if (viewport)
            viewport->removeEventFilter(this);
        return m_intervals;
    }

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            stamp();
        return false;
    }

private:
    void stamp()
    {
        const qint64 now = m_clock.nsecsElapsed();
        if (m_last >= 0)
            m_intervals.push_back(double(now - m_last) / 1e6);
        m_last = now;
    }

    QElapsedTimer m_clock;
    qint64 m_last = -1;
    std::vector<double> m_intervals;
};

// Every client sends periodically, their first messages spread over one interval so the
// traffic flows steadily instead of arriving as one synchronised burst.
void startTraffic(NetworkEngine &engine, const QList<SocketId> &tcp, const QList<SocketId> &udp,
                  int tcpIntervalMs, int udpIntervalMs)
{
    const auto stagger = [&engine](const QList<SocketId> &ids, int intervalMs,
                                   const QString &text) {
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const int offset = static_cast<int>(i * intervalMs / qMax<qsizetype>(ids.size(), 1));
            QTimer::singleShot(offset, &engine, [&engine, id = ids.at(i), intervalMs, text] {
                const NetErrorInfo error = engine.startPeriodic(id, intervalMs, text);
                if (error.isError())
                    std::fprintf(stderr, "periodic: %s\n", qPrintable(error.message));
            });
        }
    };
    stagger(tcp, tcpIntervalMs, QStringLiteral("hello %n"));
    stagger(udp, udpIntervalMs, QStringLiteral("datagram %n"));
}

void stopTraffic(NetworkEngine &engine, const QList<SocketId> &tcp, const QList<SocketId> &udp)
{
    for (SocketId id : tcp)
        engine.stopPeriodic(id);
    for (SocketId id : udp)
        engine.stopPeriodic(id);
}

void printFrames(const char *what, const std::vector<double> &times)
{
    std::printf("%-62s median %7.2f ms   p99 %7.2f ms   (%zu frames)\n", what,
                percentile(times, 0.5), percentile(times, 0.99), times.size());
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption tcpOption(QStringLiteral("tcp"), QStringLiteral("TCP clients"),
                                       QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption udpOption(QStringLiteral("udp"), QStringLiteral("UDP clients"),
                                       QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption framesOption(QStringLiteral("frames"), QStringLiteral("frames"),
                                          QStringLiteral("n"), QStringLiteral("300"));
    parser.addOptions({tcpOption, udpOption, framesOption});
    parser.addHelpOption();
    parser.process(app);
    const int tcpClients = qBound(1, parser.value(tcpOption).toInt(), 5000);
    const int udpClients = qBound(1, parser.value(udpOption).toInt(), 5000);
    const int frames = qBound(10, parser.value(framesOption).toInt(), 2000);
    const int trafficMs = 5000; // per traffic run: about 300 frames at 60 Hz
    DescriptorBudget::raiseSoftLimit();

    std::printf("SocketScope diagram benchmark: %d TCP + %d UDP clients on 127.0.0.1\n\n",
                tcpClients, udpClients);
    const double rawMs = rawConnectMs(tcpClients);
    const qint64 rssBefore = residentKiB();

    SocketRegistry registry;
    EventLog log;
    // As the app runs it: the sockets in a thread of their own, copied into this registry.
    NetworkHost network;
    NetworkEngine &engine = network.engine();
    network.mirrorInto(registry, log);
    // The whole window, as the app shows it: the diagram, and the socket table and event log
    // that follow the same registry.
    auto window = std::make_unique<MainWindow>(registry, log);
    window->resize(1600, 1000);
    window->show();
    DiagramScene *scene = window->diagramScene();
    DiagramView *view = window->diagramView();

    TcpServerConfig tcpConfig;
    tcpConfig.port = 0;
    tcpConfig.backlog = 4096;
    UdpServerConfig udpConfig;
    udpConfig.port = 0;
    if (!network.run([&] {
            return !engine.startTcpServer(tcpConfig).isError()
                   && !engine.startUdpServer(udpConfig).isError();
        })) {
        std::fprintf(stderr, "could not start the servers on 127.0.0.1\n");
        return 1;
    }
    scene->flush();
    const std::vector<double> emptyFrames = measureRepaints(scene, view, frames / 3);

    const auto serverSideCount = [&] {
        qsizetype n = 0;
        for (SocketId id : registry.ids())
            n += registry.find(id)->role == SocketRole::TcpServerSide ? 1 : 0;
        return n;
    };
    QElapsedTimer spawnTimer;
    spawnTimer.start();
    const SpawnResult tcp = network.run([&] { return engine.spawnTcpClients(tcpClients); });
    const bool allAccepted = waitFor([&] { return serverSideCount() == tcp.created; }, 30000);
    scene->flush();
    const double spawnTcpMs = spawnTimer.nsecsElapsed() / 1e6;
    spawnTimer.restart();
    const SpawnResult udp = network.run([&] { return engine.spawnUdpClients(udpClients); });
    const SocketId udpServer = network.run([&] { return engine.udpServerId(); });
    waitFor([&] { return registry.contains(udp.ids.isEmpty() ? 0 : udp.ids.constLast()); }, 30000);
    scene->flush();
    const double spawnUdpMs = spawnTimer.nsecsElapsed() / 1e6;
    if (!allAccepted || tcp.created != tcpClients || udp.created != udpClients) {
        std::fprintf(stderr, "spawn fell short: %d/%d TCP, %d/%d UDP (%s)\n", tcp.created,
                     tcpClients, udp.created, udpClients,
                     qPrintable(tcp.stopReason.message + udp.stopReason.message));
    }
    const qint64 rssSpawned = residentKiB();
    const std::vector<double> idleFrames = measureRepaints(scene, view, frames / 3);

    struct Rate
    {
        const char *name;
        int tcpIntervalMs;
        int udpIntervalMs;
    };
    const Rate rates[] = {{"lecture rate: 1 message / 2 s per client", 2000, 2000},
                          {"stress rate: TCP 500 ms, UDP 250 ms per client", 500, 250}};
    struct TrafficRun
    {
        std::vector<double> frames;
        double seconds = 0;
        quint64 sent = 0;
        quint64 handled = 0;
    };
    const auto sentByClients = [&] {
        quint64 sent = 0;
        for (SocketId id : udp.ids)
            sent += registry.find(id) ? registry.find(id)->datagramsSent : 0;
        return sent;
    };
    // One rate's traffic, measured after it has settled; the diagram is drawn when there is one.
    const auto runTraffic = [&](const Rate &rate, DiagramView *withView, int ms) {
        startTraffic(engine, tcp.ids, udp.ids, rate.tcpIntervalMs, rate.udpIntervalMs);
        waitFor([] { return false; }, qMax(rate.tcpIntervalMs, rate.udpIntervalMs) + 200);
        TrafficRun run;
        const quint64 handledBefore = registry.find(udpServer)->datagramsReceived;
        const quint64 sentBefore = sentByClients();
        QElapsedTimer timer;
        timer.start();
        FrameClock clock;
        run.frames = clock.run(withView ? withView->viewport() : nullptr, ms);
        run.seconds = timer.nsecsElapsed() / 1e9;
        run.sent = sentByClients() - sentBefore;
        run.handled = registry.find(udpServer)->datagramsReceived - handledBefore;
        network.run([&] { stopTraffic(engine, tcp.ids, udp.ids); });
        waitFor([] { return false; }, 300); // let the last echoes land
        return run;
    };

    std::vector<TrafficRun> withDiagram;
    for (const Rate &rate : rates)
        withDiagram.push_back(runTraffic(rate, view, trafficMs));
    const qsizetype drawnFolded = scene->socketItemCount();
    const qsizetype folded = scene->hiddenSocketCount();
    scene->setShowAll(true);
    scene->flush();
    view->fitToWindow();
    const std::vector<double> allDrawnRender = measureRepaints(scene, view, frames / 3);
    const TrafficRun everyConnection = runTraffic(rates[0], view, trafficMs);
    const qsizetype drawnAll = scene->socketItemCount();
    const qint64 rssBusy = residentKiB();

    // The baseline: the same clients and traffic with no diagram at all.
    window.reset();
    std::vector<TrafficRun> networkOnly;
    for (const Rate &rate : rates)
        networkOnly.push_back(runTraffic(rate, nullptr, trafficMs));

    std::printf("spawn %d TCP clients until all accepted and drawn: %8.1f ms\n", tcpClients,
                spawnTcpMs);
    std::printf("  raw baseline (QTcpSocket connects, no app):    %8.1f ms   ratio %.2f\n", rawMs,
                rawMs > 0 ? spawnTcpMs / rawMs : 0.0);
    std::printf("spawn %d UDP clients until drawn:                %8.1f ms\n", udpClients,
                spawnUdpMs);
    std::printf("scene items: %lld sockets drawn, %lld folded into \"+ N more\" (%lld when "
                "every connection is drawn)\n",
                static_cast<long long>(drawnFolded), static_cast<long long>(folded),
                static_cast<long long>(drawnAll));
    std::printf("\n");
    printFrames("render cost, empty diagram (forced, back to back)", emptyFrames);
    printFrames("render cost, all clients idle (forced, back to back)", idleFrames);
    for (size_t i = 0; i < std::size(rates); ++i) {
        const TrafficRun &drawn = withDiagram[i];
        const TrafficRun &raw = networkOnly[i];
        std::printf("\n%s\n", rates[i].name);
        printFrames("  frame (paint to paint), diagram folded", drawn.frames);
        printFrames("  16 ms tick, same traffic, no diagram", raw.frames);
        std::printf("  ratio diagram/no diagram: median %.2f, p99 %.2f\n",
                    percentile(drawn.frames, 0.5) / qMax(percentile(raw.frames, 0.5), 0.001),
                    percentile(drawn.frames, 0.99) / qMax(percentile(raw.frames, 0.99), 0.001));
        std::printf("  UDP: clients sent %llu datagrams in %.1f s, the server handled %llu (the "
                    "rest the kernel dropped from the full receive queue)\n",
                    static_cast<unsigned long long>(drawn.sent), drawn.seconds,
                    static_cast<unsigned long long>(drawn.handled));
    }
    std::printf("\n");
    printFrames("render cost, every connection drawn, fitted (forced)", allDrawnRender);
    printFrames("frame (paint to paint), lecture rate, every connection drawn",
                everyConnection.frames);
    std::printf("\nresident memory: %lld MiB before, %lld MiB with all clients, %lld MiB busy\n",
                rssBefore / 1024, rssSpawned / 1024, rssBusy / 1024);

    network.run([&] {
        engine.closeAllClients();
        engine.stopTcpServer();
        engine.stopUdpServer();
    });
    return 0;
}
