// SPDX-License-Identifier: MIT
#include "registrymirror.h"

#include "eventjournal.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

SocketRecord tcpClient(quint16 port)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpClient;
    record.local = {QHostAddress(QHostAddress::LocalHost), port};
    record.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), 9877};
    record.state = SocketState::SynSent;
    return record;
}

} // namespace

// The mirror carries one registry's changes into another, batched; both here in one thread.
class TestRegistryMirror : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void batchCarriesEveryEventInOrder()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        mirror.setClock([] { return qint64(0); }); // one batch, however slow the machine
        SocketRegistry target;
        EventLog targetLog;
        EventJournal journal(target, &targetLog);

        const SocketId a = source.add(tcpClient(40001));
        const SocketId b = source.add(tcpClient(40002));
        source.update(a, [](SocketRecord &r) { r.state = SocketState::Established; });
        source.recordTraffic(a, TrafficDirection::Sent, 5, {}, false);
        sourceLog.append(EventSeverity::Info, QStringLiteral("hello"), a);
        const SocketId c = source.add(tcpClient(40003));
        source.remove(c); // came and went within one batch: both travel, in order

        const RegistryBatch batch = mirror.takeBatch();
        QList<EventKind> kinds;
        for (const SocketEvent &event : batch.events)
            kinds.append(event.kind);
        QCOMPARE(kinds,
                 (QList<EventKind>{EventKind::ConnectStarted, EventKind::ConnectStarted,
                                   EventKind::StateChanged, EventKind::Traffic, EventKind::Message,
                                   EventKind::ConnectStarted, EventKind::Removed}));

        QSignalSpy traffic(&target, &SocketRegistry::trafficObserved);
        applyBatch(batch, target, &targetLog);
        QCOMPARE(target.ids(), (QList<SocketId>{a, b}));
        QCOMPARE(*target.find(a), *source.find(a));
        QCOMPARE(target.find(a)->bytesSent, quint64(5));
        QCOMPARE(traffic.count(), 1);
        QCOMPARE(targetLog.events().constLast().message, QStringLiteral("hello"));
        QCOMPARE(journal.size(), batch.events.size());
        // The log line reached the journal in its place, naming its socket's tuple.
        QCOMPARE(journal.eventAt(5)->kind, EventKind::Message);
        QCOMPARE(journal.eventAt(5)->socket, a);
        QCOMPARE(journal.eventAt(5)->local.port, quint16(40001));
        QVERIFY(mirror.takeBatch().isEmpty());

        // The target's own kernel facts survive the next change from the source.
        target.update(a, [](SocketRecord &r) {
            KernelFacts facts;
            facts.state = SocketState::Established;
            facts.inode = 77;
            r.kernel = facts;
        });
        source.update(a, [](SocketRecord &r) { r.bytesReceived = 9; });
        source.remove(b);
        applyBatch(mirror.takeBatch(), target, &targetLog);
        QCOMPARE(target.find(a)->bytesReceived, quint64(9));
        QVERIFY(target.find(a)->kernel);
        QCOMPARE(target.find(a)->kernel->inode, quint64(77));
        QVERIFY(!target.contains(b));

        // Ids never collide: the target's own records take fresh ones.
        const SocketId own = target.add(tcpClient(40004));
        QVERIFY(own != a && own != b && own != c);
    }

    // The whole life of a loopback connection fits in one frame; every step of it must
    // reach the window, in order, not just the last.
    void connectAndCloseInsideOneFrameKeepEveryTransition()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        mirror.setClock([] { return qint64(0); }); // one batch, however slow the machine
        SocketRegistry target;
        EventJournal journal(target, nullptr);

        const SocketId id = source.add(tcpClient(40001));
        for (SocketState state :
             {SocketState::Established, SocketState::FinWait1, SocketState::FinWait2})
            source.update(id, [state](SocketRecord &r) { r.state = state; });
        source.markClosed(id, SocketState::TimeWait);
        source.remove(id);
        applyBatch(mirror.takeBatch(), target, nullptr);

        QStringList path;
        for (const SocketEvent &event : journal.range(1, journal.lastSeq())) {
            if (event.kind == EventKind::StateChanged || event.kind == EventKind::Closed)
                path << stateName(event.from) + QStringLiteral("->") + stateName(event.to);
        }
        QCOMPARE(path, (QStringList{QStringLiteral("SYN_SENT->ESTABLISHED"),
                                    QStringLiteral("ESTABLISHED->FIN_WAIT1"),
                                    QStringLiteral("FIN_WAIT1->FIN_WAIT2"),
                                    QStringLiteral("FIN_WAIT2->TIME_WAIT")}));
        QCOMPARE(journal.eventAt(journal.lastSeq())->kind, EventKind::Removed);
        // And the moment before the close can still be seen.
        const auto before = journal.snapshotAt(journal.lastSeq() - 2);
        QVERIFY(before);
        QCOMPARE(before->size(), 1);
        QCOMPARE(before->constFirst().state, SocketState::FinWait2);
    }

    // A flood is folded into a few events per socket and peer, and not one byte or datagram
    // goes uncounted.
    void floodIsFoldedWithEveryByteCounted()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        mirror.setClock([] { return qint64(0); }); // one batch, however slow the machine
        SocketRegistry target;
        EventJournal journal(target, nullptr);
        SocketRecord server = tcpClient(9877);
        server.protocol = Protocol::Udp;
        server.role = SocketRole::UdpServer;
        server.remote.reset();
        const SocketId id = source.add(server);
        const Endpoint peerA{QHostAddress(QHostAddress::LocalHost), 50001};
        const Endpoint peerB{QHostAddress(QHostAddress::LocalHost), 50002};
        constexpr int Datagrams = 10'000;
        for (int i = 0; i < Datagrams; ++i) {
            source.recordTraffic(id, TrafficDirection::Received, 3, i % 2 ? peerA : peerB, true);
            if (i == Datagrams / 2) // traffic never folds back across another event
                source.update(id, [](SocketRecord &r) { r.activity = QStringLiteral("busy"); });
        }
        const RegistryBatch batch = mirror.takeBatch();
        QVERIFY2(batch.events.size() <= RegistryMirror::MaxTrafficPerBatch + 10,
                 qPrintable(QString::number(batch.events.size())));
        qsizetype activityAt = -1;
        quint64 countAfterActivity = 0;
        for (qsizetype i = 0; i < batch.events.size(); ++i) {
            if (batch.events.at(i).kind == EventKind::ActivityChanged)
                activityAt = i;
            else if (activityAt >= 0)
                countAfterActivity += batch.events.at(i).count;
        }
        QCOMPARE(countAfterActivity, quint64(Datagrams / 2 - 1));
        applyBatch(batch, target, nullptr);
        QCOMPARE(target.find(id)->datagramsReceived, quint64(Datagrams));
        QCOMPARE(target.find(id)->bytesReceived, quint64(3 * Datagrams));
        // Every datagram is either its own event or counted as folded into one.
        const qsizetype trafficEvents = batch.events.size() - 2; // the bind, the activity
        QCOMPARE(journal.foldedEvents(), quint64(Datagrams - trafficEvents));
    }

    void batchesComeOncePerFrame()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        mirror.setClock([] { return qint64(0); }); // a batch never ages: only the timer ships
        QSignalSpy batches(&mirror, &RegistryMirror::batchReady);
        const SocketId id = source.add(tcpClient(40001));
        for (int i = 0; i < 100; ++i)
            source.recordTraffic(id, TrafficDirection::Received, 1, {}, false);
        QVERIFY(batches.isEmpty()); // nothing until the frame is over
        QTRY_COMPARE_WITH_TIMEOUT(batches.count(), 1, 1000);
        const auto batch = batches.constFirst().constFirst().value<RegistryBatch>();
        QCOMPARE(batch.events.size(), 101); // the connect, then every receive
        QCOMPARE(batch.events.constLast().kind, EventKind::Traffic);
        QTest::qWait(3 * RegistryMirror::BatchIntervalMs);
        QCOMPARE(batches.count(), 1); // and nothing when nothing changed
    }

    // A source thread too busy for its timer (thousands of connects a second) still ships a
    // frame's worth at a time: the first event after a batch grew a frame old sends it.
    void starvedTimerStillShipsEachFrame()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        qint64 nowMs = 1000;
        mirror.setClock([&nowMs] { return nowMs; });
        QSignalSpy batches(&mirror, &RegistryMirror::batchReady);
        const SocketId id = source.add(tcpClient(40001));
        nowMs += RegistryMirror::BatchIntervalMs - 1;
        source.recordTraffic(id, TrafficDirection::Sent, 1, {}, false);
        QVERIFY(batches.isEmpty()); // not a frame old yet, and no event loop has run
        nowMs += 1;
        source.markClosed(id);
        QCOMPARE(batches.count(), 1); // shipped by the close, without the timer
        const auto batch = batches.constFirst().constFirst().value<RegistryBatch>();
        QCOMPARE(batch.events.size(), 2); // the connect and the send; the close starts anew
        QCOMPARE(mirror.takeBatch().events.constFirst().kind, EventKind::Closed);
    }
};

QTEST_GUILESS_MAIN(TestRegistryMirror)
#include "tst_registrymirror.moc"
