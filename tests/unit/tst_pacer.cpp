// SPDX-License-Identifier: MIT
// The pacer between journal and views, driven by the test's own clock (no sleeps): live,
// pause with events waiting, step, slow motion that stretches microseconds into seconds,
// seek to an earlier moment, back to live, and a journal that drops what a pause held.

#include "pacer.h"
#include "socketregistry.h"
#include "stateexporter.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

constexpr qint64 Ms = 1'000'000;

SocketRecord tcpClient(quint16 port)
{
    SocketRecord record;
    record.role = SocketRole::TcpClient;
    record.local = {QHostAddress(QHostAddress::LocalHost), port};
    record.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), 9877};
    record.state = SocketState::SynSent;
    return record;
}

// Loopback speed: every event 10 µs after the last.
struct FastClock
{
    qint64 ns = 5'000'000'000;
    EventTime operator()() { return {ns += 10'000, QDateTime::currentDateTimeUtc()}; }
};

struct Session
{
    SocketRegistry live;
    SocketRegistry presented;
    EventJournal journal;
    Pacer pacer;

    explicit Session(JournalLimits limits = {})
        : journal(live, nullptr, limits), pacer(journal, presented)
    {
        live.setClock(FastClock());
    }
    // A handshake and a close: connect-started, SYN_SENT -> ESTABLISHED, closed.
    SocketId connectAndClose(quint16 port)
    {
        const SocketId id = live.add(tcpClient(port));
        live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        live.markClosed(id, SocketState::FinWait1);
        return id;
    }
    bool showsLive() const
    {
        return StateExporter::toBytes(presented) == StateExporter::toBytes(live);
    }
};

} // namespace

class TestPacer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveShowsEveryEventAtOnce()
    {
        Session s;
        s.connectAndClose(40001);
        QCOMPARE(s.pacer.mode(), PaceMode::Live);
        QCOMPARE(s.pacer.position(), s.journal.lastSeq());
        QVERIFY(!s.pacer.isBehind());
        QVERIFY(s.showsLive());
    }

