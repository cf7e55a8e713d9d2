// SPDX-License-Identifier: MIT
#include "nettesthelpers.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"
#include "tcpconnection.h"
#include "tcpserverendpoint.h"

#include <QCoreApplication>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace SocketScope;
using namespace SocketScope::TestHelpers;

namespace {

void pump()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

TcpServerConfig loopbackConfig(Behaviour behaviour = Behaviour::Echo)
{
    TcpServerConfig config;
    config.address = QHostAddress(QHostAddress::LocalHost);
    config.port = 0; // ephemeral: tests never depend on a fixed port being free
    config.behaviour = behaviour;
    return config;
}

QList<const SocketRecord *> recordsWithRole(const SocketRegistry &registry, SocketRole role)
{
    QList<const SocketRecord *> result;
    for (SocketId id : registry.ids()) {
        const SocketRecord *record = registry.find(id);
        if (record->role == role)
            result.append(record);
    }
    return result;
}

} // namespace

class TestTcpServerEndpoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listenerRecord();
    void clientsShareListenerPort();
    void rawClient_data();
    void rawClient();
    void netcat_data();
    void netcat();
    void stopKeepsEstablishedConnections();
    void pauseAcceptingFillsQueue();
    void peerAbortIsReportedAsReset();
    void peerCloseIsNotAnError();
    void portInUseOffersAnotherPort();
    void invalidBacklog();

private:
    SocketRegistry m_registry;
    EventLog m_log;
};

void TestTcpServerEndpoint::listenerRecord()
{
    TcpServerEndpoint server(m_registry, m_log);
    QSignalSpy listening(&server, &TcpServerEndpoint::listeningChanged);
    TcpServerConfig config = loopbackConfig();
    config.backlog = 7;
    QVERIFY(!server.start(config).isError());
    QVERIFY(server.isListening());
    QCOMPARE(listening.count(), 1);
    QVERIFY(server.endpoint().port != 0);

    const SocketRecord *listener = m_registry.find(server.listenerId());
    QVERIFY(listener);
    QCOMPARE(listener->role, SocketRole::TcpListener);
    QCOMPARE(listener->state, SocketState::Listen);
    QCOMPARE(listener->protocol, Protocol::Tcp);
    QCOMPARE(listener->remote, std::nullopt);
    QCOMPARE(listener->local, server.endpoint());
    QCOMPARE(listener->local.address, QHostAddress(QHostAddress::LocalHost));

    const SocketId id = server.listenerId();
    server.stop();
    QVERIFY(!server.isListening());
    QVERIFY(!m_registry.contains(id));
    QCOMPARE(listening.count(), 2);
}

void TestTcpServerEndpoint::clientsShareListenerPort()
{
    constexpr int Clients = 8;
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    const quint16 port = server.endpoint().port;

    std::vector<std::unique_ptr<QTcpSocket>> clients;
    QSet<quint16> clientPorts;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    for (auto &client : clients) {
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::ConnectedState, 5000);
        clientPorts.insert(client->localPort());
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(Clients), 5000);

    const auto accepted = recordsWithRole(m_registry, SocketRole::TcpServerSide);
    QCOMPARE(accepted.size(), Clients);
    QSet<quint16> remotePorts;
    for (const SocketRecord *record : accepted) {
        // Every accepted socket has the listener's local address and port...
        QCOMPARE(record->local, server.endpoint());
        QCOMPARE(record->state, SocketState::Established);
        QVERIFY(record->remote.has_value());
        // ...and differs only by the remote end: the client's ephemeral port.
        QCOMPARE(record->remote->address, QHostAddress(QHostAddress::LocalHost));
        remotePorts.insert(record->remote->port);
    }
    QCOMPARE(remotePorts.size(), Clients);
    QCOMPARE(remotePorts, clientPorts);
    QVERIFY(!remotePorts.contains(port));
    // Three kinds of record, and the listener is still one of them.
    QCOMPARE(recordsWithRole(m_registry, SocketRole::TcpListener).size(), 1);

    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(0), 5000);
    QCOMPARE(recordsWithRole(m_registry, SocketRole::TcpServerSide).size(), 0);
}

