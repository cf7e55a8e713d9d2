// SPDX-License-Identifier: MIT
// The TCP server's concurrency models against the kernel's own view: who owns each
// accepted socket (pid, thread), echo through workers, faults, and clean shutdown.
#include "nettesthelpers.h"

#include "eventlog.h"
#include "netlinksocketsource.h"
#include "netutil.h"
#include "networkengine.h"
#include "pidresolver.h"
#include "socketregistry.h"
#include "workerprocess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <memory>
#include <sys/resource.h>
#include <vector>

using namespace SocketScope;
using namespace SocketScope::TestHelpers;

namespace {

void pump()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

QList<const SocketRecord *> serverSide(const SocketRegistry &registry)
{
    QList<const SocketRecord *> result;
    for (SocketId id : registry.ids()) {
        const SocketRecord *record = registry.find(id);
        if (record->role == SocketRole::TcpServerSide && record->isOpen() && !record->kernelOnly)
            result.append(record);
    }
    return result;
}

// The kernel's sockets on `port` with their owning pid, read the way the app reads them.
KernelSnapshot kernelView(quint16 port)
{
    NetlinkSocketSource source;
    KernelFilter filter;
    filter.ports = {port};
    filter.udp = false;
    QString error;
    std::optional<KernelSnapshot> snapshot = source.read(filter, &error);
    if (!snapshot)
        return {};
    PidResolver resolver;
    resolver.resolve(&*snapshot);
    return *snapshot;
}

// pid of the kernel's established socket with local port `port` and this remote port.
qint64 kernelOwner(const KernelSnapshot &snapshot, quint16 port, quint16 remotePort)
{
    for (const KernelSocket &socket : snapshot) {
        if (socket.local.port == port && socket.remote && socket.remote->port == remotePort
            && socket.facts.state == SocketState::Established)
            return socket.facts.pid;
    }
    return -1;
}

qint64 parentOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    // "pid (comm) S ppid ...": comm may hold spaces, so start after the last ')'.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() : -1;
}

// Every process whose parent is us, zombies included (they keep their /proc entry).
QList<qint64> childrenOfSelf()
{
    QList<qint64> children;
    const qint64 self = QCoreApplication::applicationPid();
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (isPid && parentOf(pid) == self)
            children.append(pid);
    }
    return children;
}

int workerThreadsOfSelf()
{
    int count = 0;
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs);
    for (const QString &task : tasks) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(task));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "client-worker")
            ++count;
    }
    return count;
}

// Socket inodes a process holds, from its /proc/<pid>/fd links.
QSet<quint64> socketInodesOf(qint64 pid)
{
    QSet<quint64> inodes;
    const QString dir = QStringLiteral("/proc/%1/fd").arg(pid);
    const QStringList fds = QDir(dir).entryList(QDir::System | QDir::NoDotAndDotDot);
    for (const QString &fd : fds) {
        const QString target = QFileInfo(dir + QLatin1Char('/') + fd).symLinkTarget();
        const QString name = QFileInfo(target).fileName();
        if (name.startsWith(QLatin1String("socket:[")))
            inodes.insert(name.mid(8, name.size() - 9).toULongLong());
    }
    return inodes;
}

bool logContains(const EventLog &log, const QString &text)
{
    for (const LogEvent &event : log.events()) {
        if (event.message.contains(text))
            return true;
    }
    return false;
}

} // namespace

class TestConcurrencyModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void names();
    void clientsGetOwnServerSockets_data();
    void clientsGetOwnServerSockets();
    void echoThroughWorker_data();
    void echoThroughWorker();
    void childHoldsOnlyItsClient();
    void childClosesEveryInheritedDescriptor();
    void killedWorkerResetsOnlyItsClient();
    void noWorkerOutlivesEngine_data();
    void noWorkerOutlivesEngine();
    void switchingKeepsExistingConnections();
    void workerLimit_data();
    void workerLimit();
    void actionsForwarded_data();
    void actionsForwarded();
    void badWorkerProgram();

