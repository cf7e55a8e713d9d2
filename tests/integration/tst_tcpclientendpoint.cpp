// SPDX-License-Identifier: MIT
#include "nettesthelpers.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"
#include "tcpclientendpoint.h"
#include "tcpserverendpoint.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace SocketScope;
using namespace SocketScope::TestHelpers;

namespace {

void pump()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

// A plain POSIX listener on 127.0.0.1, ephemeral port: the peer our Qt client must work with.
struct RawListener
{
    Fd fd;
    quint16 port = 0;

    RawListener() : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in address = loopback4(0);
        socklen_t length = sizeof address;
        if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), length) != 0
            || ::listen(fd.get(), 8) != 0
            || ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&address), &length) != 0)
            fd.reset();
        else
            port = ntohs(address.sin_port);
    }

    // Accepts one connection, running the event loop (our client lives in it) meanwhile.
    Fd accept(int timeoutMs = 5000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            pump();
            if (waitReadable(fd.get(), 10))
                return Fd(::accept4(fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
        }
        return Fd();
    }
};

Endpoint loopback(quint16 port)
{
    return Endpoint{QHostAddress(QHostAddress::LocalHost), port};
}

} // namespace

class TestTcpClientEndpoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectsAndRegisters();
    void explicitLocalPort();
    void halfCloseKeepsReading();
    void halfCloseThenPeerFinIsNoReset();
    void abortSendsReset();
    void gracefulCloseSendsFin();
    void connectionRefused();
    void peerResetIsReported();
    void periodicMessages();
    void actionsFollowState();

private:
    SocketRegistry m_registry;
    EventLog m_log;
};

void TestTcpClientEndpoint::connectsAndRegisters()
{
    TcpServerEndpoint server(m_registry, m_log);
    TcpServerConfig config;
    config.port = 0;
    QVERIFY(!server.start(config).isError());

    TcpClientEndpoint client(m_registry, m_log, server.endpoint());
    QSignalSpy connected(&client, &TcpClientEndpoint::connected);
    QSignalSpy received(&client, &TcpConnection::dataReceived);
    QVERIFY(!client.open().isError());
    const SocketRecord *record = m_registry.find(client.id());
    QVERIFY(record);
    QCOMPARE(record->role, SocketRole::TcpClient);
    QVERIFY(record->state == SocketState::SynSent || record->state == SocketState::Established);
    QCOMPARE(record->remote, std::optional<Endpoint>(server.endpoint()));

    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
    record = m_registry.find(client.id());
    QCOMPARE(record->state, SocketState::Established);
    QCOMPARE(record->local.port, client.socket()->localPort());
    QVERIFY(record->local.port != 0);
    QVERIFY(record->local.port != server.endpoint().port);

    QVERIFY(!client.sendText("hello\n").isError());
    QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 5000);
    QCOMPARE(received.constFirst().constFirst().toByteArray(), QByteArray("hello\n"));
    QTRY_COMPARE_WITH_TIMEOUT(m_registry.find(client.id())->bytesReceived, quint64(6), 5000);
    QCOMPARE(m_registry.find(client.id())->bytesSent, quint64(6));
}

void TestTcpClientEndpoint::explicitLocalPort()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    // An ephemeral port the kernel just handed out and took back: free for our bind.
    std::optional<quint16> free;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        free = probe.serverPort();
    }
    TcpClientOptions options;
    options.localAddress = QHostAddress(QHostAddress::LocalHost);
    options.localPort = *free;
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port), options);
    QVERIFY(!client.open().isError());
    QCOMPARE(m_registry.find(client.id())->local.port, *free);
    Fd accepted = listener.accept();
    QVERIFY(accepted.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    QCOMPARE(client.socket()->localPort(), *free);

    // A second client cannot take the same local port: the error says so at once.
    TcpClientEndpoint twin(m_registry, m_log, loopback(listener.port), options);
    const NetErrorInfo error = twin.open();
    QCOMPARE(error.error, NetError::PortInUse);
    QCOMPARE(twin.id(), InvalidSocketId);
}

void TestTcpClientEndpoint::halfCloseKeepsReading()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QSignalSpy received(&client, &TcpConnection::dataReceived);
    QSignalSpy finished(&client, &TcpConnection::finished);
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);

    QVERIFY(!client.sendText("last words\n").isError());
    QVERIFY(!client.halfClose().isError());
    QVERIFY(client.isWriteShut());
    QCOMPARE(client.sendText("more").error, NetError::NotRunning);

    // The peer reads our data, then end-of-file: our FIN.
    const RawRead read = rawRead(peer.get(), 1 << 16, 5000, pump);
    QCOMPARE(read.data, QByteArray("last words\n"));
    QVERIFY(read.eof);
    // Our read side is still open: the peer's answer after our FIN arrives.
    QVERIFY(rawSendAll(peer.get(), "answer after your FIN\n"));
    QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 5000);
    QCOMPARE(received.constFirst().constFirst().toByteArray(),
             QByteArray("answer after your FIN\n"));
    QCOMPARE(finished.count(), 0);
    // The peer closes too; now the connection is over.
    peer.reset();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QVERIFY(!m_registry.contains(client.id()));
}

