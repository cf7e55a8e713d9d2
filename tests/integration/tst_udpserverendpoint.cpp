// SPDX-License-Identifier: MIT
#include "nettesthelpers.h"

#include "eventlog.h"
#include "socketregistry.h"
#include "tcpserverendpoint.h"
#include "udpserverendpoint.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <atomic>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace SocketScope;

namespace {

UdpServerConfig loopbackConfig(Behaviour behaviour = Behaviour::Echo, int delayMs = 0)
{
    UdpServerConfig config;
    config.address = QHostAddress(QHostAddress::LocalHost);
    config.port = 0;
    config.behaviour = behaviour;
    config.processingDelayMs = delayMs;
    return config;
}

std::unique_ptr<QUdpSocket> boundClient()
{
    auto socket = std::make_unique<QUdpSocket>();
    if (!socket->bind(QHostAddress::LocalHost, 0))
        return nullptr;
    return socket;
}

} // namespace

class TestUdpServerEndpoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void record();
    void sameNumberAsTcpIsAnotherSocket();
    void datagramsInOrderWithSenders();
    void processingDelayKeepsDatagramsQueued();
    void keepsHearingAfterABurst();
    void keepsHearingThroughAFlood();
    void behaviours_data();
    void behaviours();
    void netcat_data();
    void netcat();
    void portInUse();
    void invalidDelay();
    void connectedModelDeliversByFourTuple();
    void connectedModelAnswersEachSenderOnly();
    void connectedModelSwitchKeepsPort();
    void connectedModelRefusesASharedPort();
    void quietPeerSocketsExpire();

private:
    SocketRegistry m_registry;
    EventLog m_log;
};

void TestUdpServerEndpoint::record()
{
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    QVERIFY(server.isBound());
    const SocketRecord *record = m_registry.find(server.socketId());
    QVERIFY(record);
    QCOMPARE(record->protocol, Protocol::Udp);
    QCOMPARE(record->role, SocketRole::UdpServer);
    QCOMPARE(record->state, SocketState::Unconnected);
    QCOMPARE(record->remote, std::nullopt);
    QCOMPARE(record->local, server.endpoint());
    const SocketId id = server.socketId();
    server.stop();
    QVERIFY(!m_registry.contains(id));
}

void TestUdpServerEndpoint::sameNumberAsTcpIsAnotherSocket()
{
    // The ephemeral UDP port may happen to be some TCP socket's on this busy machine, so
    // try a few (bounded) until a number is free in both protocols.
    UdpServerEndpoint udp(m_registry, m_log);
    TcpServerEndpoint tcp(m_registry, m_log);
    bool both = false;
    for (int attempt = 0; attempt < 20 && !both; ++attempt) {
        QVERIFY(!udp.start(loopbackConfig()).isError());
        TcpServerConfig config;
        config.port = udp.endpoint().port;
        both = !tcp.start(config).isError();
    }
    QVERIFY(both);
    QCOMPARE(tcp.endpoint(), udp.endpoint());
    QVERIFY(tcp.listenerId() != udp.socketId());
    QCOMPARE(m_registry.find(tcp.listenerId())->protocol, Protocol::Tcp);
    QCOMPARE(m_registry.find(udp.socketId())->protocol, Protocol::Udp);
}

void TestUdpServerEndpoint::datagramsInOrderWithSenders()
{
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(Behaviour::Discard)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    QSignalSpy traffic(&m_registry, &SocketRegistry::trafficObserved);

    constexpr int Clients = 3;
    constexpr int Rounds = 4;
    std::vector<std::unique_ptr<QUdpSocket>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(boundClient());
        QVERIFY(clients.back());
    }
    QList<Endpoint> expectedSenders;
    for (int round = 0; round < Rounds; ++round) {
        for (auto &client : clients) {
            const QByteArray payload = QByteArray::number(round);
            QCOMPARE(
                    client->writeDatagram(payload, QHostAddress::LocalHost, server.endpoint().port),
                    qint64(payload.size()));
            expectedSenders.append(
                    Endpoint{QHostAddress(QHostAddress::LocalHost), client->localPort()});
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), Clients * Rounds, 5000);
    QList<Endpoint> senders;
    for (const QList<QVariant> &signal : std::as_const(processed))
        senders.append(signal.at(0).value<Endpoint>());
    // One socket, one queue: the datagrams come out in the order they were sent, each with
    // its own sender's address and port.
    QCOMPARE(senders, expectedSenders);

    // The registry saw the same, as "received" traffic on the one server record.
    QList<Endpoint> peers;
    for (const QList<QVariant> &signal : std::as_const(traffic)) {
        if (signal.at(0).value<SocketId>() == server.socketId()
            && signal.at(1).value<TrafficDirection>() == TrafficDirection::Received) {
            QVERIFY(signal.at(4).toBool());
            peers.append(signal.at(3).value<Endpoint>());
        }
    }
    QCOMPARE(peers, expectedSenders);
    QCOMPARE(m_registry.find(server.socketId())->datagramsReceived, quint64(Clients * Rounds));
}

