// SPDX-License-Identifier: MIT
#include "socketregistry.h"
#include "stateexporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace SocketScope;

class TestStateExporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void documentFollowsSchema();
    void roundTripKeepsEverything();
    void writeFileIsReadable();
    void writeFileReportsUnwritablePath();
    void rejectsInvalidDocuments_data();
    void rejectsInvalidDocuments();

private:
    SocketRegistry m_registry;
    EventLog m_log;
    SocketId m_listener = InvalidSocketId;
    SocketId m_accepted = InvalidSocketId;
    SocketId m_udp = InvalidSocketId;
};

void TestStateExporter::init()
{
    m_registry.clear();
    SocketRecord listener;
    listener.protocol = Protocol::Tcp;
    listener.role = SocketRole::TcpListener;
    listener.local = {QHostAddress(QHostAddress::LocalHost), 9877};
    listener.state = SocketState::Listen;
    listener.program = QStringLiteral("socketscope");
    listener.kernel = KernelFacts{SocketState::Listen, 2, 50, 123456, 4242, -1, {}, {}, {}};
    listener.kernel->program = QStringLiteral("socketscope");
    listener.kernel->sharedWith = QStringLiteral("python3, pid 4343");
    m_listener = m_registry.add(listener);

    SocketRecord accepted = listener;
    accepted.role = SocketRole::TcpServerSide;
    accepted.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), 51234};
    accepted.state = SocketState::Established;
    accepted.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 59000, {}, {}, {}};
    accepted.kernel->tcpInfo = KernelTcpInfo{52, 21, 3, 1, 10};
    accepted.kernelOnly = true;
    accepted.bytesSent = 11;
    accepted.bytesReceived = 22;
    accepted.threadId = 4243;
    m_accepted = m_registry.add(accepted);
    m_registry.markClosed(m_accepted, SocketState::Close);

    SocketRecord udp;
    udp.protocol = Protocol::Udp;
    udp.role = SocketRole::UdpServer;
    udp.local = {QHostAddress(QHostAddress::LocalHostIPv6), 9877};
    udp.state = SocketState::Unconnected;
    udp.datagramsReceived = 3;
    udp.activity = QStringLiteral("now handling: a datagram from 127.0.0.1:40001");
    m_udp = m_registry.add(udp);

    m_log.append(EventSeverity::Warning, QStringLiteral("port 9877 in use"), m_listener);
}

void TestStateExporter::documentFollowsSchema()
{
    const QJsonObject root = StateExporter::toJson(m_registry, &m_log);
    QCOMPARE(root.value(QStringLiteral("version")).toInt(), 1);
    const QJsonArray sockets = root.value(QStringLiteral("sockets")).toArray();
    QCOMPARE(sockets.size(), 3);

    const QJsonObject listener = sockets.at(0).toObject();
    QCOMPARE(listener.value(QStringLiteral("id")).toInteger(), qint64(m_listener));
    QCOMPARE(listener.value(QStringLiteral("protocol")).toString(), QStringLiteral("tcp"));
    QCOMPARE(listener.value(QStringLiteral("role")).toString(), QStringLiteral("tcp-listener"));
    QCOMPARE(listener.value(QStringLiteral("state")).toString(), QStringLiteral("LISTEN"));
    QCOMPARE(listener.value(QStringLiteral("local"))
                     .toObject()
                     .value(QStringLiteral("address"))
                     .toString(),
             QStringLiteral("127.0.0.1"));
    QCOMPARE(listener.value(QStringLiteral("local"))
                     .toObject()
                     .value(QStringLiteral("port"))
                     .toInt(),
             9877);
    QVERIFY(listener.value(QStringLiteral("remote")).isNull());
    QCOMPARE(listener.value(QStringLiteral("recvQ")).toInt(), 2);
    QCOMPARE(listener.value(QStringLiteral("sendQ")).toInt(), 50);
    QCOMPARE(listener.value(QStringLiteral("pid")).toInteger(), 4242); // the kernel's owner wins
    QCOMPARE(listener.value(QStringLiteral("kernel"))
                     .toObject()
                     .value(QStringLiteral("program"))
                     .toString(),
             QStringLiteral("socketscope"));

    const QJsonObject accepted = sockets.at(1).toObject();
    // "state" is what the kernel says; Qt's own view is kept beside it.
    QCOMPARE(accepted.value(QStringLiteral("state")).toString(), QStringLiteral("TIME_WAIT"));
    QCOMPARE(accepted.value(QStringLiteral("qtState")).toString(), QStringLiteral("CLOSE"));
    QCOMPARE(accepted.value(QStringLiteral("remote"))
                     .toObject()
                     .value(QStringLiteral("port"))
                     .toInt(),
             51234);
    QCOMPARE(accepted.value(QStringLiteral("kernel"))
                     .toObject()
                     .value(QStringLiteral("timerMs"))
                     .toInt(),
             59000);
    QVERIFY(!accepted.value(QStringLiteral("closed")).isNull());

    const QJsonObject udp = sockets.at(2).toObject();
    // The UDP socket was never read from the kernel: its queues are unknown, not 0.
    QVERIFY(udp.value(QStringLiteral("recvQ")).isNull());
    QVERIFY(udp.value(QStringLiteral("sendQ")).isNull());
    QCOMPARE(udp.value(QStringLiteral("state")).toString(), QStringLiteral("UNCONN"));
    QCOMPARE(udp.value(QStringLiteral("local"))
                     .toObject()
                     .value(QStringLiteral("address"))
                     .toString(),
             QStringLiteral("::1"));
    QVERIFY(udp.value(QStringLiteral("kernel")).isNull());

    const QJsonArray events = root.value(QStringLiteral("events")).toArray();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).toObject().value(QStringLiteral("level")).toString(),
             QStringLiteral("warning"));
    QCOMPARE(events.at(0).toObject().value(QStringLiteral("socket")).toInteger(),
             qint64(m_listener));
}

