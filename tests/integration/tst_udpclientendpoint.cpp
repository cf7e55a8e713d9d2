// SPDX-License-Identifier: MIT
#include "eventlog.h"
#include "socketregistry.h"
#include "udpclientendpoint.h"
#include "udpserverendpoint.h"

#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

using namespace SocketScope;

class TestUdpClientEndpoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void modes_data();
    void modes();
    void burstAndReplies();
    void periodic();
    void datagramTooLarge_data();
    void datagramTooLarge();
    void connectedToNothingIsRefused();
    void invalidInput();

private:
    SocketRegistry m_registry;
    EventLog m_log;
    std::unique_ptr<UdpServerEndpoint> m_server;
};

void TestUdpClientEndpoint::init()
{
    m_server = std::make_unique<UdpServerEndpoint>(m_registry, m_log);
    UdpServerConfig config;
    config.port = 0;
    QVERIFY(!m_server->start(config).isError());
}

void TestUdpClientEndpoint::cleanup()
{
    m_server.reset();
}

void TestUdpClientEndpoint::modes_data()
{
    QTest::addColumn<bool>("connected");
    QTest::newRow("unconnected (sendto)") << false;
    QTest::newRow("connected") << true;
}

void TestUdpClientEndpoint::modes()
{
    QFETCH(bool, connected);
    UdpClientOptions options;
    options.connected = connected;
    UdpClientEndpoint client(m_registry, m_log, m_server->endpoint(), options);
    QSignalSpy replies(&client, &UdpClientEndpoint::replyReceived);
    QSignalSpy processed(m_server.get(), &UdpServerEndpoint::datagramProcessed);
    QVERIFY(!client.open().isError());

    const SocketRecord *record = m_registry.find(client.id());
    QVERIFY(record);
    QCOMPARE(record->role, SocketRole::UdpClient);
    QVERIFY(record->local.port != 0);
    if (connected) {
        QCOMPARE(record->state, SocketState::Established);
        QCOMPARE(record->remote, std::optional<Endpoint>(m_server->endpoint()));
        QCOMPARE(record->local.address, QHostAddress(QHostAddress::LocalHost));
    } else {
        QCOMPARE(record->state, SocketState::Unconnected);
        QCOMPARE(record->remote, std::nullopt);
    }
    const quint16 localPort = record->local.port;

    QVERIFY(!client.sendDatagram("hello").isError());
    QVERIFY(processed.wait(5000));
    // The server saw our port as the sender's.
    QCOMPARE(processed.constFirst().at(0).value<Endpoint>().port, localPort);
    QTRY_COMPARE_WITH_TIMEOUT(replies.count(), 1, 5000);
    QCOMPARE(replies.constFirst().at(1).toByteArray(), QByteArray("hello"));
    QCOMPARE(client.repliesReceived(), quint64(1));
    QCOMPARE(m_registry.find(client.id())->datagramsSent, quint64(1));
    QCOMPARE(m_registry.find(client.id())->datagramsReceived, quint64(1));

    const SocketId id = client.id();
    QSignalSpy finished(&client, &UdpClientEndpoint::finished);
    client.close();
    QCOMPARE(finished.count(), 1);
    QVERIFY(!m_registry.contains(id));
}

void TestUdpClientEndpoint::burstAndReplies()
{
    UdpClientEndpoint client(m_registry, m_log, m_server->endpoint());
    QVERIFY(!client.open().isError());
    constexpr int Burst = 20;
    QVERIFY(!client.sendBurst(Burst, "n=%n").isError());
    QCOMPARE(client.datagramsSent(), quint64(Burst));
    QTRY_COMPARE_WITH_TIMEOUT(client.repliesReceived(), quint64(Burst), 5000);
    QCOMPARE(m_server->datagramsProcessed(), quint64(Burst));
}