void TestUdpServerEndpoint::keepsHearingAfterABurst()
{
    // Regression: after a burst larger than one read batch the server stopped hearing
    // anything at all, because Qt no longer announced new datagrams.
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(Behaviour::Discard)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    std::unique_ptr<QUdpSocket> client = boundClient();
    QVERIFY(client);
    constexpr int Burst = 150; // fits the default receive buffer, larger than a batch used to be
    for (int i = 0; i < Burst; ++i)
        QCOMPARE(client->writeDatagram("b", QHostAddress::LocalHost, server.endpoint().port), 1);
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), Burst, 5000);
    for (int round = 1; round <= 3; ++round) {
        QCOMPARE(client->writeDatagram("a", QHostAddress::LocalHost, server.endpoint().port), 1);
        QTRY_COMPARE_WITH_TIMEOUT(processed.count(), Burst + round, 5000);
    }
}

// A flood far beyond the receive buffer (the kernel drops what does not fit, which is UDP)
// must not leave the one socket deaf: afterwards it still answers.
void TestUdpServerEndpoint::keepsHearingThroughAFlood()
{
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(Behaviour::Echo)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    const quint16 port = server.endpoint().port;
    std::atomic<bool> done{false};
    // Bounded: 4 senders x 25,000 datagrams, loopback only, as fast as the kernel takes them.
    std::vector<std::thread> senders;
    for (int s = 0; s < 4; ++s) {
        senders.emplace_back([port, &done] {
            const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(port);
            to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            for (int i = 0; i < 25000 && !done; ++i)
                ::sendto(fd, "flood", 5, 0, reinterpret_cast<const sockaddr *>(&to), sizeof to);
            ::close(fd);
        });
    }
    QTRY_VERIFY_WITH_TIMEOUT(processed.count() > 1000, 10000);
    done = true;
    for (std::thread &sender : senders)
        sender.join();
    std::unique_ptr<QUdpSocket> client = boundClient();
    QVERIFY(client);
    // Once the queue has drained, a probe is answered (each try sends one more: a probe the
    // full queue dropped is not the server's fault).
    bool answered = false;
    const auto probeAnswered = [&] {
        if (!answered) {
            client->writeDatagram("probe", QHostAddress::LocalHost, port);
            answered = client->hasPendingDatagrams() && client->receiveDatagram().data() == "probe";
        }
        return answered;
    };
    QTRY_VERIFY_WITH_TIMEOUT(probeAnswered(), 10000);
}

void TestUdpServerEndpoint::processingDelayKeepsDatagramsQueued()
{
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(Behaviour::Echo, 50)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    auto client = boundClient();
    QVERIFY(client);
    constexpr int Datagrams = 5;
    for (int i = 0; i < Datagrams; ++i)
        client->writeDatagram(QByteArray::number(i), QHostAddress::LocalHost,
                              server.endpoint().port);

    QVERIFY(processed.wait(5000));
    // One is done, at most the next is being processed: the rest still wait in the
    // kernel's queue, unread.
    QVERIFY(m_registry.find(server.socketId())->datagramsReceived <= 2);
    // The record says which datagram the one socket is on, sender included.
    const QString activity = m_registry.find(server.socketId())->activity;
    QVERIFY2(activity.startsWith(QStringLiteral("now handling: a datagram from 127.0.0.1:%1 "
                                                "(echo, 50 ms)")
                                         .arg(client->localPort())),
             qPrintable(activity));
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), Datagrams, 10000);
    // With the queue empty the server is idle again, and says so by saying nothing.
    QTRY_VERIFY_WITH_TIMEOUT(m_registry.find(server.socketId())->activity.isEmpty(), 5000);
    // Replies come back in order.
    QList<QByteArray> replies;
    QTRY_VERIFY_WITH_TIMEOUT(client->hasPendingDatagrams(), 5000);
    for (int i = 0; i < 100 && replies.size() < Datagrams; ++i) {
        if (client->hasPendingDatagrams())
            replies.append(client->receiveDatagram().data());
        else
            QTest::qWait(10);
    }
    QCOMPARE(replies, (QList<QByteArray>{"0", "1", "2", "3", "4"}));
    QVERIFY(server.setProcessingDelay(0));
    QCOMPARE(server.processingDelay(), 0);
}