void TestTcpClientEndpoint::halfCloseThenPeerFinIsNoReset()
{
    // The lecturer's sequence: half-close, the peer answers our FIN with its own, then Close.
    // Nobody sends RST; the kernel keeps our tuple in TIME_WAIT, and so must the log say.
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QSignalSpy errors(&client, &TcpConnection::errorOccurred);
    QSignalSpy finished(&client, &TcpConnection::finished);
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    const quint16 clientPort = client.socket()->localPort();
    const qsizetype logBefore = m_log.events().size();

    QVERIFY(!client.halfClose().isError());
    QVERIFY(rawRead(peer.get(), 1, 5000, pump).eof);
    peer.reset(); // the peer's FIN: an orderly close of its own
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    client.close();

    // The kernel's truth: our side of the tuple waits in TIME_WAIT (it would be gone after
    // a reset), and the peer's side, which closed second, is gone.
    QCOMPARE(procNetTcpState(clientPort, listener.port), 0x06);
    QCOMPARE(errors.count(), 0);
    const QList<LogEvent> events = m_log.events();
    bool saidOrderly = false;
    for (qsizetype i = logBefore; i < events.size(); ++i) {
        const LogEvent &event = events.at(i);
        QVERIFY2(event.severity != EventSeverity::Error, qPrintable(event.message));
        QVERIFY2(!event.message.contains(QLatin1String("RST"))
                         || event.message.contains(QLatin1String("no RST")),
                 qPrintable(event.message));
        saidOrderly |= event.message.contains(QLatin1String("TIME_WAIT"));
    }
    QVERIFY(saidOrderly);
}

void TestTcpClientEndpoint::abortSendsReset()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QSignalSpy finished(&client, &TcpConnection::finished);
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    const SocketId id = client.id();

    client.abort();
    QCOMPARE(finished.count(), 1);
    QVERIFY(!m_registry.contains(id));
    // The kernel tells the peer: not end-of-file but "connection reset by peer".
    const RawRead read = rawRead(peer.get(), 1, 5000, pump);
    QVERIFY(!read.eof);
    QCOMPARE(read.lastErrno, ECONNRESET);
}

void TestTcpClientEndpoint::gracefulCloseSendsFin()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QSignalSpy finished(&client, &TcpConnection::finished);
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    QVERIFY(!client.sendText("bye\n").isError());
    client.close();
    const RawRead read = rawRead(peer.get(), 1 << 16, 5000, pump);
    QCOMPARE(read.data, QByteArray("bye\n"));
    QVERIFY(read.eof);
    QCOMPARE(read.lastErrno, 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
}

void TestTcpClientEndpoint::connectionRefused()
{
    // A port that was free a moment ago and has no listener now.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    TcpClientEndpoint client(m_registry, m_log, loopback(port));
    QSignalSpy errors(&client, &TcpConnection::errorOccurred);
    QSignalSpy finished(&client, &TcpConnection::finished);
    const NetErrorInfo immediate = client.open();
    NetErrorInfo error = immediate;
    if (!immediate.isError()) {
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 5000);
        error = errors.constFirst().constFirst().value<NetErrorInfo>();
    }
    QCOMPARE(error.error, NetError::ConnectionRefused);
    QVERIFY2(error.message.contains(QLatin1String("Start")), qPrintable(error.message));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QVERIFY(!m_registry.contains(client.id()));
}

void TestTcpClientEndpoint::peerResetIsReported()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QSignalSpy errors(&client, &TcpConnection::errorOccurred);
    QSignalSpy finished(&client, &TcpConnection::finished);
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    QVERIFY(setResetOnClose(peer.get()));
    peer.reset();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.constFirst().constFirst().value<NetErrorInfo>().error, NetError::ResetByPeer);
    QCOMPARE(m_log.events().constLast().severity, EventSeverity::Error);
}

void TestTcpClientEndpoint::periodicMessages()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QVERIFY(peer.valid());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);

    QCOMPARE(client.startPeriodic(0, "x").error, NetError::InvalidInput);
    QCOMPARE(client.startPeriodic(100, QByteArray()).error, NetError::InvalidInput);
    QVERIFY(!client.startPeriodic(10, "tick %n\n").isError());
    QVERIFY(client.isPeriodic());
    const QByteArray expected("tick 1\ntick 2\ntick 3\n");
    const RawRead read = rawRead(peer.get(), expected.size(), 5000, pump);
    QVERIFY2(read.data.startsWith(expected), read.data.constData());
    client.stopPeriodic();
    QVERIFY(!client.isPeriodic());
}

void TestTcpClientEndpoint::actionsFollowState()
{
    RawListener listener;
    QVERIFY(listener.fd.valid());
    TcpClientEndpoint client(m_registry, m_log, loopback(listener.port));
    QCOMPARE(client.availableActions(), SocketActions());
    QVERIFY(!client.open().isError());
    Fd peer = listener.accept();
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
    const SocketActions open = client.availableActions();
    QVERIFY(open.testFlag(SocketAction::SendText));
    QVERIFY(open.testFlag(SocketAction::HalfClose));
    QVERIFY(open.testFlag(SocketAction::StartPeriodic));
    QVERIFY(!open.testFlag(SocketAction::StopPeriodic));
    QVERIFY(open.testFlag(SocketAction::Abort));
    QVERIFY(!open.testFlag(SocketAction::SendBurst));
    QVERIFY(!client.halfClose().isError());
    const SocketActions halfClosed = client.availableActions();
    QVERIFY(!halfClosed.testFlag(SocketAction::SendText));
    QVERIFY(!halfClosed.testFlag(SocketAction::HalfClose));
    QVERIFY(halfClosed.testFlag(SocketAction::Close));
    client.abort();
    QCOMPARE(client.availableActions(), SocketActions());
}

QTEST_GUILESS_MAIN(TestTcpClientEndpoint)
#include "tst_tcpclientendpoint.moc"
