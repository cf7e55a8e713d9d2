// SPDX-License-Identifier: MIT
// The real socketscope binary, headless: what its command line promises, checked from the
// outside through its exit codes, its messages and the state it exports.
#include "clirun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace SocketScope::Test;

namespace {

QJsonArray eventsIn(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
            .object()
            .value(QStringLiteral("events"))
            .toArray();
}

QJsonArray socketsIn(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
            .object()
            .value(QStringLiteral("sockets"))
            .toArray();
}

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void helpAndVersionNeedNoDisplay();
    void badInputSaysWhatToWrite_data();
    void badInputSaysWhatToWrite();
    void headlessRunExportsWhatItMade();
    void pausedAcceptingFillsTheAcceptQueue();
    void failedStartSaysSoAndExitsNonZero();
    void runtimeErrorIsSaidButDoesNotFail();
    void kernelFactsOnlyWhereTheKernelWasRead();
    void invalidBindAddressGetsOnlyItsError();
    void exposedBindWarnsOnceBound();
    void emptyPlatformVariableCountsAsUnset();
    void sigtermStillWritesTheExport();
    void hugeWorkerMessageDoesNotStopTheRun();

private:
    QTemporaryDir m_home;
};

void TestCommandLine::helpAndVersionNeedNoDisplay()
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SOCKETSCOPE_BINARY), {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    const QString help = QString::fromLocal8Bit(process.readAllStandardOutput());
    for (const char *option :
         {"--export-state", "--bind", "--clients", "--model", "--pause-accepting",
          "--connect-timeout", "--presentation", "--text-scale"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
    process.start(QStringLiteral(SOCKETSCOPE_BINARY), {QStringLiteral("--version")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().startsWith("SocketScope "));
    // With Qt's own GUI options too, as a lecturer types them for a headless run: those are
    // the window's business, not a reason to fail.
    for (const QStringList &arguments :
         {QStringList{QStringLiteral("-platform"), QStringLiteral("offscreen"),
                      QStringLiteral("--version")},
          QStringList{QStringLiteral("--version"), QStringLiteral("-platform=offscreen")},
          QStringList{QStringLiteral("-style"), QStringLiteral("fusion"),
                      QStringLiteral("-reverse"), QStringLiteral("--help")}}) {
        process.start(QStringLiteral(SOCKETSCOPE_BINARY), arguments);
        QVERIFY(process.waitForFinished(10000));
        const QByteArray out = process.readAllStandardOutput();
        QVERIFY2(process.exitCode() == 0,
                 qPrintable(arguments.join(QLatin1Char(' ')) + QLatin1String(": ")
                            + QString::fromLocal8Bit(process.readAllStandardError())));
        QVERIFY2(out.startsWith("SocketScope ") || out.contains("--connect-timeout"),
                 qPrintable(arguments.join(QLatin1Char(' '))));
    }
    // Without a display the window cannot open: say so, instead of Qt's abort.
    process.start(QStringLiteral(SOCKETSCOPE_BINARY), {});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("-platform offscreen"));
}

void TestCommandLine::badInputSaysWhatToWrite_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("advice");
    QTest::newRow("port") << QStringList{QStringLiteral("--tcp-port"), QStringLiteral("70000")}
                          << QStringLiteral("--tcp-port");
    QTest::newRow("address") << QStringList{QStringLiteral("--bind"), QStringLiteral("local host")}
                             << QStringLiteral("--bind");
    QTest::newRow("model") << QStringList{QStringLiteral("--model"), QStringLiteral("fork")}
                           << QStringLiteral("event-loop, thread or process");
    QTest::newRow("behaviour") << QStringList{QStringLiteral("--behaviour"),
                                              QStringLiteral("chargen")}
                               << QStringLiteral("--behaviour");
    QTest::newRow("image") << QStringList{QStringLiteral("--export-image"), QStringLiteral("a.bmp")}
                           << QStringLiteral(".png or .svg");
    QTest::newRow("clients") << QStringList{QStringLiteral("--clients"), QStringLiteral("-3")}
                             << QStringLiteral("--clients");
    QTest::newRow("connect timeout")
            << QStringList{QStringLiteral("--connect-timeout"), QStringLiteral("-1")}
            << QStringLiteral("--connect-timeout");
    for (const char *scale : {"4", "0.5", "big", "nan"})
        QTest::newRow(qPrintable(QStringLiteral("text scale %1").arg(QLatin1String(scale))))
                << QStringList{QStringLiteral("--text-scale"), QLatin1String(scale)}
                << QStringLiteral("--text-scale: '%1' is not a scale from 1 to 3")
                           .arg(QLatin1String(scale));
    // Clients of a server that is not started would dial whatever port the settings hold.
    QTest::newRow("tcp clients, no tcp")
            << QStringList{QStringLiteral("--no-tcp"), QStringLiteral("--clients"),
                           QStringLiteral("2")}
            << QStringLiteral("Drop --no-tcp, or drop --clients");
    QTest::newRow("udp clients, no udp")
            << QStringList{QStringLiteral("--no-udp"), QStringLiteral("--udp-clients"),
                           QStringLiteral("2")}
            << QStringLiteral("Drop --no-udp, or drop --udp-clients");
}

void TestCommandLine::badInputSaysWhatToWrite()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, advice);
    const Run run = runApp(arguments, m_home.path());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(advice), qPrintable(run.err));
}

