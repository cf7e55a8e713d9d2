// SPDX-License-Identifier: MIT
// The half-close a lecturer shows: FIN_WAIT2 on the side that shut down its writing,
// CLOSE_WAIT on the other, held until someone closes it; then TIME_WAIT for the active
// closer. Every state is read from the kernel (sock_diag), not assumed.
#include "nettesthelpers.h"

#include "eventlog.h"
#include "netlinksocketsource.h"
#include "networkengine.h"
#include "socketregistry.h"

#include <QSignalSpy>
#include <QTest>

#include <sys/socket.h>

using namespace SocketScope;
using namespace SocketScope::TestHelpers;

namespace {

// The kernel's state of the socket with exactly this local and remote port on loopback.
SocketState kernelState(quint16 localPort, quint16 remotePort)
{
    NetlinkSocketSource source;
    KernelFilter filter;
    filter.ports = {localPort};
    filter.udp = false;
    QString error;
    const std::optional<KernelSnapshot> snapshot = source.read(filter, &error);
    if (!snapshot)
        return SocketState::Unknown;
    for (const KernelSocket &socket : *snapshot) {
        if (socket.local.port == localPort && socket.remote && socket.remote->port == remotePort)
            return socket.facts.state;
    }
    return SocketState::Close; // gone from the table
}

} // namespace

class TestCloseWait : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void halfCloseHoldsBothStates();
    void closeWaitCanStillSend();
    void holdAppliesToForeignClients();
    void withoutHoldTheServerClosesAtOnce();

private:
    QPair<SocketId, SocketId> connectOneClient();

    std::unique_ptr<SocketRegistry> m_registry;
    std::unique_ptr<EventLog> m_log;
    std::unique_ptr<NetworkEngine> m_engine;
    quint16 m_port = 0;
};

void TestCloseWait::init()
{
    m_registry = std::make_unique<SocketRegistry>();
    m_log = std::make_unique<EventLog>();
    m_engine = std::make_unique<NetworkEngine>(*m_registry, *m_log);
    TcpServerConfig config;
    config.port = 0;
    config.behaviour = Behaviour::Discard;
    QVERIFY(!m_engine->startTcpServer(config).isError());
    m_port = m_engine->tcpServerEndpoint().port;
}

void TestCloseWait::cleanup()
{
    m_engine.reset();
    m_log.reset();
    m_registry.reset();
}

QPair<SocketId, SocketId> TestCloseWait::connectOneClient()
{
    const SpawnResult spawn = m_engine->spawnTcpClients(1);
    if (spawn.created != 1)
        return {};
    const SocketId client = spawn.ids.first();
    SocketId server = InvalidSocketId;
    const bool connected = QTest::qWaitFor(
            [&] {
                const SocketRecord *record = m_registry->find(client);
                if (!record || record->state != SocketState::Established || !record->remote)
                    return false;
                server = m_registry->findByTuple(Protocol::Tcp, *record->remote, record->local);
                return server != InvalidSocketId;
            },
            5000);
    return connected ? QPair<SocketId, SocketId>{client, server} : QPair<SocketId, SocketId>{};
}

void TestCloseWait::halfCloseHoldsBothStates()
{
    const auto [client, server] = connectOneClient();
    QVERIFY(server != InvalidSocketId);
    const quint16 clientPort = m_registry->find(client)->local.port;
    QVERIFY(!m_engine->halfClose(client).isError());

    QTRY_COMPARE_WITH_TIMEOUT(kernelState(clientPort, m_port), SocketState::FinWait2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(m_port, clientPort), SocketState::CloseWait, 5000);
    // Held, not a passing moment: both are still there a good while later.
    QTest::qWait(1500);
    QCOMPARE(kernelState(clientPort, m_port), SocketState::FinWait2);
    QCOMPARE(kernelState(m_port, clientPort), SocketState::CloseWait);
    const SocketRecord *serverRecord = m_registry->find(server);
    QVERIFY(serverRecord && serverRecord->isOpen());
    QCOMPARE(serverRecord->state, SocketState::CloseWait);
    QVERIFY(m_engine->availableActions(server).testFlag(SocketAction::Close));
    QVERIFY(!m_engine->availableActions(server).testFlag(SocketAction::HalfClose));

    // The lecturer closes the server's end: the client, having closed first, waits in
    // TIME_WAIT; the server's socket leaves the table.
    QVERIFY(!m_engine->close(server).isError());
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(clientPort, m_port), SocketState::TimeWait, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_registry->find(server), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(m_port, clientPort), SocketState::Close, 5000);
}

void TestCloseWait::closeWaitCanStillSend()
{
    const auto [client, server] = connectOneClient();
    QVERIFY(server != InvalidSocketId);
    const quint16 clientPort = m_registry->find(client)->local.port;
    QVERIFY(!m_engine->halfClose(client).isError());
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(m_port, clientPort), SocketState::CloseWait, 5000);
    const auto qtState = [this, server = server] {
        const SocketRecord *record = m_registry->find(server);
        return record ? record->state : SocketState::Unknown;
    };
    QTRY_COMPARE_WITH_TIMEOUT(qtState(), SocketState::CloseWait, 5000);
    // Half-closed means one direction only: the server may still talk to the client.
    QVERIFY(!m_engine->sendText(server, QStringLiteral("still here")).isError());
    QTRY_COMPARE_WITH_TIMEOUT(m_registry->find(client) ? m_registry->find(client)->bytesReceived
                                                       : 0,
                              quint64(11), 5000);
    QVERIFY(!m_engine->abort(server).isError());
    QTRY_VERIFY_WITH_TIMEOUT(!m_registry->find(server), 5000);
}

void TestCloseWait::holdAppliesToForeignClients()
{
    m_engine->setHoldCloseWait(true);
    Fd raw = rawTcpConnect(m_port);
    QVERIFY(raw.valid());
    const quint16 rawPort = localPortOf(raw.get());
    QTRY_VERIFY_WITH_TIMEOUT(
            m_registry->findByTuple(Protocol::Tcp, {QHostAddress(QHostAddress::LocalHost), m_port},
                                    Endpoint{QHostAddress(QHostAddress::LocalHost), rawPort})
                    != InvalidSocketId,
            5000);
    QCOMPARE(::shutdown(raw.get(), SHUT_WR), 0);
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(m_port, rawPort), SocketState::CloseWait, 5000);
    QTest::qWait(1000);
    QCOMPARE(kernelState(m_port, rawPort), SocketState::CloseWait);
    QCOMPARE(kernelState(rawPort, m_port), SocketState::FinWait2);
}

void TestCloseWait::withoutHoldTheServerClosesAtOnce()
{
    // Like most servers: end of input from the client, the server closes its end too.
    Fd raw = rawTcpConnect(m_port);
    QVERIFY(raw.valid());
    const quint16 rawPort = localPortOf(raw.get());
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(m_port, rawPort), SocketState::Established, 5000);
    QCOMPARE(::shutdown(raw.get(), SHUT_WR), 0);
    QTRY_COMPARE_WITH_TIMEOUT(kernelState(rawPort, m_port), SocketState::TimeWait, 5000);
}

QTEST_GUILESS_MAIN(TestCloseWait)
#include "tst_closewait.moc"