void TestUdpServerEndpoint::behaviours_data()
{
    QTest::addColumn<Behaviour>("behaviour");
    QTest::newRow("echo") << Behaviour::Echo;
    QTest::newRow("discard") << Behaviour::Discard;
    QTest::newRow("daytime") << Behaviour::Daytime;
}

void TestUdpServerEndpoint::behaviours()
{
    QFETCH(Behaviour, behaviour);
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(behaviour)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    auto client = boundClient();
    QVERIFY(client);
    client->writeDatagram("question", QHostAddress::LocalHost, server.endpoint().port);
    QVERIFY(processed.wait(5000));
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents();
    if (behaviour == Behaviour::Discard) {
        QVERIFY(!client->waitForReadyRead(100));
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(client->hasPendingDatagrams(), 5000);
    const QNetworkDatagram reply = client->receiveDatagram();
    QCOMPARE(reply.senderPort(), int(server.endpoint().port));
    if (behaviour == Behaviour::Echo)
        QCOMPARE(reply.data(), QByteArray("question"));
    else
        QVERIFY2(reply.data().endsWith("\r\n"), reply.data().constData());
}

void TestUdpServerEndpoint::netcat_data()
{
    behaviours_data();
}

void TestUdpServerEndpoint::netcat()
{
    QFETCH(Behaviour, behaviour);
    const QString nc = TestHelpers::netcat();
    if (nc.isEmpty())
        QSKIP("nc (netcat-openbsd) is not installed; .ci/run installs it");
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig(behaviour)).isError());
    QSignalSpy processed(&server, &UdpServerEndpoint::datagramProcessed);
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    // -u: UDP; -w 1: quit one second after input ends and nothing more arrives.
    process.start(nc, {QStringLiteral("-u"), QStringLiteral("-w"), QStringLiteral("1"),
                       QStringLiteral("127.0.0.1"), QString::number(server.endpoint().port)});
    QVERIFY(process.waitForStarted(5000));
    process.write("from nc\n");
    process.closeWriteChannel();
    QVERIFY(processed.wait(5000));
    QCOMPARE(processed.constFirst().at(1).toLongLong(), qint64(8));
    QVERIFY(finished.wait(10000));
    const QByteArray output = process.readAllStandardOutput();
    switch (behaviour) {
    case Behaviour::Echo:
        QCOMPARE(output, QByteArray("from nc\n"));
        break;
    case Behaviour::Discard:
        QCOMPARE(output, QByteArray());
        break;
    case Behaviour::Daytime:
        QVERIFY2(output.endsWith("\r\n"), output.constData());
        break;
    }
}

void TestUdpServerEndpoint::portInUse()
{
    UdpServerEndpoint first(m_registry, m_log);
    QVERIFY(!first.start(loopbackConfig()).isError());
    UdpServerEndpoint second(m_registry, m_log);
    UdpServerConfig config = loopbackConfig();
    config.port = first.endpoint().port;
    const NetErrorInfo error = second.start(config);
    QCOMPARE(error.error, NetError::PortInUse);
    QVERIFY(error.suggestedPort.has_value());
    QVERIFY(!second.isBound());
    // Also a plain Qt socket with Qt's default (address sharing) options cannot sneak in.
    QUdpSocket sneaky;
    QVERIFY(!sneaky.bind(QHostAddress::LocalHost, config.port));
}

void TestUdpServerEndpoint::invalidDelay()
{
    UdpServerEndpoint server(m_registry, m_log);
    QCOMPARE(server.start(loopbackConfig(Behaviour::Echo, -1)).error, NetError::InvalidInput);
    QCOMPARE(server.start(loopbackConfig(Behaviour::Echo, 2001)).error, NetError::InvalidInput);
    QVERIFY(!server.setProcessingDelay(2001));
    QVERIFY(server.setProcessingDelay(2000));
}