void TestUdpClientEndpoint::periodic()
{
    UdpClientEndpoint client(m_registry, m_log, m_server->endpoint());
    QSignalSpy replies(&client, &UdpClientEndpoint::replyReceived);
    QVERIFY(!client.open().isError());
    QVERIFY(!client.startPeriodic(10, "tick %n").isError());
    QVERIFY(client.availableActions().testFlag(SocketAction::StopPeriodic));
    QTRY_VERIFY_WITH_TIMEOUT(replies.count() >= 3, 5000);
    client.stopPeriodic();
    QCOMPARE(replies.at(0).at(1).toByteArray(), QByteArray("tick 1"));
    QCOMPARE(replies.at(2).at(1).toByteArray(), QByteArray("tick 3"));
}

void TestUdpClientEndpoint::datagramTooLarge_data()
{
    QTest::addColumn<bool>("connected");
    QTest::newRow("unconnected") << false;
    QTest::newRow("connected") << true;
}

void TestUdpClientEndpoint::datagramTooLarge()
{
    QFETCH(bool, connected);
    UdpClientOptions options;
    options.connected = connected;
    UdpClientEndpoint client(m_registry, m_log, m_server->endpoint(), options);
    QSignalSpy errors(&client, &UdpClientEndpoint::errorOccurred);
    QVERIFY(!client.open().isError());
    // The largest IPv4 payload goes through...
    QVERIFY(!client.sendDatagram(QByteArray(MaxUdpPayloadIPv4, 'x')).isError());
    // ...one byte more, and the kernel refuses it (EMSGSIZE).
    const NetErrorInfo error = client.sendDatagram(QByteArray(MaxUdpPayloadIPv4 + 1, 'x'));
    QCOMPARE(error.error, NetError::DatagramTooLarge);
    QVERIFY2(error.message.contains(QLatin1String("65507")), qPrintable(error.message));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(m_log.events().constLast().severity, EventSeverity::Error);
    QCOMPARE(m_log.events().constLast().message, error.message);
    QCOMPARE(client.datagramsSent(), quint64(1));
    // The socket is still usable.
    QVERIFY(!client.sendDatagram("small").isError());
}

void TestUdpClientEndpoint::connectedToNothingIsRefused()
{
    const Endpoint server = m_server->endpoint();
    m_server->stop();
    UdpClientOptions options;
    options.connected = true;
    UdpClientEndpoint client(m_registry, m_log, server, options);
    QSignalSpy errors(&client, &UdpClientEndpoint::errorOccurred);
    QVERIFY(!client.open().isError());
    // The kernel answers with ICMP port unreachable; a connected socket hears about it.
    QVERIFY(!client.sendDatagram("anyone?").isError());
    NetErrorInfo error;
    for (int i = 0; i < 50 && errors.isEmpty(); ++i) {
        error = client.sendDatagram("anyone?");
        if (error.isError())
            break;
        QTest::qWait(20);
    }
    if (!error.isError()) {
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        error = errors.constFirst().constFirst().value<NetErrorInfo>();
    }
    QVERIFY2(error.error == NetError::ConnectionRefused, qPrintable(error.message));
}

void TestUdpClientEndpoint::invalidInput()
{
    UdpClientEndpoint nowhere(m_registry, m_log, Endpoint{QHostAddress(), 9});
    QCOMPARE(nowhere.open().error, NetError::InvalidInput);
    UdpClientEndpoint client(m_registry, m_log, m_server->endpoint());
    QCOMPARE(client.sendDatagram("closed").error, NetError::NotRunning);
    QVERIFY(!client.open().isError());
    QCOMPARE(client.sendBurst(0, "x").error, NetError::InvalidInput);
    QCOMPARE(client.sendBurst(UdpClientEndpoint::MaxBurst + 1, "x").error, NetError::InvalidInput);
    QCOMPARE(client.startPeriodic(5, "x").error, NetError::InvalidInput);
    UdpClientOptions foreign;
    foreign.localAddress = QHostAddress(QStringLiteral("192.0.2.1")); // TEST-NET-1, never ours
    UdpClientEndpoint notLocal(m_registry, m_log, m_server->endpoint(), foreign);
    QCOMPARE(notLocal.open().error, NetError::AddressNotLocal);
}

QTEST_GUILESS_MAIN(TestUdpClientEndpoint)
#include "tst_udpclientendpoint.moc"