void TestStateExporter::roundTripKeepsEverything()
{
    QString error;
    const auto state = StateExporter::fromBytes(StateExporter::toBytes(m_registry, &m_log), &error);
    QVERIFY2(state, qPrintable(error));
    QCOMPARE(state->version, 1);
    QCOMPARE(state->sockets.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const SocketRecord &original = *m_registry.find(m_registry.ids().at(i));
        const SocketRecord &read = state->sockets.at(i);
        QCOMPARE(read.id, original.id);
        QCOMPARE(read.protocol, original.protocol);
        QCOMPARE(read.role, original.role);
        QCOMPARE(read.state, original.state);
        QCOMPARE(read.local, original.local);
        QCOMPARE(read.remote, original.remote);
        QCOMPARE(read.program, original.program);
        QCOMPARE(read.threadId, original.threadId);
        QCOMPARE(read.bytesSent, original.bytesSent);
        QCOMPARE(read.bytesReceived, original.bytesReceived);
        QCOMPARE(read.datagramsReceived, original.datagramsReceived);
        QCOMPARE(read.created, original.created);
        QCOMPARE(read.closed, original.closed);
        QCOMPARE(read.kernel, original.kernel);
        QCOMPARE(read.kernelOnly, original.kernelOnly);
        QCOMPARE(read.activity, original.activity);
    }
    QCOMPARE(state->events, m_log.events());
}

void TestStateExporter::writeFileIsReadable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("state.json"));
    QString error;
    QVERIFY2(StateExporter::writeFile(path, m_registry, &m_log, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto state = StateExporter::fromBytes(file.readAll(), &error);
    QVERIFY2(state, qPrintable(error));
    QCOMPARE(state->sockets.size(), 3);
}

void TestStateExporter::writeFileReportsUnwritablePath()
{
    QTemporaryDir dir;
    QString error;
    const QString path = dir.filePath(QStringLiteral("no/such/folder/state.json"));
    QVERIFY(!StateExporter::writeFile(path, m_registry, &m_log, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
}

void TestStateExporter::rejectsInvalidDocuments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("where");
    QTest::newRow("not json") << QByteArray("{\"version\":1,") << QStringLiteral("offset");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("document");
    QTest::newRow("version") << QByteArray(R"({"version":2,"sockets":[]})")
                             << QStringLiteral("version");
    QTest::newRow("no sockets") << QByteArray(R"({"version":1})") << QStringLiteral("sockets");
    QTest::newRow("bad protocol") << QByteArray(
            R"({"version":1,"sockets":[{"id":1,"protocol":"sctp","role":"tcp-client","state":"LISTEN","local":{"address":"127.0.0.1","port":1}}]})")
                                  << QStringLiteral("sockets[0].protocol");
    QTest::newRow("bad port") << QByteArray(
            R"({"version":1,"sockets":[{"id":1,"protocol":"tcp","role":"tcp-client","state":"LISTEN","local":{"address":"127.0.0.1","port":70000}}]})")
                              << QStringLiteral("sockets[0].local.port");
    QTest::newRow("bad address") << QByteArray(
            R"({"version":1,"sockets":[{"id":1,"protocol":"tcp","role":"tcp-client","state":"LISTEN","local":{"address":"localhost","port":1}}]})")
                                 << QStringLiteral("sockets[0].local.address");
    QTest::newRow("bad state") << QByteArray(
            R"({"version":1,"sockets":[{"id":1,"protocol":"tcp","role":"tcp-client","state":"OPEN","local":{"address":"127.0.0.1","port":1}}]})")
                               << QStringLiteral("sockets[0].state");
    QTest::newRow("bad event") << QByteArray(
            R"({"version":1,"sockets":[],"events":[{"level":"fatal"}]})")
                               << QStringLiteral("events[0].level");
}

void TestStateExporter::rejectsInvalidDocuments()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, where);
    QString error;
    QVERIFY(!StateExporter::fromBytes(json, &error));
    QVERIFY2(error.startsWith(where), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestStateExporter)
#include "tst_stateexporter.moc"