void TestCommandLine::headlessRunExportsWhatItMade()
{
    const QString state = m_home.filePath(QStringLiteral("state.json"));
    const QString image = m_home.filePath(QStringLiteral("diagram.png"));
    const Run run = runApp(
            {QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--udp-port"),
             QStringLiteral("0"), QStringLiteral("--clients"), QStringLiteral("3"),
             QStringLiteral("--udp-clients"), QStringLiteral("2"), QStringLiteral("--quit-after"),
             QStringLiteral("1500"), QStringLiteral("--export-state"), state,
             QStringLiteral("--export-image"), image},
            m_home.path());
    QCOMPARE(run.exitCode, 0);
    QMap<QString, int> roles;
    for (const QJsonValue &socket : socketsIn(state)) {
        if (!socket.toObject().value(QStringLiteral("kernelOnly")).toBool())
            ++roles[socket.toObject().value(QStringLiteral("role")).toString()];
    }
    QCOMPARE(roles.value(QStringLiteral("tcp-client")), 3);
    QCOMPARE(roles.value(QStringLiteral("tcp-server-side")), 3);
    QCOMPARE(roles.value(QStringLiteral("udp-client")), 2);
    QVERIFY(!QImage(image).isNull());
}

void TestCommandLine::pausedAcceptingFillsTheAcceptQueue()
{
#if !SOCKETSCOPE_WITH_KERNEL_PROBE
    QSKIP("the accept queue is the kernel's to show; this build has no kernel probe");
#endif
    const QString state = m_home.filePath(QStringLiteral("paused.json"));
    const Run run
            = runApp({QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--no-udp"),
                      QStringLiteral("--pause-accepting"), QStringLiteral("--clients"),
                      QStringLiteral("3"), QStringLiteral("--quit-after"), QStringLiteral("1500"),
                      QStringLiteral("--export-state"), state},
                     m_home.path());
    QCOMPARE(run.exitCode, 0);
    int waiting = 0;
    qint64 listenerQueue = -1;
    for (const QJsonValue &value : socketsIn(state)) {
        const QJsonObject socket = value.toObject();
        const QString role = socket.value(QStringLiteral("role")).toString();
        if (role == QLatin1String("tcp-listener"))
            listenerQueue = socket.value(QStringLiteral("recvQ")).toInteger();
        // Completed by the kernel, never accepted: no program holds them yet.
        if (role == QLatin1String("tcp-server-side")
            && socket.value(QStringLiteral("kernelOnly")).toBool())
            ++waiting;
    }
    QCOMPARE(listenerQueue, 3);
    QCOMPARE(waiting, 3);
}

void TestCommandLine::failedStartSaysSoAndExitsNonZero()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(taken.serverPort());
    QProcessEnvironment env = appEnvironment(m_home.path());
    // The message must not depend on a logging category being on.
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
    const Run run
            = runApp({QStringLiteral("--tcp-port"), port, QStringLiteral("--udp-port"),
                      QStringLiteral("0"), QStringLiteral("--quit-after"), QStringLiteral("500")},
                     env);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("socketscope: ")), qPrintable(run.err));
    QVERIFY2(run.err.contains(port), qPrintable(run.err));
}