void TestTcpServerEndpoint::rawClient_data()
{
    QTest::addColumn<Behaviour>("behaviour");
    QTest::newRow("echo") << Behaviour::Echo;
    QTest::newRow("discard") << Behaviour::Discard;
    QTest::newRow("daytime") << Behaviour::Daytime;
}

void TestTcpServerEndpoint::rawClient()
{
    QFETCH(Behaviour, behaviour);
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(behaviour)).isError());

    QSignalSpy accepted(&server, &TcpServerEndpoint::accepted);
    Fd fd = rawTcpConnect(server.endpoint().port);
    QVERIFY2(fd.valid(), qPrintable(qt_error_string(errno)));
    // Daytime closes right after accepting, so count accepts, not open connections.
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, 5000);
    const QByteArray line("hello, socket\n");

    switch (behaviour) {
    case Behaviour::Echo: {
        QVERIFY(rawSendAll(fd.get(), line));
        const RawRead read = rawRead(fd.get(), line.size(), 5000, pump);
        QCOMPARE(read.data, line);
        break;
    }
    case Behaviour::Discard: {
        QVERIFY(rawSendAll(fd.get(), line));
        const SocketId id = server.connectionIds().constFirst();
        QTRY_COMPARE_WITH_TIMEOUT(m_registry.find(id)->bytesReceived, quint64(line.size()), 5000);
        // Nothing comes back, and the connection stays up.
        pollfd p{fd.get(), POLLIN, 0};
        for (int i = 0; i < 20; ++i)
            pump();
        QCOMPARE(::poll(&p, 1, 0), 0);
        QCOMPARE(server.connectionCount(), qsizetype(1));
        break;
    }
    case Behaviour::Daytime: {
        const RawRead read = rawRead(fd.get(), 1 << 16, 5000, pump);
        QVERIFY2(read.data.endsWith("\r\n"), read.data.constData());
        QVERIFY(read.data.count('\n') == 1);
        QVERIFY2(read.eof, "daytime closes after the line");
        break;
    }
    }
    fd.reset();
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(0), 5000);
}

void TestTcpServerEndpoint::netcat_data()
{
    rawClient_data();
}

void TestTcpServerEndpoint::netcat()
{
    QFETCH(Behaviour, behaviour);
    const QString nc = TestHelpers::netcat();
    if (nc.isEmpty())
        QSKIP("nc (netcat-openbsd) is not installed; .ci/run installs it");
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(behaviour)).isError());

    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    // -N: shut down the socket's sending side at end of input (a half-close, so the echo
    // still comes back); -w: give up after 5 s of silence, so it always ends.
    process.start(nc, {QStringLiteral("-N"), QStringLiteral("-w"), QStringLiteral("5"),
                       QStringLiteral("127.0.0.1"), QString::number(server.endpoint().port)});
    QVERIFY(process.waitForStarted(5000));
    // A daytime client only listens: data sent after the server's close would earn a RST
    // that can overtake the date line.
    if (behaviour != Behaviour::Daytime)
        process.write("ping from nc\n");
    process.closeWriteChannel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    const QByteArray output = process.readAllStandardOutput();
    switch (behaviour) {
    case Behaviour::Echo:
        QCOMPARE(output, QByteArray("ping from nc\n"));
        break;
    case Behaviour::Discard:
        QCOMPARE(output, QByteArray());
        break;
    case Behaviour::Daytime:
        QVERIFY2(output.endsWith("\r\n") && output.count('\n') == 1, output.constData());
        break;
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(0), 5000);
}

