// SPDX-License-Identifier: MIT
// NetlinkSocketSource against the kernel: real sockets on 127.0.0.1 (port 0) driven into
// each state, read through sock_diag and cross-checked with `ss -tanup`.

#include "loopback.h"
#include "netlinksocketsource.h"
#include "pidresolver.h"
#include "sstable.h"

#include <QCoreApplication>
#include <QTest>

#include <sys/socket.h>

#include <algorithm>
#include <tuple>

using namespace SocketScope;
using namespace SocketScope::Test;

namespace {

KernelFilter portsFilter(const QList<quint16> &ports)
{
    KernelFilter filter;
    filter.ports = ports;
    return filter;
}

class Reader
{
public:
    explicit Reader(QList<quint16> ports) : m_filter(portsFilter(ports)) { }
    KernelSnapshot read()
    {
        QString error;
        auto snapshot = m_source.read(m_filter, &error);
        if (!snapshot) {
            qWarning("netlink read failed: %s", qPrintable(error));
            return {};
        }
        m_pids.resolve(&*snapshot);
        return *snapshot;
    }
    // The socket with this local and remote port (remote 0: no peer), if the kernel has it.
    std::optional<KernelSocket> find(quint16 localPort, quint16 remotePort)
    {
        const KernelSnapshot snapshot = read();
        for (const KernelSocket &socket : snapshot) {
            if (socket.local.port == localPort
                && (socket.remote ? socket.remote->port : 0) == remotePort)
                return socket;
        }
        return std::nullopt;
    }
    qint64 recvQOf(quint16 localPort, quint16 remotePort)
    {
        const auto socket = find(localPort, remotePort);
        return socket ? qint64(socket->facts.recvQ) : -1;
    }
    SocketState stateOf(quint16 localPort, quint16 remotePort)
    {
        const auto socket = find(localPort, remotePort);
        return socket ? socket->facts.state : SocketState::Unknown;
    }

private:
    KernelFilter m_filter;
    NetlinkSocketSource m_source;
    PidResolver m_pids;
};

// Every socket in the snapshot appears in ss with the same state, queues and owner.
// Queues of a live connection could move between the two reads; the tests keep theirs idle.
bool agreesWithSs(const KernelSnapshot &snapshot, QString *why)
{
    const auto table = runSs();
    if (!table) {
        *why = QStringLiteral("ss could not be run");
        return false;
    }
    for (const KernelSocket &socket : snapshot) {
        const QString key = ssKey(socket);
        const auto it = table->constFind(key);
        if (it == table->cend()) {
            *why = QStringLiteral("ss lacks ") + key;
            return false;
        }
        const QString state = ssStateName(socket.facts.state);
        if (it->state != state || it->recvQ != socket.facts.recvQ || it->sendQ != socket.facts.sendQ
            || it->pid != socket.facts.pid) {
            *why = QStringLiteral("%1: ss says %2 %3/%4 pid %5, we say %6 %7/%8 pid %9")
                           .arg(key, it->state)
                           .arg(it->recvQ)
                           .arg(it->sendQ)
                           .arg(it->pid)
                           .arg(state)
                           .arg(socket.facts.recvQ)
                           .arg(socket.facts.sendQ)
                           .arg(socket.facts.pid);
            return false;
        }
    }
    return true;
}

} // namespace

class TestNetlinkSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        NetlinkSocketSource probe;
        if (!probe.read(portsFilter({1}), &error))
            QSKIP(qPrintable(QStringLiteral("sock_diag unavailable: ") + error));
        if (!runSs())
            QSKIP("ss (iproute2) is not installed");
    }

    void listenerAndEstablished()
    {
        Fd listener = listenTcp(8);
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());
        Fd client = connectTcp(port);
        QVERIFY(client.isValid());
        Fd server = acceptOne(listener.get());
        QVERIFY(server.isValid());
        const quint16 clientPort = localPort(client.get());

        Reader reader({port});
        const KernelSnapshot snapshot = betweenPorts(reader.read(), {port, clientPort});
        QCOMPARE(snapshot.size(), 3);
        const qint64 self = QCoreApplication::applicationPid();
        for (const KernelSocket &socket : snapshot) {
            QCOMPARE(socket.protocol, Protocol::Tcp);
            QCOMPARE(socket.local.address, QHostAddress(QHostAddress::LocalHost));
            QVERIFY(socket.facts.inode != 0);
            QCOMPARE(socket.facts.pid, self);
        }
        const auto listening = reader.find(port, 0);
        QVERIFY(listening);
        QCOMPARE(listening->facts.state, SocketState::Listen);
        QCOMPARE(listening->facts.recvQ, 0u); // accepted already
        QCOMPARE(listening->facts.sendQ, 8u); // the backlog
        // A listener's tcp_info describes its queue, not a connection: not kept.
        QVERIFY(!listening->tcpInfo);
        QCOMPARE(reader.stateOf(clientPort, port), SocketState::Established);
        QCOMPARE(reader.stateOf(port, clientPort), SocketState::Established);
        const auto established = reader.find(clientPort, port);
        QVERIFY(established && established->tcpInfo);
        QVERIFY(established->tcpInfo->rttUs > 0);

        QString why;
        QVERIFY2(agreesWithSs(reader.read(), &why), qPrintable(why));
    }

    // A process with CAP_NET_ADMIN may send to the probe's netlink port: a forged answer
    // waiting there must neither be believed nor spoil the kernel's.
    void answersComeFromTheKernelOnly()
    {
        const Fd forger = openNetlinkForger();
        QVERIFY(forger.isValid());
        Fd listener = listenTcp(8);
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());
        NetlinkSocketSource source;
        const KernelFilter filter = portsFilter({port});
        QString error;
        QVERIFY2(source.read(filter, &error), qPrintable(error));
        QVERIFY(source.portId() != 0);
        // A connection that does not exist, in every sequence number the next reads might use.
        for (quint32 seq = 0; seq < 32; ++seq) {
            const bool sent = sendForgedSockDiag(forger, source.portId(), SOCK_DIAG_BY_FAMILY, seq,
                                                 port, 1, 1);
            // Without CAP_NET_ADMIN the kernel refuses to deliver it (netlink_sendmsg: EPERM):
            // the forgery this test guards against cannot even be made.
            if (!sent && seq == 0 && errno == EPERM)
                QSKIP("only a process with CAP_NET_ADMIN can send to another process's netlink "
                      "socket; unprivileged, the kernel refuses the forged answer (EPERM)");
            QVERIFY2(sent, qPrintable(qt_error_string(errno)));
        }
        for (int read = 0; read < 3; ++read) {
            const auto snapshot = source.read(filter, &error);
            QVERIFY2(snapshot, qPrintable(error));
            QCOMPARE(snapshot->size(), 1);
            QCOMPARE(snapshot->first().facts.state, SocketState::Listen);
        }
    }

    void ipv6Sockets()
    {
        if (Fd probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)); !probe.isValid())
            QSKIP("this machine has no IPv6 (socket(AF_INET6) fails); nothing to read");
        Fd listener = listenTcp6Mapped(4);
        QVERIFY(listener.isValid());
        const quint16 port = localPort6(listener.get());
        Fd client = connectTcp6Mapped(port);
        QVERIFY(client.isValid());
        Fd server = acceptOne(listener.get());
        QVERIFY(server.isValid());
        const quint16 clientPort = localPort6(client.get());

        Reader reader({port});
        const KernelSnapshot snapshot = betweenPorts(reader.read(), {port, clientPort});
        QCOMPARE(snapshot.size(), 3);
        const QHostAddress mapped(QStringLiteral("::ffff:127.0.0.1"));
        for (const KernelSocket &socket : snapshot) {
            QCOMPARE(socket.local.address.protocol(), QAbstractSocket::IPv6Protocol);
            QCOMPARE(socket.local.address, mapped);
            QCOMPARE(socket.facts.pid, QCoreApplication::applicationPid());
        }
        QCOMPARE(reader.stateOf(port, 0), SocketState::Listen);
        QCOMPARE(reader.stateOf(clientPort, port), SocketState::Established);
        QString why;
        QVERIFY2(agreesWithSs(snapshot, &why), qPrintable(why));
    }

    void refreshFollowsKnownSockets()
    {
        // A refresh asks for known tuples only; it must see every state change of those
        // and the far ends they imply, and nothing else until the next discovery.
        Fd listener = listenTcp(0); // room for one queued connection
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());
        Fd first = connectTcp(port);
        QVERIFY(first.isValid());
        Fd second = connectTcpNonBlocking(port); // its SYN is dropped: the queue is full
        QVERIFY(second.isValid());
        const quint16 firstPort = localPort(first.get());
        const quint16 secondPort = localPort(second.get());

        NetlinkSocketSource source;
        source.setDiscoveryEvery(1000);
        KernelFilter filter = portsFilter({port});
        QString error;
        auto read = [&] {
            auto snapshot = source.read(filter, &error);
            return snapshot ? *snapshot : KernelSnapshot();
        };
        auto stateIn = [](const KernelSnapshot &snapshot, quint16 local, quint16 remote) {
            for (const KernelSocket &socket : snapshot) {
                if (socket.local.port == local && socket.remote && socket.remote->port == remote)
                    return socket.facts.state;
            }
            return SocketState::Unknown;
        };
        QCOMPARE(stateIn(read(), secondPort, port), SocketState::SynSent);
        QVERIFY(source.lastReadWasDiscovery()); // the first read after a filter change
        const KernelSnapshot discovered = betweenPorts(read(), {port, firstPort, secondPort});
        QVERIFY(!source.lastReadWasDiscovery());
        QCOMPARE(discovered.size(), 4); // listener, first (both ends), second (SYN_SENT)

        // Accepting frees the queue; the second client's retransmitted SYN (after about 1 s)
        // completes, and its server side is found through the reverse tuple.
        Fd firstServer = acceptOne(listener.get());
        QVERIFY(firstServer.isValid());
        QTRY_COMPARE_WITH_TIMEOUT(stateIn(read(), port, secondPort), SocketState::Established,
                                  10000);
        QVERIFY(!source.lastReadWasDiscovery());

        QCOMPARE(::shutdown(first.get(), SHUT_WR), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateIn(read(), firstPort, port), SocketState::FinWait2, 5000);
        QCOMPARE(stateIn(read(), port, firstPort), SocketState::CloseWait);
        firstServer.reset();
        QTRY_COMPARE_WITH_TIMEOUT(stateIn(read(), firstPort, port), SocketState::TimeWait, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(stateIn(read(), port, firstPort), SocketState::Unknown, 5000);

        // A connection nobody knew about, waiting in the accept queue, is evidence: the
        // listener counts more waiting connections than we know of, so the read walks.
        // (The second one is accepted first, so the third finds room in the queue.)
        Fd secondServer = acceptOne(listener.get());
        QVERIFY(secondServer.isValid());
        Fd third = connectTcpNonBlocking(port);
        QVERIFY(third.isValid());
        const quint16 thirdPort = localPort(third.get());
        KernelSnapshot full;
        // (A plain loop: QTRY_ would read once more after success, and that read refreshes.)
        for (int i = 0; i < 100 && stateIn(full, port, thirdPort) != SocketState::Established;
             ++i) {
            QTest::qWait(i == 0 ? 0 : 20);
            full = read();
        }
        QCOMPARE(stateIn(full, port, thirdPort), SocketState::Established);
        QVERIFY(source.lastReadWasDiscovery());
        QVERIFY(source.lastDiscoveryHadEvidence());
        QCOMPARE(stateIn(full, thirdPort, port), SocketState::Established);
        QCOMPARE(stateIn(read(), port, thirdPort), SocketState::Established); // still waiting
        QVERIFY(!source.lastReadWasDiscovery()); // known now: no more walks for it

        // A connection nobody waits for and nobody hinted at stays unseen until a walk; the
        // caller's hint finds it, and its far end, in the very next refresh.
        Fd thirdServer = acceptOne(listener.get());
        QVERIFY(thirdServer.isValid());
        Fd fourth = connectTcp(port);
        QVERIFY(fourth.isValid());
        Fd fourthServer = acceptOne(listener.get());
        QVERIFY(fourthServer.isValid());
        const quint16 fourthPort = localPort(fourth.get());
        QCOMPARE(stateIn(read(), fourthPort, port), SocketState::Unknown);
        QVERIFY(!source.lastReadWasDiscovery());
        filter.connections.append({Endpoint{QHostAddress::LocalHost, fourthPort},
                                   Endpoint{QHostAddress::LocalHost, port}});
        const KernelSnapshot hinted = read();
        QVERIFY(!source.lastReadWasDiscovery());
        QCOMPARE(stateIn(hinted, fourthPort, port), SocketState::Established);
        QCOMPARE(stateIn(hinted, port, fourthPort), SocketState::Established);

        source.setDiscoveryEvery(1);
        full = read();
        QVERIFY(source.lastReadWasDiscovery());
        QVERIFY(!source.lastDiscoveryHadEvidence());

        // On stable sockets a refresh and a discovery agree exactly (TCP_INFO aside).
        source.setDiscoveryEvery(1000);
        const KernelSnapshot refreshed = read();
        QVERIFY(!source.lastReadWasDiscovery());
        auto normalised = [](KernelSnapshot snapshot) {
            for (KernelSocket &socket : snapshot) {
                socket.tcpInfo.reset();
                socket.facts.timerMs = socket.facts.timerMs >= 0 ? 1 : -1; // counts down
            }
            std::sort(snapshot.begin(), snapshot.end(),
                      [](const KernelSocket &a, const KernelSocket &b) {
                          return std::tuple(a.local.port, a.remote ? a.remote->port : 0)
                                 < std::tuple(b.local.port, b.remote ? b.remote->port : 0);
                      });
            return snapshot;
        };
        const QList<quint16> ours{port, firstPort, secondPort, thirdPort, fourthPort};
        QCOMPARE(normalised(betweenPorts(refreshed, ours)), normalised(betweenPorts(full, ours)));
    }

    void adaptiveDiscovery()
    {
        // On this host a dump is cheap, so with the default budget every read discovers;
        // with a tiny budget, discovery spaces out, but never beyond MaxDiscoveryEvery.
        Fd listener = listenTcp(1);
        NetlinkSocketSource source;
        const KernelFilter filter = portsFilter({localPort(listener.get())});
        QString error;
        QVERIFY2(source.read(filter, &error), qPrintable(error));
        QVERIFY(source.lastDiscoveryMs() > 0);
        source.setDiscoveryBudgetMs(1e-6);
        QCOMPARE(source.discoveryEvery(), NetlinkSocketSource::MaxDiscoveryEvery);
        int discoveries = 0;
        for (int i = 0; i < 3 * NetlinkSocketSource::MaxDiscoveryEvery; ++i) {
            const auto snapshot = source.read(filter, &error);
            QVERIFY2(snapshot, qPrintable(error));
            // the listener, by either path
            QCOMPARE(betweenPorts(*snapshot, filter.ports).size(), 1);
            discoveries += source.lastReadWasDiscovery() ? 1 : 0;
        }
        QCOMPARE(discoveries, 3);
        source.setDiscoveryBudgetMs(0);
        QCOMPARE(source.discoveryEvery(), 1);
    }

    void filterOfThousandsOfPorts()
    {
        // 1000 ports fit a kernel filter; 5000 do not (an attribute's length is 16 bits), and
        // are filtered here instead. Either way: the watched sockets, nothing else.
        Fd watched = listenTcp(1);
        Fd other = listenTcp(1);
        Fd udp = bindUdp();
        QVERIFY(watched.isValid() && other.isValid() && udp.isValid());
        const quint16 watchedPort = localPort(watched.get());
        const quint16 otherPort = localPort(other.get());
        const quint16 udpPort = localPort(udp.get());
        for (int count : {1000, 5000}) {
            KernelFilter filter;
            filter.ports = {watchedPort};
            for (int i = 0; filter.udpPorts.size() < count; ++i) {
                const auto port = quint16(20000 + i);
                if (port != otherPort && port != watchedPort)
                    filter.udpPorts.append(port);
            }
            filter.udpPorts.append(udpPort);
            NetlinkSocketSource source;
            QString error;
            const auto snapshot = source.read(filter, &error);
            QVERIFY2(snapshot, qPrintable(error));
            QCOMPARE(betweenPorts(*snapshot, {watchedPort}).size(), 1);
            QCOMPARE(betweenPorts(*snapshot, {udpPort}).size(), 1);
            QVERIFY(betweenPorts(*snapshot, {otherPort}).isEmpty());
            for (const KernelSocket &socket : *snapshot)
                QVERIFY(filter.matches(socket.protocol, socket.local.port,
                                       socket.remote ? socket.remote->port : 0));
        }
    }

    void filterRunsInKernel()
    {
        Fd watched = listenTcp(1);
        Fd other = listenTcp(1);
        Fd udp = bindUdp();
        QVERIFY(watched.isValid() && other.isValid() && udp.isValid());
        const quint16 watchedPort = localPort(watched.get());
        const quint16 udpPort = localPort(udp.get());

        const quint16 otherPort = localPort(other.get());
        Reader reader({watchedPort, udpPort});
        const KernelSnapshot snapshot = reader.read();
        QCOMPARE(betweenPorts(snapshot, {watchedPort, udpPort}).size(), 2);
        QVERIFY(betweenPorts(snapshot, {otherPort}).isEmpty()); // the kernel left it out

        KernelFilter tcpOnly = portsFilter({watchedPort, udpPort});
        tcpOnly.udp = false;
        NetlinkSocketSource source;
        QString error;
        const auto tcp = source.read(tcpOnly, &error);
        QVERIFY2(tcp, qPrintable(error));
        QCOMPARE(betweenPorts(*tcp, {watchedPort, udpPort}).size(), 1);
        for (const KernelSocket &socket : *tcp)
            QCOMPARE(socket.protocol, Protocol::Tcp);

        KernelFilter nothing;
        const auto empty = source.read(nothing, &error);
        QVERIFY(empty && empty->isEmpty());

        KernelFilter whole;
        whole.wholeHost = true;
        const auto all = source.read(whole, &error);
        QVERIFY2(all, qPrintable(error));
        QVERIFY(all->size() >= 3);
    }

    void udpSockets()
    {
        Fd server = bindUdp();
        QVERIFY(server.isValid());
        const quint16 port = localPort(server.get());
        Fd client = bindUdp();
        QVERIFY(client.isValid());
        const sockaddr_in to = loopback(port);
        QCOMPARE(::connect(client.get(), reinterpret_cast<const sockaddr *>(&to), sizeof(to)), 0);
        QCOMPARE(::send(client.get(), "hello", 5, 0), ssize_t(5));

        Reader reader({port});
        const auto unconnected = reader.find(port, 0);
        QVERIFY(unconnected);
        QCOMPARE(unconnected->protocol, Protocol::Udp);
        QCOMPARE(unconnected->facts.state, SocketState::Unconnected);
        QVERIFY(!unconnected->remote);
        QVERIFY(unconnected->facts.recvQ > 0); // the datagram waits, unread
        const auto connected = reader.find(localPort(client.get()), port);
        QVERIFY(connected);
        QCOMPARE(connected->facts.state, SocketState::Established);

        QString why;
        QVERIFY2(agreesWithSs(reader.read(), &why), qPrintable(why));
    }

    void acceptQueue_data()
    {
        QTest::addColumn<int>("backlog");
        QTest::addColumn<int>("clients");
        QTest::newRow("empty") << 4 << 0;
        QTest::newRow("two waiting") << 4 << 2;
        QTest::newRow("queue at backlog") << 4 << 4;
        // Linux admits backlog + 1 (the queue is full only when it exceeds the backlog); the
        // rest have their SYNs dropped and stay in SYN_SENT.
        QTest::newRow("overflow") << 2 << 5;
    }

    void acceptQueue()
    {
        QFETCH(int, backlog);
        QFETCH(int, clients);
        Fd listener = listenTcp(backlog);
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());
        std::vector<Fd> connecting;
        for (int i = 0; i < clients; ++i) {
            connecting.push_back(connectTcpNonBlocking(port));
            QVERIFY(connecting.back().isValid());
        }
        const int queued = qMin(clients, backlog + 1);
        Reader reader({port});
        QTRY_COMPARE_WITH_TIMEOUT(reader.recvQOf(port, 0), qint64(queued), 5000);
        const auto listening = reader.find(port, 0);
        QVERIFY(listening);
        QCOMPARE(listening->facts.state, SocketState::Listen);
        QCOMPARE(listening->facts.sendQ, quint32(backlog));

        int established = 0;
        int synSent = 0;
        for (const Fd &fd : connecting) {
            const SocketState state = reader.stateOf(localPort(fd.get()), port);
            established += state == SocketState::Established ? 1 : 0;
            synSent += state == SocketState::SynSent ? 1 : 0;
        }
        QCOMPARE(established, queued);
        QCOMPARE(synSent, clients - queued);
        // Completed by the kernel but not accepted: no process holds the server side yet.
        const KernelSnapshot snapshot = reader.read();
        int serverSides = 0;
        for (const KernelSocket &socket : snapshot) {
            if (socket.local.port == port && socket.remote) {
                ++serverSides;
                QCOMPARE(socket.facts.inode, 0u);
                QCOMPARE(socket.facts.pid, 0);
            }
        }
        QCOMPARE(serverSides, queued);
        QString why;
        QVERIFY2(agreesWithSs(snapshot, &why), qPrintable(why));
    }

    void halfClose()
    {
        Fd listener = listenTcp(4);
        const quint16 port = localPort(listener.get());
        Fd client = connectTcp(port);
        Fd server = acceptOne(listener.get());
        QVERIFY(client.isValid() && server.isValid());
        const quint16 clientPort = localPort(client.get());
        // The client says it has nothing more to send; the server does not close.
        QCOMPARE(::shutdown(client.get(), SHUT_WR), 0);

        Reader reader({port});
        QTRY_COMPARE_WITH_TIMEOUT(reader.stateOf(clientPort, port), SocketState::FinWait2, 5000);
        QCOMPARE(reader.stateOf(port, clientPort), SocketState::CloseWait);
        QString why;
        QVERIFY2(agreesWithSs(reader.read(), &why), qPrintable(why));
    }

    void activeCloserHoldsTimeWait()
    {
        Fd listener = listenTcp(4);
        const quint16 port = localPort(listener.get());
        Fd client = connectTcp(port);
        Fd server = acceptOne(listener.get());
        QVERIFY(client.isValid() && server.isValid());
        const quint16 clientPort = localPort(client.get());

        Reader reader({port});
        client.reset(); // the client closes first: the active closer
        QTRY_COMPARE_WITH_TIMEOUT(reader.stateOf(port, clientPort), SocketState::CloseWait, 5000);
        server.reset(); // the passive side closes after it
        QTRY_COMPARE_WITH_TIMEOUT(reader.stateOf(clientPort, port), SocketState::TimeWait, 5000);
        // LAST_ACK is over as soon as the final ACK arrives, which on loopback is at once.
        QTRY_VERIFY_WITH_TIMEOUT(!reader.find(port, clientPort), 5000);

        const auto timeWait = reader.find(clientPort, port);
        QVERIFY(timeWait);
        QVERIFY2(timeWait->facts.timerMs > 0 && timeWait->facts.timerMs <= 60000,
                 qPrintable(QString::number(timeWait->facts.timerMs)));
        QCOMPARE(timeWait->facts.inode, 0u); // no process holds it any more
        QCOMPARE(timeWait->facts.pid, 0);
        QString why;
        QVERIFY2(agreesWithSs(reader.read(), &why), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestNetlinkSource)
#include "tst_netlinksource.moc"
