// SPDX-License-Identifier: MIT
// The real socketscope binary, headless: what its command line promises, checked from the
// outside through its exit codes, its messages and the state it exports.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runApp(const QStringList &arguments, const QString &home)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home); // never the user's settings
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SOCKETSCOPE_BINARY), arguments);
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromLocal8Bit(process.readAllStandardOutput()),
            QString::fromLocal8Bit(process.readAllStandardError())};
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
         {"--export-state", "--bind", "--clients", "--model", "--pause-accepting"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
    process.start(QStringLiteral(SOCKETSCOPE_BINARY), {QStringLiteral("--version")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().startsWith("SocketScope "));
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

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