// An error during the run (here a peer that resets its connection) is said on stderr, where
// a script reads it, once; the run still succeeds: the program handled it and went on.
void TestCommandLine::runtimeErrorIsSaidButDoesNotFail()
{
    QTcpServer probe; // a port that was free just now
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    QProcessEnvironment env = appEnvironment(m_home.path());
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
    QProcess app;
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(SOCKETSCOPE_BINARY),
              {QStringLiteral("--tcp-port"), QString::number(port), QStringLiteral("--no-udp"),
               QStringLiteral("--quit-after"), QStringLiteral("3000")});
    QVERIFY(app.waitForStarted(10000));
    QTcpSocket peer;
    QElapsedTimer clock;
    clock.start();
    // Until the app listens (bounded by the clock), then RST: SO_LINGER 0 and close.
    do {
        peer.abort();
        peer.connectToHost(QHostAddress::LocalHost, port);
    } while (!peer.waitForConnected(200) && clock.elapsed() < 10000);
    QCOMPARE(peer.state(), QAbstractSocket::ConnectedState);
    const linger reset{1, 0};
    QCOMPARE(
            ::setsockopt(int(peer.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset),
            0);
    peer.abort();
    const Run run = finish(app);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.err.count(QStringLiteral("socketscope: Connection reset by peer")), 1);
}

// The build with the kernel probe exports the kernel's facts; the one without (what another
// system would run) says the kernel's view is missing and claims no kernel fact at all.
void TestCommandLine::kernelFactsOnlyWhereTheKernelWasRead()
{
    const QString state = m_home.filePath(QStringLiteral("kernel-or-not.json"));
    const Run run = runApp({QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--udp-port"), QStringLiteral("0"),
                            QStringLiteral("--clients"), QStringLiteral("2"),
                            QStringLiteral("--quit-after"), QStringLiteral("1500"),
                            QStringLiteral("--export-state"), state},
                           m_home.path());
    QCOMPARE(run.exitCode, 0);
    int withFacts = 0;
    for (const QJsonValue &socket : socketsIn(state))
        withFacts += socket.toObject().value(QStringLiteral("kernel")).isObject() ? 1 : 0;
    bool saidMissing = false;
    for (const QJsonValue &event : eventsIn(state))
        saidMissing = saidMissing
                      || event.toObject()
                                 .value(QStringLiteral("message"))
                                 .toString()
                                 .contains(QLatin1String("kernel's view is not available"));
#if SOCKETSCOPE_WITH_KERNEL_PROBE
    QVERIFY(withFacts >= 5); // listener, two clients, two accepted sockets
    QVERIFY(!saidMissing);
#else
    QCOMPARE(withFacts, 0);
    QVERIFY(saidMissing);
#endif
}

void TestCommandLine::invalidBindAddressGetsOnlyItsError()
{
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is nobody's address: the bind fails, nothing listens.
    const QString state = m_home.filePath(QStringLiteral("bind.json"));
    const Run run = runApp({QStringLiteral("--bind"), QStringLiteral("192.0.2.1"),
                            QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--udp-port"), QStringLiteral("0"),
                            QStringLiteral("--quit-after"), QStringLiteral("300"),
                            QStringLiteral("--export-state"), state},
                           m_home.path());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("socketscope: 192.0.2.1 is not an address of this "
                                             "machine")),
             qPrintable(run.err));
    const QJsonArray events = eventsIn(state);
    QVERIFY(!events.isEmpty());
    for (const QJsonValue &event : events) {
        const QString message = event.toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(!message.contains(QStringLiteral("reachable from other machines")),
                 qPrintable(message));
    }
}

