// SPDX-License-Identifier: MIT
// The /proc/net fallback: sample lines in the kernel's format (addresses are the kernel's
// 32-bit words printed as host-order hex), and the real files against a socket we own.

#include "loopback.h"
#include "netlinksocketsource.h"
#include "procnetsocketsource.h"

#include <QTest>

using namespace SocketScope;

namespace {

const QByteArray kTcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr "
                              "tm->when retrnsmt   uid  timeout inode\n";

KernelFilter allPorts()
{
    KernelFilter filter;
    filter.wholeHost = true;
    return filter;
}

} // namespace

class TestProcNetParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (Q_BYTE_ORDER != Q_LITTLE_ENDIAN)
            QSKIP("the sample lines were taken on a little-endian host");
    }

    void ipv4Lines()
    {
        const QByteArray text
                = kTcpHeader
                  + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000"
                    "     0        0 12345 1 0000000000000000 100 0 0 10 0\n"
                    "   1: 0100007F:9C40 0100007F:1F90 01 0000000A:00000014 02:000003E8 00000000"
                    "  1000        0 23456 1 0000000000000000 20 4 30 10 -1\n"
                    "   2: 0100007F:9C41 0100007F:1F90 06 00000000:00000000 03:00001770 00000000"
                    "     0        0 0 3 0000000000000000\n";
        int bad = -1;
        const KernelSnapshot sockets
                = ProcNet::parse(text, Protocol::Tcp, ProcNet::Family::IPv4, allPorts(), 100, &bad);
        QCOMPARE(bad, 0);
        QCOMPARE(sockets.size(), 3);

        const KernelSocket &listener = sockets.at(0);
        QCOMPARE(listener.local, (Endpoint{QHostAddress(QStringLiteral("127.0.0.1")), 8080}));
        QVERIFY(!listener.remote);
        QCOMPARE(listener.facts.state, SocketState::Listen);
        QCOMPARE(listener.facts.recvQ, 3u); // rx_queue: the accept queue
        QCOMPARE(listener.facts.inode, 12345u);
        QCOMPARE(listener.facts.timerMs, -1);

        const KernelSocket &established = sockets.at(1);
        QCOMPARE(established.local.port, 40000);
        QCOMPARE(established.remote,
                 (std::optional<Endpoint>{{QHostAddress(QStringLiteral("127.0.0.1")), 8080}}));
        QCOMPARE(established.facts.state, SocketState::Established);
        QCOMPARE(established.facts.sendQ, 10u);
        QCOMPARE(established.facts.recvQ, 20u);
        QCOMPARE(established.uid, 1000u);
        QCOMPARE(established.facts.timerMs, 10000); // 0x3E8 ticks at 100 Hz

        const KernelSocket &timeWait = sockets.at(2);
        QCOMPARE(timeWait.facts.state, SocketState::TimeWait);
        QCOMPARE(timeWait.facts.timerMs, 60000); // 0x1770 = 6000 ticks
        QCOMPARE(timeWait.facts.inode, 0u);
    }

    void ipv6Lines()
    {
        const QByteArray text
                = kTcpHeader
                  + "   0: 00000000000000000000000001000000:1F90 "
                    "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
                    "00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
                    "   1: 0000000000000000FFFF00000100007F:1F90 "
                    "0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 "
                    "00000000     0        0 778 1 0000000000000000 20 4 30 10 -1\n"
                    "   2: 000080FE00000000FF005452125634FE:0016 "
                    "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
                    "00000000     0        0 779 1 0000000000000000 100 0 0 10 0\n";
        const KernelSnapshot sockets
                = ProcNet::parse(text, Protocol::Tcp, ProcNet::Family::IPv6, allPorts(), 100);
        QCOMPARE(sockets.size(), 3);
        QCOMPARE(sockets.at(0).local.address, QHostAddress(QStringLiteral("::1")));
        QCOMPARE(sockets.at(0).local.port, 8080);
        QVERIFY(!sockets.at(0).remote);
        QCOMPARE(sockets.at(1).local.address, QHostAddress(QStringLiteral("::ffff:127.0.0.1")));
        QCOMPARE(sockets.at(1).remote->port, 40000);
        // fe80::5254:ff:fe34:5612 -- each word's bytes reversed, words in order.
        QCOMPARE(sockets.at(2).local.address,
                 QHostAddress(QStringLiteral("fe80::5254:ff:fe34:5612")));
    }

    void udpAndFilter()
    {
        const QByteArray text = "   sl  local_address rem_address   st tx_queue rx_queue tr "
                                "tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
                                "  100: 0100007F:14E9 00000000:0000 07 00000000:00000000 "
                                "00:00000000 00000000     0        0 900 2 0000000000000000 0\n"
                                "  101: 0100007F:D000 0100007F:0035 01 00000000:00000000 "
                                "00:00000000 00000000     0        0 901 2 0000000000000000 0\n";
        KernelFilter filter;
        filter.ports = {53};
        const KernelSnapshot sockets
                = ProcNet::parse(text, Protocol::Udp, ProcNet::Family::IPv4, filter, 100);
        QCOMPARE(sockets.size(), 1); // 5353 filtered out, the one talking to :53 kept
        QCOMPARE(sockets.at(0).facts.state, SocketState::Established);
        QCOMPARE(sockets.at(0).remote->port, 53);
        filter.ports = {5353};
        const KernelSnapshot unconnected
                = ProcNet::parse(text, Protocol::Udp, ProcNet::Family::IPv4, filter, 100);
        QCOMPARE(unconnected.size(), 1);
        QCOMPARE(unconnected.at(0).facts.state, SocketState::Unconnected);
        QVERIFY(!unconnected.at(0).remote);
        filter.udp = false;
        QVERIFY(ProcNet::parse(text, Protocol::Udp, ProcNet::Family::IPv4, filter, 100).isEmpty());
    }

    // A read that resumed after the table shifted repeats a line: one socket, once.
    void repeatedLinesAreOneSocket()
    {
        const QByteArray listener = "0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 "
                                    "00000000     0        0 12345 1\n";
        const QByteArray other = "0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 "
                                 "00000000     0        0 12346 1\n";
        const QByteArray text
                = kTcpHeader + "   0: " + listener + "   1: " + other + "   1: " + listener;
        const KernelSnapshot sockets
                = ProcNet::parse(text, Protocol::Tcp, ProcNet::Family::IPv4, allPorts(), 100);
        QCOMPARE(sockets.size(), 2);
        QCOMPARE(sockets.at(0).facts.inode, 12345u);
        QCOMPARE(sockets.at(1).facts.inode, 12346u);
    }

    void badLinesAreSkipped_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("too few fields") << QByteArray("   0: 0100007F:1F90 00000000:0000 0A");
        QTest::newRow("v6 address in v4 file")
                << QByteArray("   0: 00000000000000000000000001000000:1F90 00000000:0000 0A "
                              "00000000:00000000 00:00000000 00000000 0 0 1 1");
        QTest::newRow("not hex") << QByteArray("   0: 0100007G:1F90 00000000:0000 0A "
                                               "00000000:00000000 00:00000000 00000000 0 0 1 1");
        QTest::newRow("port too long")
                << QByteArray("   0: 0100007F:11F90 00000000:0000 0A "
                              "00000000:00000000 00:00000000 00000000 0 0 1 1");
        QTest::newRow("no colon in queues")
                << QByteArray("   0: 0100007F:1F90 00000000:0000 0A "
                              "0000000000000000 00:00000000 00000000 0 0 1 1");
        // Found by tests/fuzz/fuzz_procnet: ticks * 1000 overflowed (undefined behaviour).
        QTest::newRow("timer past what ms can hold")
                << QByteArray("   0: 0100007F:1F90 00000000:0000 0A "
                              "00000000:00000000 20:50000000000000 00000000 0 0 1 1");
        QTest::newRow("inode not a number")
                << QByteArray("   0: 0100007F:1F90 00000000:0000 0A "
                              "00000000:00000000 00:00000000 00000000 0 0 x 1");
    }

    void badLinesAreSkipped()
    {
        QFETCH(QByteArray, line);
        const QByteArray good = "   1: 0100007F:1F91 00000000:0000 0A 00000000:00000000 "
                                "00:00000000 00000000     0        0 5 1\n";
        int bad = 0;
        const KernelSnapshot sockets
                = ProcNet::parse(QByteArray(kTcpHeader + line + '\n' + good), Protocol::Tcp,
                                 ProcNet::Family::IPv4, allPorts(), 100, &bad);
        QCOMPARE(bad, 1);
        QCOMPARE(sockets.size(), 1);
        QCOMPARE(sockets.at(0).local.port, 8081);
    }

    void realFilesAgreeWithNetlink()
    {
        Test::Fd listener = Test::listenTcp(4);
        QVERIFY(listener.isValid());
        const quint16 port = Test::localPort(listener.get());
        Test::Fd client = Test::connectTcp(port);
        QVERIFY(client.isValid());

        KernelFilter filter;
        filter.ports = {port};
        QString error;
        ProcNetSocketSource proc;
        const quint16 clientPort = Test::localPort(client.get());
        const auto fromProc = proc.read(filter, &error);
        QVERIFY2(fromProc, qPrintable(error));
        NetlinkSocketSource netlink;
        const auto netlinkAll = netlink.read(filter, &error);
        QVERIFY2(netlinkAll, qPrintable(error));
        const KernelSnapshot procOurs = Test::betweenPorts(*fromProc, {port, clientPort});
        const KernelSnapshot fromNetlink = Test::betweenPorts(*netlinkAll, {port, clientPort});
        QString seen;
        for (const KernelSocket &socket : procOurs)
            seen += QStringLiteral("%1 %2 -> %3 state %4 inode %5; ")
                            .arg(protocolName(socket.protocol), socket.local.toString(),
                                 socket.remote ? socket.remote->toString() : QStringLiteral("-"),
                                 stateName(socket.facts.state))
                            .arg(socket.facts.inode);
        // listener, client, the connection waiting in the queue
        QVERIFY2(procOurs.size() == 3, qPrintable(seen));
        QCOMPARE(procOurs.size(), fromNetlink.size());
        for (const KernelSocket &socket : procOurs) {
            const auto same = std::find_if(
                    fromNetlink.cbegin(), fromNetlink.cend(), [&](const KernelSocket &other) {
                        return other.local == socket.local && other.remote == socket.remote;
                    });
            QVERIFY(same != fromNetlink.cend());
            QCOMPARE(socket.facts.state, same->facts.state);
            QCOMPARE(socket.facts.inode, same->facts.inode);
            QCOMPARE(socket.facts.recvQ, same->facts.recvQ);
        }
    }
};

QTEST_GUILESS_MAIN(TestProcNetParser)
#include "tst_procnetparser.moc"
