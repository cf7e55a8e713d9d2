// SPDX-License-Identifier: MIT
// A real session (TCP and UDP servers, clients, traffic, a close that leaves TIME_WAIT),
// journalled with the kernel's view merged in as the app does; then snapshotAt() must give
// back exactly what the registry held at 20 moments of it, live and from the saved file.
#include "nettesthelpers.h"

#include "eventjournal.h"
#include "eventlog.h"
#include "kernelmerger.h"
#include "netlinksocketsource.h"
#include "networkengine.h"
#include "pidresolver.h"
#include "socketregistry.h"
#include "stateexporter.h"

#include <QTest>

using namespace SocketScope;

class TestJournalReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void snapshotsOfARealSessionMatchTheRegistry()
    {
        SocketRegistry registry;
        EventLog log;
        EventJournal journal(registry, &log, JournalLimits{100'000, 6});
        QHash<quint64, QByteArray> exportAfter; // the state export after every event
        connect(&journal, &EventJournal::eventRecorded, this, [&](const SocketEvent &event) {
            exportAfter.insert(event.seq, StateExporter::toBytes(registry));
        });
        NetlinkSocketSource source;
        PidResolver pids;
        KernelMerger merger(registry);
        const auto poll = [&] {
            const KernelMerger::WatchedPorts watched = KernelMerger::portsToWatch(registry);
            KernelFilter filter;
            filter.ports = watched.ports;
            filter.udpPorts = watched.udpOnly;
            QString error;
            std::optional<KernelSnapshot> snapshot = source.read(filter, &error);
            if (!snapshot)
                return false;
            pids.resolve(&*snapshot);
            merger.apply(*snapshot);
            return true;
        };
        const auto stateOf = [&](SocketId id) {
            const SocketRecord *record = registry.find(id);
            return record ? record->effectiveState() : SocketState::Unknown;
        };

        quint16 firstPort = 0, abortedPort = 0;
        {
            NetworkEngine engine(registry, log);
            TcpServerConfig tcp;
            tcp.port = 0;
            QVERIFY(!engine.startTcpServer(tcp).isError());
            UdpServerConfig udp;
            udp.port = 0;
            QVERIFY(!engine.startUdpServer(udp).isError());
            QVERIFY(poll());
            QVERIFY(engine.spawnTcpClients(3).complete());
            const QList<SocketId> clients = engine.tcpClientIds();
            QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.cbegin(), clients.cend(),
                                                 [&](SocketId id) {
                                                     return registry.find(id)->state
                                                            == SocketState::Established;
                                                 }),
                                     5000);
            QVERIFY(poll());
            const SocketId first = clients.constFirst();
            QVERIFY(!engine.sendText(first, QStringLiteral("hello journal")).isError());
            QTRY_VERIFY_WITH_TIMEOUT(registry.find(first)->bytesReceived >= 14, 5000);
            QVERIFY(engine.spawnUdpClients(2).complete());
            const SocketId udpClient = engine.udpClientIds().constFirst();
            QVERIFY(!engine.sendBurst(udpClient, 3, QStringLiteral("datagram %n")).isError());
            QTRY_VERIFY_WITH_TIMEOUT(registry.find(engine.udpServerId())->datagramsReceived >= 3,
                                     5000);
            QVERIFY(poll());
            // The client closes first: its side of the connection stays in TIME_WAIT.
            const Endpoint firstLocal = registry.find(first)->local;
            firstPort = firstLocal.port;
            abortedPort = registry.find(clients.at(1))->local.port;
            const Endpoint firstRemote = *registry.find(first)->remote;
            QVERIFY(!engine.close(first).isError());
            QTRY_VERIFY_WITH_TIMEOUT(
                    poll()
                            && stateOf(registry.findByTuple(Protocol::Tcp, firstLocal, firstRemote))
                                       == SocketState::TimeWait,
                    5000);
            QVERIFY(!engine.abort(clients.at(1)).isError());
            const auto journalled = [&journal](EventKind kind) {
                const QList<SocketEvent> events = journal.range(1, journal.lastSeq());
                return std::any_of(events.cbegin(), events.cend(),
                                   [kind](const SocketEvent &e) { return e.kind == kind; });
            };
            QTRY_VERIFY_WITH_TIMEOUT(
                    journalled(EventKind::RstReceived) && journalled(EventKind::FinReceived), 5000);
            QVERIFY(poll());
        } // the engine goes: every socket of ours is closed and removed
        QVERIFY(poll());

        const quint64 last = journal.lastSeq();
        QVERIFY2(last > 60, qPrintable(QString::number(last)));
        QCOMPARE(journal.droppedEvents(), quint64(0));
        bool sawTimeWait = false;
        // TIME_WAIT reaches the journal as a transition of our record, or, when Qt's record was
        // gone before the poll, as the kernel-only record that appears in it.
        for (const SocketEvent &event : journal.range(1, last))
            sawTimeWait |= event.to == SocketState::TimeWait
                           || (event.createsSocket() && event.record
                               && event.record->effectiveState() == SocketState::TimeWait);
        QVERIFY(sawTimeWait);
        // The ends as the TCP code saw them: the closing client's FIN reached its server
        // side; the aborted client's RST reached its own.
        QMultiHash<EventKind, quint16> ends; // kind -> local port of the socket it happened on
        for (const SocketEvent &event : journal.range(1, last)) {
            if (event.kind >= EventKind::FinSent)
                ends.insert(event.kind, event.local.port);
        }
        QVERIFY(ends.values(EventKind::FinSent).contains(firstPort));
        QVERIFY(ends.contains(EventKind::FinReceived));
        QVERIFY(ends.values(EventKind::RstSent).contains(abortedPort));
        QVERIFY(ends.contains(EventKind::RstReceived));

        QList<quint64> points;
        for (int i = 1; i <= 20; ++i)
            points.append(qMax<quint64>(1, last * quint64(i) / 20));
        const std::unique_ptr<EventJournal> loaded
                = EventJournal::fromJsonLines(journal.toJsonLines(), nullptr);
        QVERIFY(loaded);
        QCOMPARE(loaded->lastSeq(), last);
        for (quint64 seq : std::as_const(points)) {
            SocketRegistry replayed;
            QVERIFY(journal.restore(seq, replayed));
            QCOMPARE(StateExporter::toBytes(replayed), exportAfter.value(seq));
            SocketRegistry fromFile;
            QVERIFY(loaded->restore(seq, fromFile));
            QCOMPARE(StateExporter::toBytes(fromFile), exportAfter.value(seq));
            QVERIFY(*loaded->eventAt(seq) == *journal.eventAt(seq));
        }
        // And the end is the registry as it is now.
        SocketRegistry atEnd;
        QVERIFY(journal.restore(last, atEnd));
        QCOMPARE(StateExporter::toBytes(atEnd), StateExporter::toBytes(registry));
    }
};

QTEST_GUILESS_MAIN(TestJournalReplay)
#include "tst_journalreplay.moc"