private:
    void startServer(ConcurrencyModel model);

    std::unique_ptr<SocketRegistry> m_registry;
    std::unique_ptr<EventLog> m_log;
    std::unique_ptr<NetworkEngine> m_engine;
    quint16 m_port = 0;
};

void TestConcurrencyModel::init()
{
    m_registry = std::make_unique<SocketRegistry>();
    m_log = std::make_unique<EventLog>();
    m_engine = std::make_unique<NetworkEngine>(*m_registry, *m_log);
    // This test binary answers --worker itself (see main() below), as the app does.
    m_engine->setWorkerCommand(
            {QCoreApplication::applicationFilePath(), {QStringLiteral("--worker")}});
}

void TestConcurrencyModel::cleanup()
{
    m_engine.reset();
    QCOMPARE(m_registry->count(), qsizetype(0));
    QCOMPARE(childrenOfSelf(), QList<qint64>());
    m_log.reset();
    m_registry.reset();
}

void TestConcurrencyModel::startServer(ConcurrencyModel model)
{
    m_engine->setTcpModel(model);
    TcpServerConfig config;
    config.port = 0;
    QVERIFY(!m_engine->startTcpServer(config).isError());
    m_port = m_engine->tcpServerEndpoint().port;
    QVERIFY(m_port != 0);
}

void TestConcurrencyModel::names()
{
    for (ConcurrencyModel model : {ConcurrencyModel::EventLoop, ConcurrencyModel::ThreadPerClient,
                                   ConcurrencyModel::ProcessPerClient})
        QCOMPARE(concurrencyModelFromName(concurrencyModelName(model)), model);
    QCOMPARE(concurrencyModelFromName(QStringLiteral(" Process ")),
             ConcurrencyModel::ProcessPerClient);
    QCOMPARE(concurrencyModelFromName(QStringLiteral("fork")), std::nullopt);
    QCOMPARE(udpModelFromName(QStringLiteral("connected")), UdpModel::ConnectedPerClient);
    QCOMPARE(udpModelFromName(QStringLiteral("single")), UdpModel::Single);
    QCOMPARE(udpModelFromName(QString()), std::nullopt);
}

void TestConcurrencyModel::clientsGetOwnServerSockets_data()
{
    QTest::addColumn<ConcurrencyModel>("model");
    QTest::newRow("event-loop") << ConcurrencyModel::EventLoop;
    QTest::newRow("thread") << ConcurrencyModel::ThreadPerClient;
    QTest::newRow("process") << ConcurrencyModel::ProcessPerClient;
}

void TestConcurrencyModel::clientsGetOwnServerSockets()
{
    QFETCH(ConcurrencyModel, model);
    constexpr int Clients = 3;
    startServer(model);
    const SpawnResult spawned = m_engine->spawnTcpClients(Clients);
    QVERIFY2(spawned.complete(), qPrintable(spawned.stopReason.message));
    QTRY_COMPARE_WITH_TIMEOUT(serverSide(*m_registry).size(), qsizetype(Clients), 10000);
    if (model == ConcurrencyModel::ThreadPerClient) {
        // The tid arrives once each thread has adopted its socket.
        QTRY_VERIFY_WITH_TIMEOUT(
                [this] {
                    for (const SocketRecord *record : serverSide(*m_registry)) {
                        if (record->threadId == 0)
                            return false;
                    }
                    return true;
                }(),
                10000);
    }

    const qint64 self = QCoreApplication::applicationPid();
    QSet<qint64> pids;
    QSet<qint64> threads;
    const QList<const SocketRecord *> records = serverSide(*m_registry);
    for (const SocketRecord *record : records) {
        QCOMPARE(record->local.port, m_port); // all on the listener's port
        QVERIFY(record->remote.has_value());
        pids.insert(record->pid);
        threads.insert(record->threadId);
        switch (model) {
        case ConcurrencyModel::EventLoop:
            QCOMPARE(record->pid, self);
            QCOMPARE(record->threadId, qint64(0));
            break;
        case ConcurrencyModel::ThreadPerClient:
            QCOMPARE(record->pid, self);
            QVERIFY(record->threadId != 0 && record->threadId != self);
            QVERIFY(QFileInfo::exists(QStringLiteral("/proc/self/task/%1").arg(record->threadId)));
            break;
        case ConcurrencyModel::ProcessPerClient:
            QVERIFY(record->pid != self);
            QCOMPARE(parentOf(record->pid), self);
            QCOMPARE(record->threadId, qint64(0));
            break;
        }
    }
    if (model == ConcurrencyModel::ThreadPerClient)
        QCOMPARE(threads.size(), qsizetype(Clients));
    if (model == ConcurrencyModel::ProcessPerClient)
        QCOMPARE(pids.size(), qsizetype(Clients));

    // The kernel agrees: each established server-side socket is owned by the pid its
    // record names, and the listener by us.
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const KernelSnapshot snapshot = kernelView(m_port);
                for (const SocketRecord *record : serverSide(*m_registry)) {
                    if (kernelOwner(snapshot, m_port, record->remote->port) != record->pid)
                        return false;
                }
                for (const KernelSocket &socket : snapshot) {
                    if (socket.facts.state == SocketState::Listen && socket.local.port == m_port)
                        return socket.facts.pid == self;
                }
                return false;
            }(),
            5000);
}

