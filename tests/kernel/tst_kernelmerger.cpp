// SPDX-License-Identifier: MIT
// KernelMerger: kernel facts onto Qt's records, kernel-only records for what only the kernel
// has (TIME_WAIT, the accept queue, other programs), and their removal when they are gone.

#include "kernelmerger.h"
#include "loopback.h"
#include "netlinksocketsource.h"
#include "pidresolver.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>

#include <unistd.h>

using namespace SocketScope;
using namespace SocketScope::Test;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

Endpoint at(quint16 port, const QHostAddress &address = kLocal)
{
    return {address, port};
}

KernelSocket kernelSocket(Protocol protocol, Endpoint local, std::optional<Endpoint> remote,
                          SocketState state, qint64 pid = 0, quint64 inode = 0)
{
    KernelSocket socket;
    socket.protocol = protocol;
    socket.local = std::move(local);
    socket.remote = std::move(remote);
    socket.facts.state = state;
    socket.facts.pid = pid;
    socket.facts.inode = inode;
    return socket;
}

SocketRecord qtRecord(SocketRole role, Endpoint local, std::optional<Endpoint> remote,
                      SocketState state)
{
    SocketRecord record;
    record.protocol = role == SocketRole::UdpServer || role == SocketRole::UdpClient
                              ? Protocol::Udp
                              : Protocol::Tcp;
    record.role = role;
    record.local = std::move(local);
    record.remote = std::move(remote);
    record.state = state;
    return record;
}

} // namespace