void TestUdpServerEndpoint::connectedModelDeliversByFourTuple()
{
    UdpServerEndpoint server(m_registry, m_log);
    server.setModel(UdpModel::ConnectedPerClient);
    QVERIFY(!server.start(loopbackConfig()).isError());
    const Endpoint address = server.endpoint();
    std::vector<std::unique_ptr<QUdpSocket>> clients;
    for (int i = 0; i < 2; ++i) {
        clients.push_back(boundClient());
        QVERIFY(clients.back());
        clients.back()->writeDatagram("first", address.address, address.port);
    }
    // Each first datagram reaches the server socket and makes the client a socket of its
    // own; the answer comes back from the same address and port.
    QTRY_COMPARE_WITH_TIMEOUT(server.peerSocketIds().size(), qsizetype(2), 5000);
    for (const auto &client : clients) {
        QTRY_VERIFY_WITH_TIMEOUT(client->hasPendingDatagrams(), 5000);
        const QNetworkDatagram reply = client->receiveDatagram();
        QCOMPARE(reply.data(), QByteArray("first"));
        QCOMPARE(reply.senderPort(), int(address.port));
    }
    constexpr int More = 3;
    for (const auto &client : clients) {
        for (int i = 0; i < More; ++i)
            client->writeDatagram("again", address.address, address.port);
    }
    for (SocketId id : server.peerSocketIds())
        QTRY_COMPARE_WITH_TIMEOUT(m_registry.find(id)->datagramsReceived, quint64(More), 5000);

    const SocketRecord *main = m_registry.find(server.socketId());
    QCOMPARE(main->datagramsReceived, quint64(2)); // only the two first datagrams
    QCOMPARE(main->datagramsSent, quint64(0));
    QSet<quint16> clientPorts;
    for (SocketId id : server.peerSocketIds()) {
        const SocketRecord *peer = m_registry.find(id);
        QCOMPARE(peer->role, SocketRole::UdpServer);
        QCOMPARE(peer->local, address);
        QVERIFY(peer->remote.has_value());
        QCOMPARE(peer->state, SocketState::Established);
        QCOMPARE(peer->datagramsSent, quint64(1 + More));
        clientPorts.insert(peer->remote->port);
    }
    QCOMPARE(clientPorts, QSet<quint16>({clients[0]->localPort(), clients[1]->localPort()}));

    // Without its socket, a client is the server socket's again.
    const SocketId closed = server.peerSocketIds().constFirst();
    const quint16 port = m_registry.find(closed)->remote->port;
    QVERIFY(server.closePeerSocket(closed));
    QVERIFY(!m_registry.contains(closed));
    QVERIFY(!server.closePeerSocket(closed));
    QUdpSocket *again = clients[0]->localPort() == port ? clients[0].get() : clients[1].get();
    // The first datagram after the close lands on the server socket and re-creates one.
    again->writeDatagram("back", address.address, address.port);
    QTRY_COMPARE_WITH_TIMEOUT(m_registry.find(server.socketId())->datagramsReceived, quint64(3),
                              5000);

    server.stop();
    QCOMPARE(m_registry.count(), qsizetype(0));
}