void TestConcurrencyModel::echoThroughWorker_data()
{
    QTest::addColumn<ConcurrencyModel>("model");
    QTest::newRow("thread") << ConcurrencyModel::ThreadPerClient;
    QTest::newRow("process") << ConcurrencyModel::ProcessPerClient;
}

void TestConcurrencyModel::echoThroughWorker()
{
    QFETCH(ConcurrencyModel, model);
    startServer(model);
    Fd client = rawTcpConnect(m_port);
    QVERIFY(client.valid());
    const QByteArray line("through a worker\n");
    QVERIFY(rawSendAll(client.get(), line));
    const RawRead echoed = rawRead(client.get(), line.size(), 10000, pump);
    QCOMPARE(echoed.data, line);
    QTRY_COMPARE_WITH_TIMEOUT(serverSide(*m_registry).size(), qsizetype(1), 5000);
    const SocketId id = serverSide(*m_registry).constFirst()->id;
    QTRY_COMPARE_WITH_TIMEOUT(m_registry->find(id)->bytesReceived, quint64(line.size()), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_registry->find(id)->bytesSent, quint64(line.size()), 5000);

    // The client's orderly close ends the worker; its record goes, it exits cleanly.
    client.reset();
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(0), 10000);
    QVERIFY(!m_registry->contains(id));
    QVERIFY(!logContains(*m_log, QStringLiteral("exited with")));
    QVERIFY(logContains(*m_log, QStringLiteral("The peer closed the connection (FIN).")));
}

void TestConcurrencyModel::childHoldsOnlyItsClient()
{
    startServer(ConcurrencyModel::ProcessPerClient);
    Fd client = rawTcpConnect(m_port);
    QVERIFY(client.valid());
    QVERIFY(rawSendAll(client.get(), "x\n"));
    QCOMPARE(rawRead(client.get(), 2, 10000, pump).data, QByteArray("x\n"));
    QCOMPARE(serverSide(*m_registry).size(), qsizetype(1));
    const qint64 child = serverSide(*m_registry).constFirst()->pid;

    quint64 listenerInode = 0;
    quint64 serverSideInode = 0;
    const quint16 clientPort = localPortOf(client.get());
    for (const KernelSocket &socket : kernelView(m_port)) {
        if (socket.facts.state == SocketState::Listen && socket.local.port == m_port)
            listenerInode = socket.facts.inode;
        if (socket.local.port == m_port && socket.remote && socket.remote->port == clientPort)
            serverSideInode = socket.facts.inode;
    }
    QVERIFY(listenerInode != 0);
    QVERIFY(serverSideInode != 0);
    const QSet<quint64> childSockets = socketInodesOf(child);
    const QSet<quint64> ourSockets = socketInodesOf(QCoreApplication::applicationPid());
    // The child: its client's socket and its channel to us, never the listener.
    QVERIFY(childSockets.contains(serverSideInode));
    QVERIFY(!childSockets.contains(listenerInode));
    QCOMPARE(childSockets.size(), qsizetype(2));
    // Us: the listener, not the established socket we handed over.
    QVERIFY(ourSockets.contains(listenerInode));
    QVERIFY(!ourSockets.contains(serverSideInode));
}

