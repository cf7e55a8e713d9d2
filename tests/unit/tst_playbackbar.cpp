// SPDX-License-Identifier: MIT
// The playback bar drives the pacer and says plainly when the picture is behind.

#include "playbackbar.h"
#include "socketregistry.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QTest>

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
