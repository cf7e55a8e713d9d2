// SPDX-License-Identifier: MIT
// How fast does the TCP server accept and register connections under each concurrency
// model, against a raw C accept loop (socket/bind/listen/accept) measured in the same run?
// And how long do 100 clients take in process mode (connect, one echo, close)?
// Loopback only, bounded counts; every wait has a deadline.

#include "benchloopback.h"
#include "eventlog.h"
#include "networkengine.h"
#include "socketregistry.h"
#include "workerprocess.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace SocketScope;

namespace {

using SocketScope::Bench::loopback;

constexpr int DeadlineMs = 120000;

int connectTo(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback(port);
    if (fd >= 0
        && ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Opens `count` connections from another thread and holds them until told to close.
class Connector
{
public:
    Connector(quint16 port, int count)
    {
        m_fds.resize(count, -1);
        m_thread = std::thread([this, port, count] {
            for (int i = 0; i < count; ++i)
                m_fds[i] = connectTo(port);
            m_done = true;
        });
    }
    ~Connector()
    {
        m_thread.join();
        for (int fd : m_fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    bool done() const { return m_done; }

private:
    std::vector<int> m_fds;
    std::thread m_thread;
    std::atomic<bool> m_done = false;
};

// The baseline: the plainest server there is, accept() in a loop, nothing registered.
double rawAcceptPerSecond(int count)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    ::bind(listener, reinterpret_cast<const sockaddr *>(&address), length);
    ::listen(listener, 4096);
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
    QElapsedTimer clock;
    clock.start();
    std::vector<int> accepted;
    double seconds = 0;
    {
        // Same clock as the models: from starting the connector to the last accept.
        Connector connector(ntohs(address.sin_port), count);
        for (int i = 0; i < count; ++i) {
            const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                break;
            accepted.push_back(fd);
        }
        seconds = clock.nsecsElapsed() / 1e9;
    }
    for (int fd : accepted)
        ::close(fd);
    ::close(listener);
    return static_cast<int>(accepted.size()) == count ? count / seconds : 0;
}

qsizetype serverSideRecords(const SocketRegistry &registry)
{
    qsizetype count = 0;
    for (SocketId id : registry.ids()) {
        const SocketRecord *record = registry.find(id);
        count += record->role == SocketRole::TcpServerSide && record->isOpen() ? 1 : 0;
    }
    return count;
}

template<typename Done>
bool pumpUntil(Done done)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < DeadlineMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return done();
}

struct EngineUnderTest
{
    SocketRegistry registry;
    EventLog log;
    NetworkEngine engine{registry, log};
    quint16 port = 0;

    explicit EngineUnderTest(ConcurrencyModel model)
    {
        engine.setWorkerCommand(
                {QCoreApplication::applicationFilePath(), {QStringLiteral("--worker")}});
        engine.setWorkerLimit(TcpServerEndpoint::MaxWorkerLimit);
        engine.setTcpModel(model);
        TcpServerConfig config;
        config.port = 0;
        config.backlog = 4096;
        engine.startTcpServer(config);
        port = engine.tcpServerEndpoint().port;
    }
};

double modelAcceptPerSecond(ConcurrencyModel model, int count)
{
    EngineUnderTest server(model);
    QElapsedTimer clock;
    clock.start();
    Connector connector(server.port, count);
    const bool ok = pumpUntil([&] { return serverSideRecords(server.registry) >= count; });
    const double seconds = clock.nsecsElapsed() / 1e9;
    pumpUntil([&] { return connector.done(); });
    return ok ? count / seconds : 0;
}

// Process mode, end to end: each client connects, sends a line, reads the echo, closes; done
// when every worker process has ended and been reaped.
double processServeMs(int clients)
{
    EngineUnderTest server(ConcurrencyModel::ProcessPerClient);
    QElapsedTimer clock;
    clock.start();
    std::atomic<int> echoed = 0;
    std::thread driver([&] {
        for (int i = 0; i < clients; ++i) {
            const int fd = connectTo(server.port);
            if (fd < 0)
                continue;
            timeval tv{10, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            char buffer[16];
            if (::send(fd, "ping\n", 5, MSG_NOSIGNAL) == 5
                && ::recv(fd, buffer, 5, MSG_WAITALL) == 5)
                ++echoed;
            ::close(fd);
        }
    });
    std::atomic<bool> driverDone = false;
    std::thread watcher([&] {
        driver.join();
        driverDone = true;
    });
    const bool ok = pumpUntil([&] { return driverDone && server.engine.workerCount() == 0; });
    const double ms = clock.nsecsElapsed() / 1e6;
    watcher.join();
    if (!ok || echoed != clients)
        std::fprintf(stderr, "process mode: %d of %d clients echoed\n", echoed.load(), clients);
    return ms;
}

} // namespace

int main(int argc, char *argv[])
{
    if (isWorkerInvocation(argc, argv))
        return runWorker(argc, argv);
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption connections(QStringLiteral("connections"),
                                         QStringLiteral("Connections per model (default 500, "
                                                        "process mode at most 200)."),
                                         QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption serve(QStringLiteral("serve"),
                                   QStringLiteral("Clients for the process-mode serve run "
                                                  "(default 100)."),
                                   QStringLiteral("n"), QStringLiteral("100"));
    parser.addOptions({connections, serve});
    parser.process(app);
    const int count = qBound(10, parser.value(connections).toInt(), 5000);
    const int processCount = qMin(count, 200);
    const int serveCount = qBound(1, parser.value(serve).toInt(), 1000);

    rawAcceptPerSecond(count); // warm-up: first connections on a cold loopback cost more
    const double raw = rawAcceptPerSecond(count);
    std::printf("raw C accept loop:   %9.0f connections/s (%d connections)\n", raw, count);
    const struct
    {
        ConcurrencyModel model;
        int count;
    } runs[] = {{ConcurrencyModel::EventLoop, count},
                {ConcurrencyModel::ThreadPerClient, count},
                {ConcurrencyModel::ProcessPerClient, processCount}};
    for (const auto &run : runs) {
        const double rate = modelAcceptPerSecond(run.model, run.count);
        std::printf("%-20s %9.0f connections/s accepted+registered (%d), ratio to raw %.3f\n",
                    qPrintable(concurrencyModelName(run.model) + QLatin1Char(':')), rate, run.count,
                    raw > 0 ? rate / raw : 0.0);
    }
    const double ms = processServeMs(serveCount);
    std::printf("process mode: %d clients served (connect, one echo, close, worker reaped) "
                "in %.0f ms (%.2f ms per client)\n",
                serveCount, ms, ms / serveCount);
    return 0;
}