// A worker closes whatever it inherited, however many: the sweep once stopped at 1024, and
// with 1100 descriptors open in the parent the child kept the rest.
void TestConcurrencyModel::childClosesEveryInheritedDescriptor()
{
    rlimit limit{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_max < 1400)
        QSKIP("the hard descriptor limit is below 1400");
    const rlimit saved = limit;
    limit.rlim_cur = limit.rlim_max;
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    auto restore = qScopeGuard([&saved] { ::setrlimit(RLIMIT_NOFILE, &saved); });
    // Without O_CLOEXEC on purpose: what a careless library would leave to every child.
    std::vector<Fd> inherited;
    for (int i = 0; i < 1100; ++i) {
        inherited.emplace_back(::open("/dev/null", O_RDONLY));
        QVERIFY(inherited.back().valid());
    }
    startServer(ConcurrencyModel::ProcessPerClient);
    Fd client = rawTcpConnect(m_port);
    QVERIFY(client.valid());
    QVERIFY(rawSendAll(client.get(), "x\n"));
    QCOMPARE(rawRead(client.get(), 2, 10000, pump).data, QByteArray("x\n"));
    const qint64 child = serverSide(*m_registry).constFirst()->pid;
    const QStringList fds = QDir(QStringLiteral("/proc/%1/fd").arg(child))
                                    .entryList(QDir::System | QDir::NoDotAndDotDot);
    // stdin/out/err, the channel, the client's socket and Qt's own few (eventfd, ...).
    QVERIFY2(fds.size() <= 12, qPrintable(QString::number(fds.size())));
}

void TestConcurrencyModel::killedWorkerResetsOnlyItsClient()
{
    constexpr int Clients = 3;
    startServer(ConcurrencyModel::ProcessPerClient);
    std::vector<Fd> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(rawTcpConnect(m_port));
        QVERIFY(clients.back().valid());
        QVERIFY(rawSendAll(clients.back().get(), "hi\n"));
        QCOMPARE(rawRead(clients.back().get(), 3, 10000, pump).data, QByteArray("hi\n"));
    }
    QCOMPARE(m_engine->workerCount(), qsizetype(Clients));
    const quint16 victimPort = localPortOf(clients[1].get());
    const SocketRecord *victim = nullptr;
    for (const SocketRecord *record : serverSide(*m_registry)) {
        if (record->remote->port == victimPort)
            victim = record;
    }
    QVERIFY(victim);
    const SocketId victimId = victim->id;
    const qint64 victimPid = victim->pid;
    QSignalSpy errors(m_engine.get(), &NetworkEngine::errorOccurred);
    QCOMPARE(::kill(static_cast<pid_t>(victimPid), SIGKILL), 0);

    const RawRead afterKill = rawRead(clients[1].get(), 1, 10000, pump);
    QCOMPARE(afterKill.lastErrno, ECONNRESET);
    QTRY_VERIFY_WITH_TIMEOUT(!m_registry->contains(victimId), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(Clients - 1), 10000);
    QVERIFY(logContains(*m_log, QStringLiteral("Worker pid %1 exited with signal 9; its client "
                                               "was reset.")
                                        .arg(victimPid)));
    QVERIFY(!errors.isEmpty());
    // Reaped: no zombie left behind.
    QTRY_VERIFY_WITH_TIMEOUT(!childrenOfSelf().contains(victimPid), 5000);

    for (int i : {0, 2}) {
        QVERIFY(rawSendAll(clients[i].get(), "still here\n"));
        QCOMPARE(rawRead(clients[i].get(), 11, 10000, pump).data, QByteArray("still here\n"));
    }
}