class TestKernelMerger : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void factsGoOntoQtRecords()
    {
        SocketRegistry registry;
        const qint64 self = QCoreApplication::applicationPid();
        // Qt listens on Any (dual stack); the kernel reports [::]:7000.
        const SocketId listener
                = registry.add(qtRecord(SocketRole::TcpListener, at(7000, QHostAddress::Any),
                                        std::nullopt, SocketState::Listen));
        // Qt wrote the accepted socket's addresses as plain IPv4; the kernel, v4-mapped.
        const SocketId accepted = registry.add(
                qtRecord(SocketRole::TcpServerSide, at(7000), at(40000), SocketState::Established));
        const SocketId client = registry.add(
                qtRecord(SocketRole::TcpClient, at(40000), at(7000), SocketState::Established));
        const SocketId udp
                = registry.add(qtRecord(SocketRole::UdpServer, at(7001, QHostAddress::AnyIPv4),
                                        std::nullopt, SocketState::Unconnected));
        const QHostAddress mapped(QStringLiteral("::ffff:127.0.0.1"));

        KernelSnapshot snapshot{
                kernelSocket(Protocol::Tcp, at(7000, QHostAddress::AnyIPv6), std::nullopt,
                             SocketState::Listen, self, 10),
                kernelSocket(Protocol::Tcp, at(7000, mapped), at(40000, mapped),
                             SocketState::Established, self, 11),
                kernelSocket(Protocol::Tcp, at(40000), at(7000), SocketState::FinWait2, self, 12),
                kernelSocket(Protocol::Udp, at(7001, QHostAddress::AnyIPv4), std::nullopt,
                             SocketState::Unconnected, self, 13),
        };
        snapshot[0].facts.recvQ = 2;
        snapshot[0].facts.sendQ = 50;

        KernelMerger merger(registry);
        QSignalSpy added(&registry, &SocketRegistry::socketAdded);
        QSignalSpy changed(&registry, &SocketRegistry::socketChanged);
        const KernelMerger::Result result = merger.apply(snapshot);
        QCOMPARE(result.matched, 4);
        QCOMPARE(result.added, 0);
        QCOMPARE(added.size(), 0);
        QCOMPARE(changed.size(), 4);
        QCOMPARE(registry.count(), 4);
        QCOMPARE(registry.find(listener)->kernel->recvQ, 2u);
        QCOMPARE(registry.find(listener)->kernel->sendQ, 50u);
        QCOMPARE(registry.find(accepted)->kernel->inode, 11u);
        // Qt's own state stays beside the kernel's.
        QCOMPARE(registry.find(client)->state, SocketState::Established);
        QCOMPARE(registry.find(client)->kernel->state, SocketState::FinWait2);
        QCOMPARE(registry.find(client)->effectiveState(), SocketState::FinWait2);
        QCOMPARE(registry.find(udp)->kernel->inode, 13u);

        // The same snapshot again changes nothing: no signal storm at 10 Hz.
        changed.clear();
        merger.apply(snapshot);
        QCOMPARE(changed.size(), 0);

        // The kernel forgets the client: its record stays with Qt's state, facts dropped.
        snapshot.removeAt(2);
        const KernelMerger::Result later = merger.apply(snapshot);
        QCOMPARE(later.cleared, 1);
        QVERIFY(registry.contains(client));
        QVERIFY(!registry.find(client)->kernel);
        QCOMPARE(registry.find(client)->effectiveState(), SocketState::Established);
    }

    // Item 8 of the integrity issue: to an ordinary user another user's socket has no pid
    // (its /proc is closed), and it was drawn as our own tcp-client. The kernel's uid says
    // whose it is; a socket without an inode (TIME_WAIT) stays ours as before.
    void anotherUsersSocketIsNotOurs()
    {
        SocketRegistry registry;
        registry.add(
                qtRecord(SocketRole::TcpListener, at(7000), std::nullopt, SocketState::Listen));
        KernelSocket theirs = kernelSocket(Protocol::Tcp, at(42000), at(7000),
                                           SocketState::Established, 0, 501);
        theirs.uid = static_cast<quint32>(::geteuid()) + 1;
        KernelSocket ours = kernelSocket(Protocol::Tcp, at(42001), at(7000),
                                         SocketState::Established, 0, 502);
        ours.uid = static_cast<quint32>(::geteuid());
        KernelSocket timeWait
                = kernelSocket(Protocol::Tcp, at(42002), at(7000), SocketState::TimeWait, 0, 0);
        KernelMerger merger(registry);
        merger.apply({theirs, ours, timeWait});
        QCOMPARE(registry.find(registry.findByTuple(Protocol::Tcp, at(42000), at(7000)))->role,
                 SocketRole::ExternalPeer);
        QCOMPARE(registry.find(registry.findByTuple(Protocol::Tcp, at(42001), at(7000)))->role,
                 SocketRole::TcpClient);
        QCOMPARE(registry.find(registry.findByTuple(Protocol::Tcp, at(42002), at(7000)))->role,
                 SocketRole::TcpClient);
    }

    // Another program's socket bound to our UDP server's very address and port (it set
    // SO_REUSEPORT, as the connected model's sockets do): the kernel splits the datagrams
    // between the two, so our socket says so while it is there, and stops once it is gone.
    void portSharerIsNamedOnOurSocket()
    {
        SocketRegistry registry;
        const SocketId udp = registry.add(
                qtRecord(SocketRole::UdpServer, at(7001), std::nullopt, SocketState::Unconnected));
        const qint64 self = QCoreApplication::applicationPid();
        KernelSocket ours = kernelSocket(Protocol::Udp, at(7001), std::nullopt,
                                         SocketState::Unconnected, self, 11);
        KernelSocket intruder = kernelSocket(Protocol::Udp, at(7001), std::nullopt,
                                             SocketState::Unconnected, 4242, 12);
        intruder.facts.program = QStringLiteral("python3");
        KernelMerger merger(registry);
        merger.apply({intruder, ours}); // the kernel may list theirs first
        const QString note = registry.find(udp)->kernel->sharedWith;
        QCOMPARE(note, QStringLiteral("python3, pid 4242"));
        QVERIFY(sharedPortText(*registry.find(udp)->kernel)
                        .contains(QLatin1String("SO_REUSEPORT")));
        QCOMPARE(registry.find(udp)->kernel->pid, self); // the facts stay our socket's
        merger.apply({ours});
        QVERIFY(registry.find(udp)->kernel->sharedWith.isEmpty());
    }

    void unrelatedPortSharersStayOut()
    {
        // Our client got ephemeral port 41000 while an old connection of someone else's on
        // 41000 (to port 5555) still waits in TIME_WAIT: same number, nothing to do with us.
        SocketRegistry registry;
        registry.add(
                qtRecord(SocketRole::TcpListener, at(7000), std::nullopt, SocketState::Listen));
        registry.add(
                qtRecord(SocketRole::TcpClient, at(41000), at(7000), SocketState::Established));
        KernelMerger merger(registry);
        const KernelSnapshot snapshot{
                kernelSocket(Protocol::Tcp, at(41000), at(7000), SocketState::Established),
                kernelSocket(Protocol::Tcp, at(41000), at(5555), SocketState::TimeWait),
        };
        KernelMerger::Result result = merger.apply(snapshot);
        QCOMPARE(result.matched, 1);
        QCOMPARE(result.added, 0);
        QCOMPARE(registry.count(), 2);
        // The whole-host view shows everything the kernel has.
        merger.setShowUnrelated(true);
        result = merger.apply(snapshot);
        QCOMPARE(result.added, 1);
        QCOMPARE(registry.count(), 3);
    }

    void kernelOnlyRecords()
    {
        SocketRegistry registry;
        const qint64 self = QCoreApplication::applicationPid();
        registry.add(
                qtRecord(SocketRole::TcpListener, at(7000), std::nullopt, SocketState::Listen));
        KernelMerger merger(registry);
        const qint64 stranger = 999999;
        merger.setOwnProcessPredicate([](qint64) { return false; });

        KernelSocket timeWait
                = kernelSocket(Protocol::Tcp, at(41000), at(7000), SocketState::TimeWait);
        timeWait.facts.timerMs = 59000;
        KernelSnapshot snapshot{
                kernelSocket(Protocol::Tcp, at(7000), std::nullopt, SocketState::Listen, self, 1),
                timeWait, // left by a client that closed first
                // completed by the kernel, not yet accepted: no inode, no owner
                kernelSocket(Protocol::Tcp, at(7000), at(41001), SocketState::Established),
                // another program talking to our port
                kernelSocket(Protocol::Tcp, at(41002), at(7000), SocketState::Established, stranger,
                             5),
        };
        snapshot[3].facts.program = QStringLiteral("nc");
        QSignalSpy added(&registry, &SocketRegistry::socketAdded);
        QSignalSpy removed(&registry, &SocketRegistry::socketRemoved);
        const KernelMerger::Result result = merger.apply(snapshot);
        QCOMPARE(result.matched, 1);
        QCOMPARE(result.added, 3);
        QCOMPARE(added.size(), 3);

        auto recordFor = [&](const KernelSocket &socket) {
            return registry.find(
                    registry.findByTuple(socket.protocol, socket.local, socket.remote));
        };
        const SocketRecord *tw = recordFor(snapshot[1]);
        QVERIFY(tw);
        QVERIFY(tw->kernelOnly);
        QCOMPARE(tw->role, SocketRole::TcpClient);
        QCOMPARE(tw->effectiveState(), SocketState::TimeWait);
        QCOMPARE(tw->kernel->timerMs, 59000);
        const SocketRecord *queued = recordFor(snapshot[2]);
        QVERIFY(queued && queued->kernelOnly);
        QCOMPARE(queued->role, SocketRole::TcpServerSide);
        const SocketRecord *external = recordFor(snapshot[3]);
        QVERIFY(external && external->kernelOnly);
        QCOMPARE(external->role, SocketRole::ExternalPeer);
        QCOMPARE(external->pid, stranger);
        QCOMPARE(external->program, QStringLiteral("nc")); // named as ss names it

        // Still there next time: updated in place, not re-added.
        snapshot[1].facts.timerMs = 58900;
        added.clear();
        QCOMPARE(merger.apply(snapshot).added, 0);
        QCOMPARE(added.size(), 0);
        QCOMPARE(recordFor(snapshot[1])->kernel->timerMs, 58900);

        // TIME_WAIT expires; the queued connection is accepted and Qt reports it.
        const SocketId queuedId = queued->id;
        const SocketId acceptedId = registry.add(
                qtRecord(SocketRole::TcpServerSide, at(7000), at(41001), SocketState::Established));
        const SocketId timeWaitId = tw->id;
        snapshot.removeAt(1);
        const KernelMerger::Result later = merger.apply(snapshot);
        QCOMPARE(later.removed, 2);
        QCOMPARE(removed.size(), 2);
        QVERIFY(!registry.contains(timeWaitId));
        QVERIFY(!registry.contains(queuedId));
        QVERIFY(registry.find(acceptedId)->kernel);
        QCOMPARE(registry.findByTuple(Protocol::Tcp, at(7000), at(41001)), acceptedId);

        // The external peer closes first: its TIME_WAIT has no file and no owner any more,
        // and says so, as ss does, instead of keeping nc's pid.
        const KernelSocket externalEstablished = snapshot[2];
        snapshot[2] = kernelSocket(Protocol::Tcp, at(41002), at(7000), SocketState::TimeWait);
        merger.apply(snapshot);
        const SocketRecord *closedExternal = recordFor(snapshot[2]);
        QVERIFY(closedExternal);
        QCOMPARE(closedExternal->effectiveState(), SocketState::TimeWait);
        QCOMPARE(closedExternal->pid, 0);
        QVERIFY(closedExternal->program.isEmpty());
        snapshot[2] = externalEstablished;
        merger.apply(snapshot);

        // The external peer's port (41002) is not ours to watch; the records Qt made are.
        QCOMPARE(KernelMerger::portsToWatch(registry).ports, (QList<quint16>{7000}));
        QVERIFY(KernelMerger::portsToWatch(registry).udpOnly.isEmpty());

        merger.reset();
        QCOMPARE(registry.count(), 2); // only Qt's records remain
        for (SocketId id : registry.ids())
            QVERIFY(!registry.find(id)->kernel);
    }

    void portsToWatchStayFewWithManyClients()
    {
        // 500 TCP clients of our server and their accepted sockets are all caught by the
        // server's port; 300 UDP clients need their own ports, for UDP only; a client of
        // someone else's server needs its own port.
        SocketRegistry registry;
        registry.add(
                qtRecord(SocketRole::TcpListener, at(7000), std::nullopt, SocketState::Listen));
        registry.add(
                qtRecord(SocketRole::UdpServer, at(7001), std::nullopt, SocketState::Unconnected));
        for (quint16 port = 40000; port < 40500; ++port) {
            registry.add(
                    qtRecord(SocketRole::TcpClient, at(port), at(7000), SocketState::Established));
            registry.add(qtRecord(SocketRole::TcpServerSide, at(7000), at(port),
                                  SocketState::Established));
        }
        QList<quint16> udpClients;
        for (quint16 port = 50000; port < 50300; ++port) {
            registry.add(qtRecord(SocketRole::UdpClient, at(port), std::nullopt,
                                  SocketState::Unconnected));
            udpClients.append(port);
        }
        registry.add(
                qtRecord(SocketRole::TcpClient, at(45000), at(8080), SocketState::Established));
        const KernelMerger::WatchedPorts watched = KernelMerger::portsToWatch(registry);
        QCOMPARE(watched.ports, (QList<quint16>{7000, 7001, 45000}));
        QCOMPARE(watched.udpOnly, udpClients);

        // Every one of those sockets still matches the filter built from them.
        KernelFilter filter;
        filter.ports = watched.ports;
        filter.udpPorts = watched.udpOnly;
        for (SocketId id : registry.ids()) {
            const SocketRecord *record = registry.find(id);
            QVERIFY(filter.matches(record->protocol, record->local.port,
                                   record->remote ? record->remote->port : 0));
        }
        QVERIFY(!filter.matches(Protocol::Tcp, 50000, 9999)); // UDP-only ports stay UDP
    }

    void realTimeWaitBecomesKernelOnly()
    {
        SocketRegistry registry;
        Fd listener = listenTcp(4);
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());
        registry.add(
                qtRecord(SocketRole::TcpListener, at(port), std::nullopt, SocketState::Listen));
        Fd client = connectTcp(port);
        Fd server = acceptOne(listener.get());
        QVERIFY(client.isValid() && server.isValid());
        const quint16 clientPort = localPort(client.get());
        client.reset();
        server.reset();

        KernelFilter filter;
        filter.ports = {port};
        NetlinkSocketSource source;
        PidResolver pids;
        KernelMerger merger(registry);
        auto poll = [&] {
            QString error;
            auto snapshot = source.read(filter, &error);
            if (!snapshot)
                return false;
            pids.resolve(&*snapshot);
            merger.apply(*snapshot);
            return true;
        };
        auto timeWaitRecord = [&]() -> const SocketRecord * {
            return registry.find(registry.findByTuple(Protocol::Tcp, at(clientPort), at(port)));
        };
        QTRY_VERIFY_WITH_TIMEOUT(poll() && timeWaitRecord()
                                         && timeWaitRecord()->effectiveState()
                                                    == SocketState::TimeWait,
                                 5000);
        QVERIFY(timeWaitRecord()->kernelOnly);
        QCOMPARE(timeWaitRecord()->role, SocketRole::TcpClient);
        QVERIFY(timeWaitRecord()->kernel->timerMs > 0);
        const SocketRecord *listening
                = registry.find(registry.findByTuple(Protocol::Tcp, at(port), std::nullopt));
        QVERIFY(listening && !listening->kernelOnly && listening->kernel);
        const SocketId listenerId = listening->id;
        QCOMPARE(listening->kernel->state, SocketState::Listen);
        QCOMPARE(listening->kernel->pid, QCoreApplication::applicationPid());

        // The TIME_WAIT socket leaves the kernel's answer (here: the filter moves off its
        // port, as it would after its 60 s) and the record goes with it.
        Fd elsewhere = listenTcp(1);
        filter.ports = {localPort(elsewhere.get())};
        QVERIFY(poll());
        QVERIFY(!timeWaitRecord());
        QVERIFY(registry.find(listenerId)); // Qt's listener stays, without stale facts
        QVERIFY(!registry.find(listenerId)->kernel);
    }
};

QTEST_GUILESS_MAIN(TestKernelMerger)
#include "tst_kernelmerger.moc"
