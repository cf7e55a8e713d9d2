// SPDX-License-Identifier: MIT
// Exports into what is not a regular file, through the real binary: a FIFO stays a FIFO and
// its reader gets the bytes, a device stays a device, a directory is refused, and each
// failure is a "socketscope: ..." line with a non-zero exit code.
#include "clirun.h"
#include "eventjournal.h"
#include "filetesthelpers.h"
#include "stateexporter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace SocketScope::Test;

class TestCliExports : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportIntoFifoKeepsTheFifo();
    void exportIntoFifoWithoutReaderFails();
    void exportIntoDeviceKeepsTheDevice_data();
    void exportIntoDeviceKeepsTheDevice();
    void exportIntoDirectoryIsRefused();
    void journalExportReplaysToTheStateExport();

private:
    QTemporaryDir m_home;
};

void TestCliExports::exportIntoFifoKeepsTheFifo()
{
    const QString fifo = m_home.filePath(QStringLiteral("state.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    // Our read end is open before the app starts, so the app always finds a reader.
    const int reader = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK);
    QVERIFY(reader >= 0);
    QProcess app;
    app.setProcessEnvironment(appEnvironment(m_home.path()));
    app.start(QStringLiteral(SOCKETSCOPE_BINARY),
              {QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--udp-port"),
               QStringLiteral("0"), QStringLiteral("--clients"), QStringLiteral("2"),
               QStringLiteral("--quit-after"), QStringLiteral("500"),
               QStringLiteral("--export-state"), fifo});
    QByteArray json;
    char chunk[65536];
    // Drain while the app runs (it waits when the pipe is full); bounded to 30 s.
    for (int turn = 0; turn < 1500; ++turn) {
        const bool ended = app.waitForFinished(20) || app.state() == QProcess::NotRunning;
        ssize_t n = 0;
        while ((n = ::read(reader, chunk, sizeof chunk)) > 0)
            json.append(chunk, n);
        if (ended)
            break;
    }
    ::close(reader);
    const Run run = finish(app, 1000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(document.object().value(QStringLiteral("version")).toInt(), 1);
    QVERIFY(document.object().value(QStringLiteral("sockets")).toArray().size() >= 5);
}

void TestCliExports::exportIntoFifoWithoutReaderFails()
{
    const QString fifo = m_home.filePath(QStringLiteral("unread.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const Run run = runApp({QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--udp-port"), QStringLiteral("0"),
                            QStringLiteral("--quit-after"), QStringLiteral("300"),
                            QStringLiteral("--export-state"), fifo},
                           m_home.path());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("socketscope: Cannot write ") + fifo
                              + QStringLiteral(": it is a FIFO and nothing reads from it")),
             qPrintable(run.err));
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));
}

void TestCliExports::exportIntoDeviceKeepsTheDevice_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("advice");
    const QString dir = m_home.path();
    QTest::newRow("state to null")
            << QStringLiteral("--export-state") << SocketScope::Test::deviceLike(dir, "null", 3)
            << 0 << QString();
    QTest::newRow("state to full")
            << QStringLiteral("--export-state") << SocketScope::Test::deviceLike(dir, "full", 7)
            << 1 << QStringLiteral("no space left on the device");
    QTest::newRow("png to full") << QStringLiteral("--export-image")
                                 << SocketScope::Test::deviceLike(dir, "full.png", 7) << 1
                                 << QStringLiteral("no space left on the device");
}

void TestCliExports::exportIntoDeviceKeepsTheDevice()
{
    QFETCH(QString, option);
    QFETCH(QString, path);
    QFETCH(int, exitCode);
    QFETCH(QString, advice);
    if (path.startsWith(QLatin1String("/dev/")) && !QFile::exists(path))
        QSKIP("no such device here, and none can be made");
    const Run run = runApp({QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--udp-port"), QStringLiteral("0"),
                            QStringLiteral("--quit-after"), QStringLiteral("300"), option, path},
                           m_home.path());
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.err));
    if (!advice.isEmpty())
        QVERIFY2(run.err.contains(QStringLiteral("socketscope: Cannot write %1: ").arg(path))
                         && run.err.contains(advice),
                 qPrintable(run.err));
    QCOMPARE(typeOf(path), mode_t(S_IFCHR));
}

void TestCliExports::exportIntoDirectoryIsRefused()
{
    const QString dir = m_home.filePath(QStringLiteral("exports"));
    QVERIFY(QDir(m_home.path()).mkpath(QStringLiteral("exports")));
    const Run run = runApp({QStringLiteral("--tcp-port"), QStringLiteral("0"),
                            QStringLiteral("--udp-port"), QStringLiteral("0"),
                            QStringLiteral("--quit-after"), QStringLiteral("300"),
                            QStringLiteral("--export-state"), dir},
                           m_home.path());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("socketscope: Cannot write %1: it is a directory; "
                                             "give a file name.")
                                      .arg(dir)),
             qPrintable(run.err));
    QCOMPARE(typeOf(dir), mode_t(S_IFDIR));
}

