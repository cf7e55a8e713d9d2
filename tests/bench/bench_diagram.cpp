// SPDX-License-Identifier: MIT
// Benchmark of the live diagram with many real clients on loopback. Prints numbers and
// ratios against raw baselines measured in the same run; it passes or fails nothing.
//
//   bench_diagram [--tcp 1000] [--udp 1000] [--frames 300]
//
// Everything is bounded: a fixed number of clients and frames, every wait has a deadline,
// and all sockets are closed before it exits. Only 127.0.0.1 is ever a target.
#include "descriptorbudget.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlog.h"
#include "networkengine.h"
#include "socketregistry.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QPainter>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace SocketScope;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

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

// One frame: handle what arrived (traffic, registry changes), lay out, paint the view.
std::vector<double> measureFrames(DiagramScene &scene, DiagramView &view, int frames,
                                  int minimumMs = 0)
{
    QImage target(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<double> times;
    times.reserve(frames);
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < frames || total.elapsed() < minimumMs; ++i) {
        QElapsedTimer timer;
        timer.start();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        scene.flush();
        QPainter painter(&target);
        view.render(&painter);
        painter.end();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    return times;
}

void printFrames(const char *what, const std::vector<double> &times)
{
    std::printf("%-44s median %7.2f ms   p99 %7.2f ms   (%zu frames)\n", what,
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
    DescriptorBudget::raiseSoftLimit();

    std::printf("SocketScope diagram benchmark: %d TCP + %d UDP clients on 127.0.0.1\n\n",
                tcpClients, udpClients);
    const double rawMs = rawConnectMs(tcpClients);
    const qint64 rssBefore = residentKiB();

    SocketRegistry registry;
    EventLog log;
    NetworkEngine engine(registry, log);
    DiagramScene scene(registry);
    DiagramView view(&scene);
    view.resize(1600, 1000);
    view.show();

    TcpServerConfig tcpConfig;
    tcpConfig.port = 0;
    tcpConfig.backlog = 4096;
    UdpServerConfig udpConfig;
    udpConfig.port = 0;
    if (engine.startTcpServer(tcpConfig).isError() || engine.startUdpServer(udpConfig).isError()) {
        std::fprintf(stderr, "could not start the servers on 127.0.0.1\n");
        return 1;
    }
    scene.flush();
    const std::vector<double> emptyFrames = measureFrames(scene, view, frames / 3);

    const auto serverSideCount = [&] {
        qsizetype n = 0;
        for (SocketId id : registry.ids())
            n += registry.find(id)->role == SocketRole::TcpServerSide ? 1 : 0;
        return n;
    };
    QElapsedTimer spawnTimer;
    spawnTimer.start();
    const SpawnResult tcp = engine.spawnTcpClients(tcpClients);
    const bool allAccepted = waitFor([&] { return serverSideCount() == tcp.created; }, 30000);
    scene.flush();
    const double spawnTcpMs = spawnTimer.nsecsElapsed() / 1e6;
    spawnTimer.restart();
    const SpawnResult udp = engine.spawnUdpClients(udpClients);
    scene.flush();
    const double spawnUdpMs = spawnTimer.nsecsElapsed() / 1e6;
    if (!allAccepted || tcp.created != tcpClients || udp.created != udpClients) {
        std::fprintf(stderr, "spawn fell short: %d/%d TCP, %d/%d UDP (%s)\n", tcp.created,
                     tcpClients, udp.created, udpClients,
                     qPrintable(tcp.stopReason.message + udp.stopReason.message));
    }
    const qint64 rssSpawned = residentKiB();

    const std::vector<double> idleFrames = measureFrames(scene, view, frames / 3);

    // Traffic: every client sends periodically, so the servers echo all the time.
    for (SocketId id : tcp.ids)
        engine.startPeriodic(id, 500, QStringLiteral("hello %n"));
    for (SocketId id : udp.ids) {
        const NetErrorInfo error = engine.startPeriodic(id, 250, QStringLiteral("datagram %n"));
        if (error.isError())
            std::fprintf(stderr, "periodic: %s\n", qPrintable(error.message));
    }
    waitFor([] { return false; }, 600); // let the first messages flow
    const quint64 datagramsBefore = registry.find(engine.udpServerId())->datagramsReceived;
    QElapsedTimer trafficTimer;
    trafficTimer.start();
    const auto sentByClients = [&] {
        quint64 sent = 0;
        for (SocketId id : udp.ids)
            sent += registry.find(id) ? registry.find(id)->datagramsSent : 0;
        return sent;
    };
    const quint64 sentBefore = sentByClients();
    const std::vector<double> busyFrames = measureFrames(scene, view, frames, 3000);
    const double trafficSeconds = trafficTimer.nsecsElapsed() / 1e9;
    const quint64 sent = sentByClients() - sentBefore;
    const quint64 datagrams
            = registry.find(engine.udpServerId())->datagramsReceived - datagramsBefore;
    const qsizetype drawnFolded = scene.socketItemCount();
    const qsizetype folded = scene.hiddenSocketCount();
    scene.setShowAll(true);
    scene.flush();
    const std::vector<double> allFrames = measureFrames(scene, view, frames / 3);
    const qint64 rssBusy = residentKiB();

    std::printf("spawn %d TCP clients until all accepted and drawn: %8.1f ms\n", tcpClients,
                spawnTcpMs);
    std::printf("  raw baseline (QTcpSocket connects, no app):    %8.1f ms   ratio %.2f\n", rawMs,
                rawMs > 0 ? spawnTcpMs / rawMs : 0.0);
    std::printf("spawn %d UDP clients until drawn:                %8.1f ms\n", udpClients,
                spawnUdpMs);
    std::printf("scene items: %lld sockets drawn, %lld folded into \"+ N more\" (%lld when "
                "every connection is drawn)\n",
                static_cast<long long>(drawnFolded), static_cast<long long>(folded),
                static_cast<long long>(scene.socketItemCount()));
    std::printf("\n");
    printFrames("frame, empty diagram (baseline)", emptyFrames);
    printFrames("frame, all clients idle", idleFrames);
    printFrames("frame, traffic flowing", busyFrames);
    std::printf("  ratio busy/empty median %.2f, p99 %.2f; in %.1f s clients sent %llu datagrams, "
                "the server handled %llu\n",
                percentile(busyFrames, 0.5) / qMax(percentile(emptyFrames, 0.5), 0.001),
                percentile(busyFrames, 0.99) / qMax(percentile(emptyFrames, 0.99), 0.001),
                trafficSeconds, static_cast<unsigned long long>(sent),
                static_cast<unsigned long long>(datagrams));
    printFrames("frame, traffic, every connection drawn", allFrames);
    std::printf("\nresident memory: %lld MiB before, %lld MiB with all clients, %lld MiB busy\n",
                rssBefore / 1024, rssSpawned / 1024, rssBusy / 1024);

    engine.closeAllClients();
    engine.stopTcpServer();
    engine.stopUdpServer();
    return 0;
}