void TestTcpServerEndpoint::stopKeepsEstablishedConnections()
{
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    const quint16 port = server.endpoint().port;
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(1), 5000);
    const SocketId accepted = server.connectionIds().constFirst();

    server.stop();
    QVERIFY(!server.isListening());
    // The accepted socket is its own socket: it outlives the listener and still echoes.
    QVERIFY(m_registry.contains(accepted));
    QCOMPARE(m_registry.find(accepted)->state, SocketState::Established);
    QSignalSpy readyRead(&client, &QTcpSocket::readyRead);
    client.write("still here\n");
    QTRY_COMPARE_WITH_TIMEOUT(client.bytesAvailable(), qint64(11), 5000);
    QCOMPARE(client.readAll(), QByteArray("still here\n"));

    // But nobody accepts new connections on that port any more.
    QTcpSocket late;
    QSignalSpy error(&late, &QTcpSocket::errorOccurred);
    late.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(error.count(), 1, 5000);
    QCOMPARE(late.error(), QAbstractSocket::ConnectionRefusedError);
}

void TestTcpServerEndpoint::pauseAcceptingFillsQueue()
{
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    server.setAccepting(false);
    QVERIFY(!server.isAccepting());

    constexpr int Clients = 3;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, server.endpoint().port);
    }
    // The kernel completes the handshakes by itself: the clients are connected...
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::ConnectedState, 5000);
    for (int i = 0; i < 20; ++i)
        pump();
    // ...while the server has accepted none of them; they wait in the accept queue.
    QCOMPARE(server.connectionCount(), qsizetype(0));

    server.setAccepting(true);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(Clients), 5000);
}

void TestTcpServerEndpoint::peerAbortIsReportedAsReset()
{
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    QSignalSpy errors(&server, &TcpServerEndpoint::errorOccurred);
    QSignalSpy finished(&server, &TcpServerEndpoint::connectionFinished);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.endpoint().port);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(1), 5000);
    const SocketId accepted = server.connectionIds().constFirst();
    QVERIFY(setResetOnClose(client.socketDescriptor()));
    client.abort();

    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QCOMPARE(errors.count(), 1);
    const auto error = errors.constFirst().constFirst().value<NetErrorInfo>();
    QCOMPARE(error.error, NetError::ResetByPeer);
    QCOMPARE(error.socket, accepted);
    QVERIFY(!m_registry.contains(accepted));
}

void TestTcpServerEndpoint::peerCloseIsNotAnError()
{
    TcpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    QSignalSpy errors(&server, &TcpServerEndpoint::errorOccurred);
    QSignalSpy finished(&server, &TcpServerEndpoint::connectionFinished);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.endpoint().port);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), qsizetype(1), 5000);
    client.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QCOMPARE(errors.count(), 0);
}

void TestTcpServerEndpoint::portInUseOffersAnotherPort()
{
    TcpServerEndpoint first(m_registry, m_log);
    QVERIFY(!first.start(loopbackConfig()).isError());
    TcpServerEndpoint second(m_registry, m_log);
    TcpServerConfig config = loopbackConfig();
    config.port = first.endpoint().port;
    const NetErrorInfo error = second.start(config);
    QCOMPARE(error.error, NetError::PortInUse);
    QVERIFY(error.suggestedPort.has_value());
    QVERIFY(*error.suggestedPort != config.port);
    QVERIFY2(error.message.contains(QString::number(*error.suggestedPort)),
             qPrintable(error.message));
    QVERIFY(!second.isListening());
    QCOMPARE(m_log.events().constLast().severity, EventSeverity::Error);
    // The suggestion really works.
    config.port = *error.suggestedPort;
    QVERIFY(!second.start(config).isError());
}

void TestTcpServerEndpoint::invalidBacklog()
{
    TcpServerEndpoint server(m_registry, m_log);
    TcpServerConfig config = loopbackConfig();
    config.backlog = 0;
    QCOMPARE(server.start(config).error, NetError::InvalidInput);
    QVERIFY(!server.isListening());
}

QTEST_GUILESS_MAIN(TestTcpServerEndpoint)
#include "tst_tcpserverendpoint.moc"
