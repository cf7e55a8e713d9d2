// SPDX-License-Identifier: MIT
#include "registrymirror.h"

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
    void batchCarriesAddsChangesAndRemovals()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        SocketRegistry target;
        EventLog targetLog;

        const SocketId a = source.add(tcpClient(40001));
        const SocketId b = source.add(tcpClient(40002));
        source.update(a, [](SocketRecord &r) { r.state = SocketState::Established; });
        source.recordTraffic(a, TrafficDirection::Sent, 5, {}, false);
        sourceLog.append(EventSeverity::Info, QStringLiteral("hello"), a);
        const SocketId c = source.add(tcpClient(40003));
        source.remove(c); // came and went within one batch: only the removal travels

        const RegistryBatch batch = mirror.takeBatch();
        QCOMPARE(batch.upserts.size(), 2);
        QCOMPARE(batch.upserts.at(0).id, a); // in the order they appeared
        QCOMPARE(batch.removed, QList<SocketId>{c});
        QCOMPARE(batch.traffic.size(), 1);
        QCOMPARE(batch.events.size(), 1);

        QSignalSpy traffic(&target, &SocketRegistry::trafficObserved);
        applyBatch(batch, target, &targetLog);
        QCOMPARE(target.ids(), (QList<SocketId>{a, b}));
        QCOMPARE(*target.find(a), *source.find(a));
        QCOMPARE(target.find(a)->bytesSent, quint64(5));
        QCOMPARE(traffic.count(), 1);
        QCOMPARE(targetLog.events().constLast().message, QStringLiteral("hello"));
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

    void batchesComeOncePerFrame()
    {
        SocketRegistry source;
        EventLog sourceLog;
        RegistryMirror mirror(source, sourceLog);
        QSignalSpy batches(&mirror, &RegistryMirror::batchReady);
        const SocketId id = source.add(tcpClient(40001));
        for (int i = 0; i < 100; ++i)
            source.recordTraffic(id, TrafficDirection::Received, 1, {}, false);
        QVERIFY(batches.isEmpty()); // nothing until the frame is over
        QTRY_COMPARE_WITH_TIMEOUT(batches.count(), 1, 1000);
        const auto batch = batches.constFirst().constFirst().value<RegistryBatch>();
        QCOMPARE(batch.upserts.size(), 1);
        QCOMPARE(batch.upserts.constFirst().bytesReceived, quint64(100));
        QCOMPARE(batch.traffic.size(), 100);
        QTest::qWait(3 * RegistryMirror::BatchIntervalMs);
        QCOMPARE(batches.count(), 1); // and nothing when nothing changed
    }
};

QTEST_GUILESS_MAIN(TestRegistryMirror)
#include "tst_registrymirror.moc"