void TestConcurrencyModel::noWorkerOutlivesEngine_data()
{
    QTest::addColumn<ConcurrencyModel>("model");
    QTest::newRow("thread") << ConcurrencyModel::ThreadPerClient;
    QTest::newRow("process") << ConcurrencyModel::ProcessPerClient;
}

void TestConcurrencyModel::noWorkerOutlivesEngine()
{
    QFETCH(ConcurrencyModel, model);
    constexpr int Clients = 4;
    startServer(model);
    std::vector<Fd> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(rawTcpConnect(m_port));
        QVERIFY(clients.back().valid());
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(Clients), 10000);
    if (model == ConcurrencyModel::ProcessPerClient)
        QTRY_COMPARE_WITH_TIMEOUT(childrenOfSelf().size(), qsizetype(Clients), 10000);
    else
        QTRY_COMPARE_WITH_TIMEOUT(workerThreadsOfSelf(), Clients, 10000);

    m_engine.reset();
    // Nothing is left, not even a zombie: the engine reaped every child before returning.
    QCOMPARE(childrenOfSelf(), QList<qint64>());
    // QThread::wait() returns when the thread's work is done; Qt's threads are detached, so
    // the kernel may list the task for a moment longer while it unwinds.
    QTRY_COMPARE_WITH_TIMEOUT(workerThreadsOfSelf(), 0, 2000);
    QCOMPARE(m_registry->count(), qsizetype(0));
    for (const Fd &client : clients) {
        const RawRead end = rawRead(client.get(), 1, 5000, [] {});
        QVERIFY(end.eof || end.lastErrno == ECONNRESET);
    }
}

void TestConcurrencyModel::switchingKeepsExistingConnections()
{
    startServer(ConcurrencyModel::EventLoop);
    Fd first = rawTcpConnect(m_port);
    QVERIFY(first.valid());
    QTRY_COMPARE_WITH_TIMEOUT(serverSide(*m_registry).size(), qsizetype(1), 5000);
    m_engine->setTcpModel(ConcurrencyModel::ProcessPerClient);
    QCOMPARE(m_engine->tcpModel(), ConcurrencyModel::ProcessPerClient);
    Fd second = rawTcpConnect(m_port);
    QVERIFY(second.valid());
    QTRY_COMPARE_WITH_TIMEOUT(serverSide(*m_registry).size(), qsizetype(2), 10000);

    const qint64 self = QCoreApplication::applicationPid();
    for (const SocketRecord *record : serverSide(*m_registry)) {
        if (record->remote->port == localPortOf(first.get()))
            QCOMPARE(record->pid, self);
        else
            QCOMPARE(parentOf(record->pid), self);
    }
    for (Fd *client : {&first, &second}) {
        QVERIFY(rawSendAll(client->get(), "both\n"));
        QCOMPARE(rawRead(client->get(), 5, 10000, pump).data, QByteArray("both\n"));
    }
}

void TestConcurrencyModel::workerLimit_data()
{
    QTest::addColumn<ConcurrencyModel>("model");
    QTest::newRow("thread") << ConcurrencyModel::ThreadPerClient;
    QTest::newRow("process") << ConcurrencyModel::ProcessPerClient;
}