// The journal of a real run holds everything in order, and replaying it gives exactly the
// sockets the state export of the same moment lists.
void TestCliExports::journalExportReplaysToTheStateExport()
{
    const QString journalPath = m_home.filePath(QStringLiteral("run.jsonl"));
    const QString statePath = m_home.filePath(QStringLiteral("run.json"));
    const Run run = runApp(
            {QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--udp-port"),
             QStringLiteral("0"), QStringLiteral("--clients"), QStringLiteral("3"),
             QStringLiteral("--udp-clients"), QStringLiteral("2"), QStringLiteral("--quit-after"),
             QStringLiteral("1500"), QStringLiteral("--export-journal"), journalPath,
             QStringLiteral("--export-state"), statePath},
            m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QFile journalFile(journalPath);
    QVERIFY(journalFile.open(QIODevice::ReadOnly));
    QString error;
    const std::unique_ptr<SocketScope::EventJournal> journal
            = SocketScope::EventJournal::fromJsonLines(journalFile.readAll(), &error);
    QVERIFY2(journal, qPrintable(error));
    QCOMPARE(journal->firstSeq(), quint64(1));
    QCOMPARE(journal->droppedEvents(), quint64(0));

    using SocketScope::EventKind;
    const QList<SocketScope::SocketEvent> events = journal->range(1, journal->lastSeq());
    QCOMPARE(events.constFirst().kind, EventKind::Message); // "SocketScope ... started"
    QVERIFY(events.constFirst().text.contains(QStringLiteral("started")));
    QHash<quint16, quint64> connectAt; // client port -> when its connect started
    quint64 listeningAt = 0;
    int accepted = 0, connected = 0;
    for (const SocketScope::SocketEvent &event : events) {
        if (event.kind == EventKind::Listening)
            listeningAt = event.seq;
        if (event.kind == EventKind::ConnectStarted)
            connectAt.insert(event.local.port, event.seq);
        if (event.kind == EventKind::Accepted && !event.record->kernelOnly) {
            ++accepted;
            QVERIFY(listeningAt > 0 && listeningAt < event.seq);
            // The client's connect was journalled before the server accepted it, if the
            // client's port was known then (it is, once connect() has bound it).
            QVERIFY(!event.remote || connectAt.value(event.remote->port, 0) < event.seq);
        }
        connected += event.kind == EventKind::StateChanged
                     && event.source == SocketScope::StateSource::Qt
                     && event.from == SocketScope::SocketState::SynSent
                     && event.to == SocketScope::SocketState::Established;
    }
    QCOMPARE(accepted, 3);
    QCOMPARE(connected, 3); // each client's SYN_SENT -> ESTABLISHED, as Qt saw it

    QFile stateFile(statePath);
    QVERIFY(stateFile.open(QIODevice::ReadOnly));
    const QJsonObject state = QJsonDocument::fromJson(stateFile.readAll()).object();
    SocketScope::SocketRegistry replayed;
    QVERIFY(journal->restore(journal->lastSeq(), replayed));
    QCOMPARE(SocketScope::StateExporter::toJson(replayed).value(QStringLiteral("sockets")),
             state.value(QStringLiteral("sockets")));
    // Every line of the log is in the journal, in the same order.
    QStringList logLines, journalled;
    for (const QJsonValue &line : state.value(QStringLiteral("events")).toArray())
        logLines << line.toObject().value(QStringLiteral("message")).toString();
    QStringList commands;
    for (const SocketScope::SocketEvent &event : events) {
        if (event.isLogLine())
            journalled << event.text;
        if (event.kind == EventKind::UserCommand)
            commands << event.text;
    }
    QCOMPARE(journalled, logLines);
    // What was asked for is journalled as commands, before what it did.
    QCOMPARE(commands.filter(QStringLiteral("Start the TCP server on 127.0.0.1")).size(), 1);
    QCOMPARE(commands.filter(QStringLiteral("Start the UDP server on 127.0.0.1")).size(), 1);
    QVERIFY2(commands.contains(QStringLiteral("Spawn 3 TCP clients")),
             qPrintable(commands.join(u'|')));
    QVERIFY2(commands.contains(QStringLiteral("Spawn 2 UDP clients")),
             qPrintable(commands.join(u'|')));
}

QTEST_GUILESS_MAIN(TestCliExports)
#include "tst_cliexports.moc"