    void pauseHoldsAndCountsWhatWaits()
    {
        Session s;
        const SocketId id = s.live.add(tcpClient(40001));
        s.pacer.pause();
        QSignalSpy waiting(&s.pacer, &Pacer::waitingChanged);
        s.live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        s.live.recordTraffic(id, TrafficDirection::Sent, 5, {}, false);
        s.live.markClosed(id);
        QCOMPARE(s.pacer.waiting(), quint64(3));
        QCOMPARE(waiting.constLast().constFirst().toULongLong(), 3ull);
        // The picture stands still: the socket is still connecting there.
        QCOMPARE(s.presented.find(id)->state, SocketState::SynSent);
        QCOMPARE(s.live.find(id)->state, SocketState::Close);
        s.pacer.tick(10'000 * Ms); // time passing changes nothing while paused
        QCOMPARE(s.pacer.waiting(), quint64(3));
        s.pacer.goLive();
        QCOMPARE(s.pacer.waiting(), quint64(0));
        QVERIFY(s.showsLive());
    }

    void stepShowsOneEventAtATime()
    {
        Session s;
        s.pacer.pause();
        const SocketId id = s.connectAndClose(40001);
        QVERIFY(!s.presented.contains(id));
        QVERIFY(s.pacer.step());
        QCOMPARE(s.presented.find(id)->state, SocketState::SynSent);
        QVERIFY(s.pacer.step());
        QCOMPARE(s.presented.find(id)->state, SocketState::Established);
        QVERIFY(s.presented.find(id)->isOpen());
        QVERIFY(s.pacer.step());
        QVERIFY(!s.presented.find(id)->isOpen());
        QVERIFY(!s.pacer.step()); // nothing left
        QCOMPARE(s.pacer.mode(), PaceMode::Paused);
        QVERIFY(s.showsLive());
    }

    // A TIME_WAIT timer counting down changes the kernel's facts at every poll: in slow
    // motion those pass at once, and the next change of state is held as long as ever.
    void slowMotionPassesTheKernelsFactsAtOnce()
    {
        Session s;
        const SocketId id = s.live.add(tcpClient(40001));
        s.live.update(id, [](SocketRecord &r) {
            r.kernel = KernelFacts();
            r.kernel->state = SocketState::SynSent;
        });
        s.pacer.setSlowMotion(0.25, 0);
        for (int poll = 1; poll <= 50; ++poll) {
            s.live.update(id, [poll](SocketRecord &r) {
                KernelFacts facts;
                facts.state = SocketState::SynSent;
                facts.timerMs = 60000 - poll * 250;
                r.kernel = facts;
            });
        }
        s.live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        QCOMPARE(s.pacer.waiting(), quint64(51));
        // Without the rule, 51 events at 1 s each: 51 s behind.
        s.pacer.tick(0);
        // The 50 facts went by with no hold; the state change is shown, and held.
        QCOMPARE(s.presented.find(id)->state, SocketState::Established);
        QVERIFY(!s.pacer.isBehind());
        QVERIFY(s.showsLive());
    }

    void slowMotionStretchesAHandshake()
    {
        Session s;
        s.pacer.setSlowMotion(0.25, 0);
        const SocketId id = s.connectAndClose(40001); // 20 µs from first to last
        QCOMPARE(s.pacer.waiting(), quint64(3));
        s.pacer.tick(0);
        QCOMPARE(s.presented.find(id)->state, SocketState::SynSent); // shown at once
        const qint64 step = s.pacer.stepDurationNs(s.pacer.position());
        QCOMPARE(step, qint64(1000 * Ms)); // 250 ms at 1x, four times that at 0.25x
        s.pacer.tick(999 * Ms);
        QCOMPARE(s.presented.find(id)->state, SocketState::SynSent);
        s.pacer.tick(1000 * Ms);
        QCOMPARE(s.presented.find(id)->state, SocketState::Established);
        s.pacer.tick(1999 * Ms);
        QVERIFY(s.presented.find(id)->isOpen());
        s.pacer.tick(2000 * Ms);
        QVERIFY(!s.presented.find(id)->isOpen());
        QVERIFY(s.showsLive());
        // Rates are bounded: 0.01x is 0.1x, 5x is 1x.
        s.pacer.setSlowMotion(0.01, 0);
        QCOMPARE(s.pacer.rate(), Pacer::MinRate);
        s.pacer.setSlowMotion(5, 0);
        QCOMPARE(s.pacer.rate(), Pacer::MaxRate);
    }

    void seekShowsTheWorldAsItWas()
    {
        Session s;
        const SocketId first = s.connectAndClose(40001);
        const quint64 connectedAt = s.journal.lastSeq() - 1; // right after ESTABLISHED
        const SocketId second = s.connectAndClose(40002);
        QVERIFY(s.pacer.seek(connectedAt));
        QCOMPARE(s.pacer.mode(), PaceMode::Paused);
        QCOMPARE(s.presented.find(first)->state, SocketState::Established);
        QVERIFY(!s.presented.contains(second));
        QCOMPARE(s.pacer.waiting(), quint64(4));
        QCOMPARE(StateExporter::toBytes(s.presented), [&] {
            SocketRegistry then;
            s.journal.restore(connectedAt, then);
            return StateExporter::toBytes(then);
        }());
        QVERIFY(!s.pacer.seek(s.journal.lastSeq() + 1));
        s.pacer.goLive();
        QVERIFY(s.showsLive());
        s.connectAndClose(40003);
        QVERIFY(s.showsLive()); // and it follows again
    }

    void aLongPauseJumpsOverWhatTheJournalDropped()
    {
        Session s(JournalLimits{40, 4});
        s.pacer.pause();
        for (int i = 0; i < 100; ++i)
            s.connectAndClose(quint16(41000 + i));
        QVERIFY(s.journal.droppedEvents() > 0);
        QVERIFY(s.pacer.step()); // to the oldest moment still held
        QCOMPARE(s.pacer.position(), s.journal.firstSeq() - 1);
        QCOMPARE(s.pacer.skipped(), s.journal.firstSeq() - 1);
        s.pacer.goLive();
        QVERIFY(s.showsLive());
    }
};

QTEST_GUILESS_MAIN(TestPacer)
#include "tst_pacer.moc"