void TestConcurrencyModel::workerLimit()
{
    QFETCH(ConcurrencyModel, model);
    QVERIFY(m_engine->setWorkerLimit(0).isError());
    QVERIFY(!m_engine->setWorkerLimit(2).isError());
    QCOMPARE(m_engine->workerLimit(), 2);
    startServer(model);
    QSignalSpy errors(m_engine.get(), &NetworkEngine::errorOccurred);
    Fd a = rawTcpConnect(m_port);
    Fd b = rawTcpConnect(m_port);
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(2), 10000);
    Fd refused = rawTcpConnect(m_port);
    QVERIFY(refused.valid()); // the kernel completed the handshake; we close at once
    const RawRead end = rawRead(refused.get(), 1, 10000, pump);
    QVERIFY(end.eof);
    QVERIFY(end.data.isEmpty());
    QCOMPARE(m_engine->workerCount(), qsizetype(2));
    bool limitReported = false;
    for (const QList<QVariant> &arguments : std::as_const(errors))
        limitReported |= arguments.constFirst().value<NetErrorInfo>().error
                         == NetError::WorkerLimitReached;
    QVERIFY(limitReported);
    QVERIFY(logContains(*m_log, QStringLiteral("Worker limit reached")));
    // The two served ones are unaffected.
    QVERIFY(rawSendAll(a.get(), "a\n"));
    QCOMPARE(rawRead(a.get(), 2, 10000, pump).data, QByteArray("a\n"));
}

void TestConcurrencyModel::actionsForwarded_data()
{
    QTest::addColumn<ConcurrencyModel>("model");
    QTest::newRow("thread") << ConcurrencyModel::ThreadPerClient;
    QTest::newRow("process") << ConcurrencyModel::ProcessPerClient;
}

void TestConcurrencyModel::actionsForwarded()
{
    QFETCH(ConcurrencyModel, model);
    startServer(model);
    Fd client = rawTcpConnect(m_port);
    QVERIFY(client.valid());
    QTRY_COMPARE_WITH_TIMEOUT(serverSide(*m_registry).size(), qsizetype(1), 10000);
    const SocketId id = serverSide(*m_registry).constFirst()->id;
    const SocketActions actions = m_engine->availableActions(id);
    QVERIFY(actions.testFlag(SocketAction::SendText));
    QVERIFY(actions.testFlag(SocketAction::HalfClose));
    QVERIFY(actions.testFlag(SocketAction::Close));
    QVERIFY(actions.testFlag(SocketAction::Abort));
    QVERIFY(!actions.testFlag(SocketAction::SendBurst));

    QVERIFY(!m_engine->sendText(id, QStringLiteral("from the server")).isError());
    QCOMPARE(rawRead(client.get(), 16, 10000, pump).data, QByteArray("from the server\n"));
    QTRY_COMPARE_WITH_TIMEOUT(m_registry->find(id)->bytesSent, quint64(16), 5000);

    QVERIFY(!m_engine->halfClose(id).isError());
    QVERIFY(!m_engine->availableActions(id).testFlag(SocketAction::SendText));
    const RawRead eof = rawRead(client.get(), 1, 10000, pump);
    QVERIFY(eof.eof);
    // Half-closed: it still reads (and counts) what the client sends.
    QVERIFY(rawSendAll(client.get(), "late\n"));
    QTRY_COMPARE_WITH_TIMEOUT(m_registry->find(id)->bytesReceived, quint64(5), 5000);

    QVERIFY(!m_engine->abort(id).isError());
    QTRY_VERIFY_WITH_TIMEOUT(!m_registry->contains(id), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(0), 10000);
    QVERIFY(m_engine->availableActions(id) == SocketActions());
}

void TestConcurrencyModel::badWorkerProgram()
{
    m_engine->setWorkerCommand({QStringLiteral("/nonexistent/socketscope"), {}});
    startServer(ConcurrencyModel::ProcessPerClient);
    QSignalSpy errors(m_engine.get(), &NetworkEngine::errorOccurred);
    Fd client = rawTcpConnect(m_port);
    QVERIFY(client.valid());
    const RawRead end = rawRead(client.get(), 1, 10000, pump);
    QVERIFY(end.eof || end.lastErrno == ECONNRESET);
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->workerCount(), qsizetype(0), 10000);
    QVERIFY(!errors.isEmpty());
}

int main(int argc, char *argv[])
{
    // Started again by the engine as a worker: serve, as the app binary would.
    if (isWorkerInvocation(argc, argv))
        return runWorker(argc, argv);
    QCoreApplication app(argc, argv);
    TestConcurrencyModel test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_concurrencymodel.moc"
