// SPDX-License-Identifier: MIT
// The playback bar drives the pacer and says plainly when the picture is behind.

#include "playbackbar.h"
#include "socketregistry.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QTest>
#include <QTimer>

using namespace SocketScope;

class TestPlaybackBar : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pauseStepAndLiveFromTheBar()
    {
        SocketRegistry live;
        SocketRegistry presented;
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        PlaybackBar bar(pacer);
        auto *marker = bar.findChild<QLabel *>(QStringLiteral("pictureMarker"));
        QVERIFY(marker);
        QCOMPARE(marker->text(), QStringLiteral("LIVE"));
        QVERIFY(!bar.liveAction()->isEnabled());

        bar.pauseAction()->trigger();
        QCOMPARE(pacer.mode(), PaceMode::Paused);
        SocketRecord record;
        record.local = {QHostAddress(QHostAddress::LocalHost), 40001};
        const SocketId id = live.add(record);
        live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        QCOMPARE(marker->text(), QStringLiteral("PAUSED \u2014 2 events waiting"));
        QVERIFY(bar.liveAction()->isEnabled());

        bar.stepAction()->trigger();
        QVERIFY(presented.contains(id));
        QCOMPARE(marker->text(), QStringLiteral("PAUSED \u2014 1 event waiting"));

        auto *speed = bar.findChild<QComboBox *>(QStringLiteral("pictureSpeed"));
        QVERIFY(speed);
        speed->setCurrentIndex(3);
        Q_EMIT speed->activated(3);
        QCOMPARE(pacer.mode(), PaceMode::SlowMotion);
        QCOMPARE(pacer.rate(), 0.25);
        QVERIFY(marker->text().startsWith(QStringLiteral("SLOW MOTION 0.25\u00d7")));

        bar.liveAction()->trigger();
        QCOMPARE(pacer.mode(), PaceMode::Live);
        QCOMPARE(presented.find(id)->state, SocketState::Established);
        QCOMPARE(marker->text(), QStringLiteral("LIVE"));
        QCOMPARE(speed->currentIndex(), 0);
    }

    // Events journalled faster than a frame (a busy connection, the kernel's polls) must not
    // hold slow motion still: the bar's frame timer keeps firing while they arrive.
    void slowMotionMovesWhileEventsKeepComing()
    {
        SocketRegistry live;
        SocketRegistry presented;
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        PlaybackBar bar(pacer);
        SocketRecord record;
        record.local = {QHostAddress(QHostAddress::LocalHost), 40001};
        const SocketId id = live.add(record);
        auto *speed = bar.findChild<QComboBox *>(QStringLiteral("pictureSpeed"));
        QVERIFY(speed);
        speed->setCurrentIndex(1); // slow motion at 1x: each event stays 250 ms
        Q_EMIT speed->activated(1);
        QCOMPARE(pacer.mode(), PaceMode::SlowMotion);
        const quint64 start = pacer.position();
        QTimer traffic;
        traffic.setInterval(4);
        int sent = 0;
        connect(&traffic, &QTimer::timeout, &traffic, [&] {
            live.recordTraffic(id, TrafficDirection::Sent, 1, {}, false);
            if (++sent == 400) // bounded: 1.6 s at most
                traffic.stop();
        });
        traffic.start();
        // A second of slow motion at 1x shows about four of them; held still, none.
        QTRY_VERIFY_WITH_TIMEOUT(pacer.position() >= start + 3, 1500);
        QVERIFY(traffic.isActive()); // they were still coming all along
        traffic.stop();
    }

    void foldedAndDroppedAreShown()
    {
        SocketRegistry live;
        SocketRegistry presented;
        EventJournal journal(live, nullptr, JournalLimits{40, 4});
        Pacer pacer(journal, presented);
        PlaybackBar bar(pacer);
        auto *marker = bar.findChild<QLabel *>(QStringLiteral("pictureMarker"));
        SocketRecord record;
        record.local = {QHostAddress(QHostAddress::LocalHost), 40001};
        const SocketId id = live.add(record);
        // A flood the mirror folded: one event standing for five datagrams.
        SocketEvent folded;
        folded.kind = EventKind::Traffic;
        folded.socket = id;
        folded.local = record.local;
        folded.bytes = 50;
        folded.count = 5;
        folded.datagram = true;
        QVERIFY(live.apply(folded));
        QCOMPARE(marker->text(), QStringLiteral("LIVE \u00b7 4 folded"));
        for (int i = 0; i < 60; ++i)
            live.recordTraffic(id, TrafficDirection::Sent, 1, {}, false);
        QVERIFY(journal.droppedEvents() > 0);
        QCOMPARE(marker->text(), QStringLiteral("LIVE \u00b7 4 folded \u00b7 %1 dropped")
                                         .arg(journal.droppedEvents()));
        QVERIFY(marker->toolTip().contains(QStringLiteral("at most 40")));
    }
};

QTEST_MAIN(TestPlaybackBar)
#include "tst_playbackbar.moc"