// While a client's own socket is made (bind, then connect), SO_REUSEPORT may hand that
// socket a datagram of another client; its answer must still go to its sender. Many new
// clients sending at once, from another thread, open that moment again and again.
void TestUdpServerEndpoint::connectedModelAnswersEachSenderOnly()
{
    UdpServerEndpoint server(m_registry, m_log);
    server.setModel(UdpModel::ConnectedPerClient);
    QVERIFY(!server.start(loopbackConfig()).isError());
    using TestHelpers::Fd;
    const sockaddr_in to = TestHelpers::loopback4(server.endpoint().port);
    constexpr int Rounds = 40;
    constexpr int Clients = 24;
    constexpr int Each = 4; // 96 small datagrams a round: well within the socket buffers
    for (int round = 0; round < Rounds; ++round) {
        std::vector<Fd> clients;
        for (int i = 0; i < Clients; ++i) {
            clients.emplace_back(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
            QVERIFY(clients.back().valid());
        }
        std::thread sender([&clients, &to] {
            for (int n = 0; n < Each; ++n) {
                for (int i = 0; i < Clients; ++i) {
                    const QByteArray mine = QByteArray::number(i);
                    ::sendto(clients[size_t(i)].get(), mine.constData(), mine.size(), 0,
                             reinterpret_cast<const sockaddr *>(&to), sizeof to);
                }
            }
        });
        // The server answers in this thread while the other sends.
        QElapsedTimer clock;
        clock.start();
        while (server.datagramsProcessed() < quint64((round + 1) * Clients * Each)
               && clock.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        sender.join();
        QCOMPARE(server.datagramsProcessed(), quint64((round + 1) * Clients * Each));
        for (int i = 0; i < Clients; ++i) {
            char buffer[64];
            ssize_t n = 0;
            int answers = 0;
            while ((n = ::recv(clients[size_t(i)].get(), buffer, sizeof buffer, 0)) >= 0) {
                QCOMPARE(QByteArray(buffer, n), QByteArray::number(i)); // not another's
                ++answers;
            }
            QCOMPARE(answers, Each);
        }
        for (SocketId id : server.peerSocketIds())
            server.closePeerSocket(id);
    }
}

void TestUdpServerEndpoint::connectedModelSwitchKeepsPort()
{
    UdpServerEndpoint server(m_registry, m_log);
    QVERIFY(!server.start(loopbackConfig()).isError());
    const Endpoint before = server.endpoint();
    server.setModel(UdpModel::ConnectedPerClient);
    QVERIFY(server.isBound());
    QCOMPARE(server.endpoint(), before);
    auto client = boundClient();
    QVERIFY(client);
    client->writeDatagram("x", before.address, before.port);
    QTRY_COMPARE_WITH_TIMEOUT(server.peerSocketIds().size(), qsizetype(1), 5000);
    server.setModel(UdpModel::Single);
    QVERIFY(server.isBound());
    QCOMPARE(server.endpoint(), before);
    QVERIFY(server.peerSocketIds().isEmpty());
    // The single socket is back to refusing a second binder ("port in use" stays true).
    QUdpSocket intruder;
    QVERIFY(!intruder.bind(before.address, before.port, QAbstractSocket::DontShareAddress));
    server.stop();
}

// The connected model's sockets carry SO_REUSEPORT, with which Linux lets any socket of the
// same user that sets it too share the port, and splits the datagrams between them (9 of
// 20 went to a second instance, without a word). Starting on a port someone holds is
// refused instead, whether the other socket shares or not.
void TestUdpServerEndpoint::connectedModelRefusesASharedPort()
{
    UdpServerEndpoint first(m_registry, m_log);
    first.setModel(UdpModel::ConnectedPerClient);
    QVERIFY(!first.start(loopbackConfig()).isError());
    UdpServerConfig samePort = loopbackConfig();
    samePort.port = first.endpoint().port;
    UdpServerEndpoint second(m_registry, m_log);
    second.setModel(UdpModel::ConnectedPerClient);
    const NetErrorInfo refused = second.start(samePort);
    QCOMPARE(refused.error, NetError::PortInUse);
    QVERIFY(!second.isBound());
    first.stop();

    // Another program that shares with SO_REUSEPORT, bound first.
    TestHelpers::Fd other(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    const int on = 1;
    QCOMPARE(::setsockopt(other.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on), 0);
    const sockaddr_in any = TestHelpers::loopback4(0);
    QCOMPARE(::bind(other.get(), reinterpret_cast<const sockaddr *>(&any), sizeof any), 0);
    samePort.port = TestHelpers::localPortOf(other.get());
    QCOMPARE(second.start(samePort).error, NetError::PortInUse);
    other.reset();
    // Once it has gone, the port is ours.
    QVERIFY(!second.start(samePort).isError());
    QCOMPARE(second.endpoint().port, samePort.port);
    second.stop();
}

// UDP has no close: a per-client socket that hears nothing for the idle timeout is closed,
// and the client's next datagram goes to the server socket again.
void TestUdpServerEndpoint::quietPeerSocketsExpire()
{
    UdpServerEndpoint server(m_registry, m_log);
    server.setModel(UdpModel::ConnectedPerClient);
    server.setPeerIdleTimeout(200);
    QVERIFY(!server.start(loopbackConfig()).isError());
    const Endpoint address = server.endpoint();
    auto client = boundClient();
    QVERIFY(client);
    client->writeDatagram("hello", address.address, address.port);
    QTRY_COMPARE_WITH_TIMEOUT(server.peerSocketIds().size(), qsizetype(1), 5000);
    const SocketId peer = server.peerSocketIds().constFirst();
    QTRY_VERIFY_WITH_TIMEOUT(server.peerSocketIds().isEmpty(), 5000);
    QVERIFY(!m_registry.contains(peer));
    bool told = false;
    for (const LogEvent &event : m_log.events())
        told = told || event.message.contains(QLatin1String("No datagram from"));
    QVERIFY(told);
    server.stop();
}

QTEST_GUILESS_MAIN(TestUdpServerEndpoint)
#include "tst_udpserverendpoint.moc"
