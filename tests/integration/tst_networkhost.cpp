// SPDX-License-Identifier: MIT
// The network in its own thread, as the app runs it: real clients on loopback, their
// records copied into a registry of this thread.
#include "eventlog.h"
#include "networkengine.h"
#include "networkhost.h"
#include "registrymirror.h"
#include "socketregistry.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

class TestNetworkHost : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void windowRegistryFollowsTheNetworkThread()
    {
        SocketRegistry registry;
        EventLog log;
        QSignalSpy traffic(&registry, &SocketRegistry::trafficObserved);
        {
            NetworkHost network;
            QVERIFY(network.engine().thread() != QThread::currentThread());
            network.mirrorInto(registry, log);
            NetworkEngine &engine = network.engine();
            QVERIFY(network.run([&] {
                TcpServerConfig tcp;
                tcp.port = 0;
                UdpServerConfig udp;
                udp.port = 0;
                return !engine.startTcpServer(tcp).isError()
                       && !engine.startUdpServer(udp).isError();
            }));
            const SpawnResult tcp = network.run([&] { return engine.spawnTcpClients(10); });
            const SpawnResult udp = network.run([&] { return engine.spawnUdpClients(5); });
            QCOMPARE(tcp.created, 10);
            QCOMPARE(udp.created, 5);
            // 1 listener, 10 clients, 10 accepted, 1 UDP server, 5 UDP clients.
            QTRY_COMPARE_WITH_TIMEOUT(registry.count(), qsizetype(27), 5000);
            for (SocketId id : tcp.ids)
                QTRY_COMPARE_WITH_TIMEOUT(registry.find(id)->state, SocketState::Established, 5000);
            QVERIFY(!network.run([&] {
                                return engine.sendText(udp.ids.constFirst(),
                                                       QStringLiteral("ping"));
                            })
                             .isError());
            QTRY_VERIFY_WITH_TIMEOUT(!traffic.isEmpty(), 5000);
            QTRY_COMPARE_WITH_TIMEOUT(registry.find(udp.ids.constFirst())->datagramsReceived,
                                      quint64(1), 5000); // the echo
            QVERIFY(!log.events().isEmpty()); // the engine's log reached this thread's
            QCOMPARE(network.run([&] { return engine.tcpClientCount(); }), qsizetype(10));
            // Stopping the UDP server: syncNow() shows it at once, without waiting for a frame.
            network.run([&] { engine.stopUdpServer(); });
            const SocketId udpServer = network.run([&] { return engine.udpServerId(); });
            network.syncNow(registry, log);
            QCOMPARE(udpServer, InvalidSocketId);
            bool anyUdpServer = false;
            for (SocketId id : registry.ids())
                anyUdpServer |= registry.find(id)->role == SocketRole::UdpServer
                                && registry.find(id)->isOpen();
            QVERIFY(!anyUdpServer);
        }
        // The host closed every socket in its thread and stopped it; nothing is left running.
        QVERIFY(registry.count() > 0); // the copy stays as it was last sent
    }
};

QTEST_GUILESS_MAIN(TestNetworkHost)
#include "tst_networkhost.moc"
