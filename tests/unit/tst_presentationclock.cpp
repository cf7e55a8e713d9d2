// SPDX-License-Identifier: MIT
// The presentation clock on an injected real-time source (no sleeps): 1:1 live, stretched in
// slow motion, still when paused, caught up with real time back live.

#include "pacer.h"
#include "presentationclock.h"
#include "socketregistry.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

constexpr qint64 Ms = 1'000'000;

struct Rig
{
    qint64 realNs = 7'000 * Ms; // an arbitrary monotonic reading, not zero
    SocketRegistry live;
    SocketRegistry presented;
    EventJournal journal{live, nullptr};
    Pacer pacer{journal, presented};
    PresentationClock clock{[this] { return realNs; }, &pacer};
};

} // namespace

class TestPresentationClock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveAdvancesOneToOne();
    void slowMotionStretches_data();
    void slowMotionStretches();
    void pauseHolds();
    void backToLiveCatchesUpAndResumes();
    void rateChangeWithinSlowMotion();
    void withoutPacerAlwaysLive();
    void seekShowsThatMomentsWallTime();
};

void TestPresentationClock::liveAdvancesOneToOne()
{
    Rig rig;
    QCOMPARE(rig.clock.nowNs(), rig.realNs);
    const qint64 start = rig.clock.nowNs();
    rig.realNs += 300 * Ms;
    QCOMPARE(rig.clock.nowNs() - start, 300 * Ms);
    QCOMPARE(rig.clock.speed(), 1.0);
    QCOMPARE(rig.clock.lagNs(), 0);
}

void TestPresentationClock::slowMotionStretches_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<qint64>("realForThreeHundredMs");
    QTest::newRow("1x") << 1.0 << 300 * Ms;
    QTest::newRow("0.5x") << 0.5 << 600 * Ms;
    QTest::newRow("0.25x") << 0.25 << 1200 * Ms;
    QTest::newRow("0.1x") << 0.1 << 3000 * Ms;
}

void TestPresentationClock::slowMotionStretches()
{
    QFETCH(double, rate);
    QFETCH(qint64, realForThreeHundredMs);
    Rig rig;
    QSignalSpy speed(&rig.clock, &PresentationClock::speedChanged);
    rig.pacer.setSlowMotion(rate, rig.realNs);
    if (rate != 1.0)
        QCOMPARE(speed.count(), 1);
    QCOMPARE(rig.clock.speed(), rate);
    const qint64 start = rig.clock.nowNs();
    rig.realNs += realForThreeHundredMs / 2;
    QCOMPARE(rig.clock.nowNs() - start, 150 * Ms);
    rig.realNs += realForThreeHundredMs / 2;
    // What takes 300 ms of presentation time takes this much real time.
    QCOMPARE(rig.clock.nowNs() - start, 300 * Ms);
    QCOMPARE(rig.clock.lagNs(), realForThreeHundredMs - 300 * Ms);
}

void TestPresentationClock::pauseHolds()
{
    Rig rig;
    rig.realNs += 50 * Ms;
    rig.pacer.pause();
    QVERIFY(rig.clock.isStill());
    const qint64 held = rig.clock.nowNs();
    QCOMPARE(held, rig.realNs);
    const QDateTime heldWall = rig.clock.wallTime();
    rig.realNs += 10'000 * Ms;
    QCOMPARE(rig.clock.nowNs(), held);
    QCOMPARE(rig.clock.lagNs(), 10'000 * Ms);
    // The picture's wall time stands still too, and moves on with it back live.
    QCOMPARE(rig.clock.wallTime(), heldWall);
    rig.pacer.goLive();
    QCOMPARE(heldWall.msecsTo(rig.clock.wallTime()), 10'000);
}

void TestPresentationClock::backToLiveCatchesUpAndResumes()
{
    Rig rig;
    rig.pacer.setSlowMotion(0.25, rig.realNs);
    rig.realNs += 400 * Ms; // 100 ms of presentation
    rig.pacer.pause();
    rig.realNs += 2'000 * Ms;
    QCOMPARE(rig.clock.lagNs(), 2'300 * Ms);
    QSignalSpy speed(&rig.clock, &PresentationClock::speedChanged);
    rig.pacer.goLive();
    QCOMPARE(speed.count(), 1);
    // The picture shows now again, and its time with it.
    QCOMPARE(rig.clock.nowNs(), rig.realNs);
    const qint64 resumed = rig.clock.nowNs();
    rig.realNs += 250 * Ms;
    QCOMPARE(rig.clock.nowNs() - resumed, 250 * Ms);
}

void TestPresentationClock::rateChangeWithinSlowMotion()
{
    Rig rig;
    rig.pacer.setSlowMotion(0.5, rig.realNs);
    const qint64 start = rig.clock.nowNs();
    rig.realNs += 200 * Ms; // 100 ms at 0.5x
    QSignalSpy speed(&rig.clock, &PresentationClock::speedChanged);
    rig.pacer.setSlowMotion(0.1, rig.realNs); // same mode, new rate
    QCOMPARE(speed.count(), 1);
    QCOMPARE(rig.clock.nowNs() - start, 100 * Ms); // no jump at the change
    rig.realNs += 1'000 * Ms; // 100 ms at 0.1x
    QCOMPARE(rig.clock.nowNs() - start, 200 * Ms);
}

void TestPresentationClock::withoutPacerAlwaysLive()
{
    qint64 realNs = 42 * Ms;
    PresentationClock clock([&realNs] { return realNs; });
    realNs += 16 * Ms;
    QCOMPARE(clock.nowNs(), 58 * Ms);
    QCOMPARE(clock.realNowNs(), 58 * Ms);
    // The production source is monotonic.
    const qint64 a = PresentationClock::monotonicNs();
    QVERIFY(PresentationClock::monotonicNs() >= a);
}

QTEST_GUILESS_MAIN(TestPresentationClock)
#include "tst_presentationclock.moc"

// Seeked back to an event, the picture's wall time is that event's (a socket's age is its age
// then), and moves on from there in slow motion.
void TestPresentationClock::seekShowsThatMomentsWallTime()
{
    Rig rig;
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    QDateTime wall = start;
    rig.live.setClock([&] { return EventTime{rig.realNs, wall}; });
    SocketRecord record;
    record.local = {QHostAddress::LocalHost, 40000};
    rig.live.add(record);
    const quint64 opened = rig.journal.lastSeq();
    wall = start.addSecs(300);
    rig.realNs += 300'000 * Ms;
    rig.live.update(rig.live.ids().constFirst(),
                    [](SocketRecord &r) { r.state = SocketState::Established; });
    QVERIFY(rig.pacer.seek(opened));
    QCOMPARE(rig.clock.wallTime(), start);
    rig.pacer.setSlowMotion(0.5, rig.realNs);
    rig.realNs += 2'000 * Ms;
    QCOMPARE(start.msecsTo(rig.clock.wallTime()), 1'000);
}