void TestCommandLine::exposedBindWarnsOnceBound()
{
    // The any-address, bound in a network namespace of our own that has no interface but
    // a downed loopback: nothing outside can reach it, yet the app binds a non-loopback
    // address and has to warn.
    const QString state = m_home.filePath(QStringLiteral("exposed.json"));
    QProcess probe;
    probe.start(QStringLiteral("unshare"), {QStringLiteral("--net"), QStringLiteral("true")});
    if (!probe.waitForFinished(10000) || probe.exitStatus() != QProcess::NormalExit
        || probe.exitCode() != 0)
        QSKIP("needs unshare --net (root or user namespaces) for a network of its own");
    const Run run = runApp(
            {QStringLiteral("--net"), QStringLiteral(SOCKETSCOPE_BINARY), QStringLiteral("--bind"),
             QStringLiteral("0.0.0.0"), QStringLiteral("--tcp-port"), QStringLiteral("0"),
             QStringLiteral("--udp-port"), QStringLiteral("0"), QStringLiteral("--quit-after"),
             QStringLiteral("300"), QStringLiteral("--export-state"), state},
            appEnvironment(m_home.path()), QStringLiteral("unshare"));
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QStringList warnings;
    for (const QJsonValue &event : eventsIn(state)) {
        const QString message = event.toObject().value(QStringLiteral("message")).toString();
        if (message.contains(QStringLiteral("reachable from other machines")))
            warnings << message;
    }
    QCOMPARE(warnings.size(), 2);
    QVERIFY(warnings.at(0).startsWith(QStringLiteral("TCP server on 0.0.0.0")));
    QVERIFY(warnings.at(1).startsWith(QStringLiteral("UDP server on 0.0.0.0")));
}

void TestCommandLine::emptyPlatformVariableCountsAsUnset()
{
    QProcessEnvironment env = appEnvironment(m_home.path());
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QString());
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    // As if unset: with no display, our advice (Qt would abort on the empty plugin name).
    Run run = runApp({QStringLiteral("--quit-after"), QStringLiteral("300")}, env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("socketscope: no display found")),
             qPrintable(run.err));
    // ... and -platform still chooses.
    run = runApp({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                  QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--udp-port"),
                  QStringLiteral("0"), QStringLiteral("--quit-after"), QStringLiteral("300")},
                 env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
}

void TestCommandLine::sigtermStillWritesTheExport()
{
    // A port that was free a moment ago, so the test can see when the app is up.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString state = m_home.filePath(QStringLiteral("killed.json"));
    QProcess app;
    app.setProcessEnvironment(appEnvironment(m_home.path()));
    app.start(QStringLiteral(SOCKETSCOPE_BINARY),
              {QStringLiteral("--tcp-port"), QString::number(port), QStringLiteral("--udp-port"),
               QStringLiteral("0"), QStringLiteral("--export-state"), state});
    QVERIFY(app.waitForStarted(10000));
    bool answered = false;
    for (int attempt = 0; attempt < 100 && !answered && app.state() == QProcess::Running;
         ++attempt) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        answered = socket.waitForConnected(100);
        if (!answered)
            app.waitForFinished(100); // neither a sleep nor a busy loop: the app may end
    }
    QVERIFY2(answered, app.readAllStandardError().constData());
    app.terminate(); // SIGTERM
    const Run run = finish(app, 10000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    bool sawSignal = false;
    for (const QJsonValue &event : eventsIn(state))
        sawSignal |= event.toObject().value(QStringLiteral("message")).toString()
                     == QLatin1String("SIGTERM received: quitting.");
    QVERIFY(sawSignal);
}

void TestCommandLine::hugeWorkerMessageDoesNotStopTheRun()
{
    // A worker process that reports its client's end with a 1.5 MB detail; the window
    // (offscreen, but laid out all the same) logs it. --quit-after must still end the run
    // on time, and the export must be written.
    const QString state = m_home.filePath(QStringLiteral("hostile.json"));
    QElapsedTimer clock;
    clock.start();
    const Run run = runApp({QStringLiteral("--model"), QStringLiteral("process"),
                            QStringLiteral("--worker-program"), QStringLiteral(HOSTILE_WORKER),
                            QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--no-udp"), QStringLiteral("--clients"),
                            QStringLiteral("1"), QStringLiteral("--quit-after"),
                            QStringLiteral("1500"), QStringLiteral("--export-state"), state},
                           m_home.path());
    qInfo("headless run with a 1.5 MB worker message took %lld ms (--quit-after 1500)",
          clock.elapsed());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QString lost;
    for (const QJsonValue &event : eventsIn(state)) {
        const QString message = event.toObject().value(QStringLiteral("message")).toString();
        if (message.startsWith(QStringLiteral("The worker lost the connection")))
            lost = message;
    }
    QVERIFY2(!lost.isEmpty(), "the worker's report is not in the export");
    QVERIFY2(lost.size() <= 1000, qPrintable(QString::number(lost.size())));
    QVERIFY(lost.contains(QStringLiteral("more characters)")));
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
