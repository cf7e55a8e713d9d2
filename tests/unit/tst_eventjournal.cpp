// SPDX-License-Identifier: MIT
// The event journal: the registry as a projection of events, keyframes and snapshotAt, the
// ring bound, and the JSON Lines file (round trip, and clear errors for broken files).

#include "eventjournal.h"
#include "eventlog.h"
#include "stateexporter.h"

#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

SocketRecord tcpClient(quint16 port)
{
    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpClient;
    record.local = {kLocal, port};
    record.remote = Endpoint{kLocal, 9877};
    record.state = SocketState::SynSent;
    record.program = QStringLiteral("tst");
    return record;
}

KernelFacts facts(SocketState state, quint32 recvQ = 0)
{
    KernelFacts kernel;
    kernel.state = state;
    kernel.recvQ = recvQ;
    kernel.inode = 4242;
    kernel.pid = 99;
    kernel.program = QStringLiteral("tst");
    kernel.tcpInfo = KernelTcpInfo{40, 20, 1, 0, 10};
    return kernel;
}

// A clock the test turns by hand: every reading is 1 ms after the last.
struct StepClock
{
    qint64 ns = 1'000'000'000;
    QDateTime wall = QDateTime(QDate(2026, 12, 1), QTime(10, 0), Qt::UTC);
    EventTime operator()()
    {
        ns += 1'000'000;
        wall = wall.addMSecs(1);
        return {ns, wall};
    }
};

QByteArray exportOf(const QList<SocketRecord> &records)
{
    SocketRegistry registry;
    registry.replaceAll(records);
    return StateExporter::toBytes(registry);
}

// A short session of every kind of change, its state export taken after every event.
struct RecordedSession
{
    SocketRegistry registry;
    EventLog log;
    EventJournal journal;
    QHash<quint64, QByteArray> exportAfter;

    explicit RecordedSession(JournalLimits limits = {}) : journal(registry, &log, limits)
    {
        registry.setClock(StepClock());
        QObject::connect(&journal, &EventJournal::eventRecorded, &journal,
                         [this](const SocketEvent &event) {
                             exportAfter.insert(event.seq, StateExporter::toBytes(registry));
                         });
    }

    void play(int rounds)
    {
        for (int i = 0; i < rounds; ++i) {
            const SocketId id = registry.add(tcpClient(quint16(40000 + i)));
            registry.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
            registry.update(id,
                            [](SocketRecord &r) { r.kernel = facts(SocketState::Established); });
            // The kernel's trace: a step read late (history) and one as it happens.
            for (const bool history : {true, false}) {
                SocketEvent traced = eventAbout(*registry.find(id), EventKind::StateChanged);
                traced.from = history ? SocketState::SynSent : SocketState::Established;
                traced.to = history ? SocketState::Established : SocketState::CloseWait;
                traced.source = StateSource::KernelTrace;
                traced.history = history;
                registry.apply(traced);
            }
            registry.recordTraffic(id, TrafficDirection::Sent, 100 + i, *registry.find(id)->remote,
                                   false);
            registry.update(id,
                            [](SocketRecord &r) { r.kernel = facts(SocketState::Established, 7); });
            log.append(EventSeverity::Warning, QStringLiteral("round %1").arg(i), id);
            LogEvent command;
            command.message = QStringLiteral("Close socket #%1").arg(id);
            command.kind = LogKind::UserCommand;
            command.socket = id;
            log.append(command);
            LogEvent error;
            error.severity = EventSeverity::Error;
            error.message = QStringLiteral("Connection refused");
            error.kind = LogKind::Error;
            error.code = QStringLiteral("ECONNREFUSED");
            log.append(error);
            registry.update(id, [](SocketRecord &r) { r.activity = QStringLiteral("reading"); });
            if (i % 3)
                registry.recordSegment(id, EventKind::FinSent, QLatin1String(SegmentCall::Close));
            else
                registry.recordSegment(id, EventKind::RstReceived);
            registry.markClosed(id, SocketState::FinWait1);
            registry.update(id, [](SocketRecord &r) { r.kernel.reset(); });
            if (i % 2)
                registry.remove(id);
        }
        log.append(EventSeverity::Info, QStringLiteral("done"));
    }
};

} // namespace

class TestEventJournal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void changesBecomeTypedEvents_data()
    {
        QTest::addColumn<SocketRecord>("after");
        QTest::addColumn<QList<EventKind>>("kinds");
        const SocketRecord before = [] {
            SocketRecord r = tcpClient(40001);
            r.id = 7;
            return r;
        }();
        using K = QList<EventKind>;
        SocketRecord r = before;
        r.state = SocketState::Established;
        QTest::newRow("qt state") << r << K{EventKind::StateChanged};
        r = before;
        r.closed = QDateTime::currentDateTimeUtc();
        r.state = SocketState::Close;
        QTest::newRow("closed") << r << K{EventKind::Closed};
        r = before;
        r.kernel = facts(SocketState::SynSent);
        QTest::newRow("kernel state first seen") << r << K{EventKind::StateChanged};
        r = before;
        r.kernel = facts(SocketState::Unknown);
        QTest::newRow("kernel facts without a state") << r << K{EventKind::KernelFactsChanged};
        r = before;
        r.pid = 5;
        r.threadId = 6;
        QTest::newRow("owner") << r << K{EventKind::OwnerChanged};
        r = before;
        r.activity = QStringLiteral("busy");
        QTest::newRow("activity") << r << K{EventKind::ActivityChanged};
        r = before;
        r.local.port = 40999;
        QTest::newRow("bound elsewhere") << r << K{EventKind::Bound};
        r = before;
        r.remote = Endpoint{kLocal, 1};
        QTest::newRow("remote set") << r << K{EventKind::Connected};
        r = before;
        r.role = SocketRole::ExternalPeer;
        r.bytesSent = 12;
        QTest::newRow("anything else: revised") << r << K{EventKind::Revised};
        r = before;
        r.state = SocketState::Established;
        r.kernel = facts(SocketState::Established);
        r.activity = QStringLiteral("x");
        r.kernelOnly = true;
        QTest::newRow("several at once") << r
                                         << K{EventKind::StateChanged, EventKind::StateChanged,
                                              EventKind::ActivityChanged, EventKind::Revised};
    }

    void changesBecomeTypedEvents()
    {
        QFETCH(SocketRecord, after);
        QFETCH(QList<EventKind>, kinds);
        SocketRecord before = tcpClient(40001);
        before.id = 7;
        const QList<SocketEvent> events = eventsForChange(before, after);
        QList<EventKind> got;
        for (const SocketEvent &event : events)
            got.append(event.kind);
        QCOMPARE(got, kinds);
        SocketRecord applied = before;
        for (const SocketEvent &event : events) {
            QCOMPARE(event.socket, SocketId(7));
            applyEvent(event, applied);
        }
        QCOMPARE(applied, after);
    }

    void kernelStateChangesSayWhoSawThem()
    {
        SocketRecord before = tcpClient(40001);
        before.id = 3;
        before.kernel = facts(SocketState::Established);
        SocketRecord after = before;
        after.state = SocketState::Established;
        after.kernel = facts(SocketState::FinWait1);
        const QList<SocketEvent> events = eventsForChange(before, after);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events[0].source, StateSource::Qt);
        QCOMPARE(events[0].from, SocketState::SynSent);
        QCOMPARE(events[1].source, StateSource::KernelPoll);
        QCOMPARE(events[1].from, SocketState::Established);
        QCOMPARE(events[1].to, SocketState::FinWait1);
    }

    void eventsCarryTheInjectedClock()
    {
        SocketRegistry registry;
        registry.setClock(StepClock());
        registry.setHostName(QStringLiteral("lecturehall"));
        EventJournal journal(registry, nullptr);
        const SocketId id = registry.add(tcpClient(40001));
        registry.markClosed(id);
        QCOMPARE(journal.size(), 2);
        QCOMPARE(journal.eventAt(1)->monotonicNs, 1'001'000'000);
        QCOMPARE(journal.eventAt(2)->monotonicNs - journal.eventAt(1)->monotonicNs, 1'000'000);
        QCOMPARE(journal.eventAt(1)->host, QStringLiteral("lecturehall"));
        // The record's own times are the events': the close time is the Closed event's.
        QCOMPARE(registry.find(id)->created, journal.eventAt(1)->wallTime);
        QCOMPARE(registry.find(id)->closed, journal.eventAt(2)->wallTime);
    }

    void snapshotAtRebuildsEveryMoment()
    {
        RecordedSession session(JournalLimits{100'000, 7});
        session.play(30);
        const EventJournal &journal = session.journal;
        QVERIFY(journal.keyframeCount() > 10);
        QCOMPARE(journal.firstSeq(), quint64(1));
        QCOMPARE(exportOf(*journal.snapshotAt(0)), exportOf({}));
        for (quint64 seq = 1; seq <= journal.lastSeq(); ++seq) {
            const auto snapshot = journal.snapshotAt(seq);
            QVERIFY2(snapshot, qPrintable(QString::number(seq)));
            QCOMPARE(exportOf(*snapshot), session.exportAfter.value(seq));
        }
        QVERIFY(!journal.snapshotAt(journal.lastSeq() + 1));
        // Every line of the log is an event that names its socket and its tuple.
        int messages = 0;
        for (const SocketEvent &event : journal.range(1, journal.lastSeq())) {
            if (event.kind != EventKind::Message || event.text == QLatin1String("done"))
                continue;
            ++messages;
            QVERIFY(event.socket != InvalidSocketId);
            QVERIFY(describeEvent(event).contains(QStringLiteral("127.0.0.1:40")));
        }
        QCOMPARE(messages, 30);
    }

    void ringDropsWholeIntervalsAndStaysReplayable()
    {
        RecordedSession session(JournalLimits{200, 16});
        session.play(200);
        const EventJournal &journal = session.journal;
        QVERIFY(journal.size() <= 200);
        QVERIFY(journal.size() >= 200 - 200 / 4);
        QCOMPARE(journal.droppedEvents() + quint64(journal.size()), journal.lastSeq());
        QCOMPARE(journal.firstSeq(), journal.droppedEvents() + 1);
        QVERIFY(journal.keyframeCount() <= 200 / 16 + 2);
        QVERIFY(!journal.snapshotAt(journal.firstSeq() - 2));
        for (quint64 seq = journal.firstSeq() - 1; seq <= journal.lastSeq(); ++seq)
            QCOMPARE(exportOf(*journal.snapshotAt(seq)), session.exportAfter.value(seq));
    }

    void keyframesThinOutWithManySockets()
    {
        SocketRegistry registry;
        EventJournal journal(registry, nullptr, JournalLimits{1'000'000, 10});
        for (int i = 0; i < 500; ++i)
            registry.add(tcpClient(quint16(20000 + i)));
        const qsizetype before = journal.keyframeCount();
        for (int i = 0; i < 4000; ++i)
            registry.recordTraffic(registry.ids().constFirst(), TrafficDirection::Sent, 1, {},
                                   false);
        // 500 sockets: a keyframe per 2000 events, not per 10.
        QVERIFY2(journal.keyframeCount() - before <= 2,
                 qPrintable(QString::number(journal.keyframeCount() - before)));
    }

    void jsonLinesRoundTrip()
    {
        RecordedSession session(JournalLimits{150, 8});
        session.play(40); // past the bound: the file starts at a keyframe, not at seq 1
        const QByteArray file = session.journal.toJsonLines();
        QString error;
        const std::unique_ptr<EventJournal> loaded = EventJournal::fromJsonLines(file, &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(loaded->firstSeq(), session.journal.firstSeq());
        QCOMPARE(loaded->lastSeq(), session.journal.lastSeq());
        QCOMPARE(loaded->droppedEvents(), session.journal.droppedEvents());
        for (quint64 seq = loaded->firstSeq(); seq <= loaded->lastSeq(); ++seq) {
            QVERIFY2(*loaded->eventAt(seq) == *session.journal.eventAt(seq),
                     qPrintable(QString::fromUtf8(
                             file.split('\n').value(qsizetype(seq - loaded->firstSeq() + 2)))));
            QCOMPARE(exportOf(*loaded->snapshotAt(seq)), session.exportAfter.value(seq));
        }
        QCOMPARE(loaded->toJsonLines(), file);
    }

    void brokenFilesSayLineAndField_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("error");
        const QByteArray header = R"({"schema":"socketscope-journal","version":1})"
                                  "\n";
        const QByteArray keyframe = R"({"keyframe":{"seq":0,"sockets":[]}})"
                                    "\n";
        const QByteArray opened = R"({"seq":1,"t":5,"wall":null,"kind":"connect-started",)"
                                  R"("socket":4,"protocol":"tcp","local":{"address":"127.0.0.1",)"
                                  R"("port":1},"remote":null,"record":{"id":4,"protocol":"tcp",)"
                                  R"("role":"tcp-client","state":"SYN_SENT","local":{"address":)"
                                  R"("127.0.0.1","port":1}}})"
                                  "\n";
        QTest::newRow("empty") << QByteArray() << QStringLiteral("line 1: empty");
        QTest::newRow("not ours") << QByteArray(R"({"version":1})")
                                  << QStringLiteral("line 1: schema: expected");
        QTest::newRow("newer version")
                << QByteArray(R"({"schema":"socketscope-journal","version":9})")
                << QStringLiteral("line 1: version: expected 1, found 9");
        QTest::newRow("bad json") << header + "{\"keyframe\": [}\n"
                                  << QStringLiteral("line 2, column");
        QTest::newRow("no keyframe") << header << QStringLiteral("line 2: the keyframe");
        QTest::newRow("bad keyframe socket")
                << header + R"({"keyframe":{"seq":0,"sockets":[{"id":1,"protocol":"sctp"}]}})"
                << QStringLiteral("line 2: keyframe.sockets[0].protocol: expected tcp or udp");
        QTest::newRow("unknown kind")
                << header + keyframe + R"({"seq":1,"t":5,"kind":"teleported","socket":null})"
                << QStringLiteral("line 3: kind: unknown kind 'teleported'");
        QTest::newRow("gap in seq")
                << header + keyframe + QByteArray(opened).replace("\"seq\":1", "\"seq\":3")
                << QStringLiteral("line 3: seq: expected 1, found 3");
        QTest::newRow("change for nobody")
                << header + keyframe
                           + R"({"seq":1,"t":5,"kind":"removed","socket":8,"protocol":"tcp",)"
                             R"("local":{"address":"127.0.0.1","port":1}})"
                << QStringLiteral("line 3: socket: a 'removed' event that does not fit socket 8");
        QTest::newRow("bad port") << header + keyframe
                                             + QByteArray(opened).replace("\"port\":1}",
                                                                          "\"port\":70000}")
                                  << QStringLiteral("line 3: local.port: expected a whole number");
        QTest::newRow("error code not text")
                << header + keyframe
                           + R"({"seq":1,"t":6,"kind":"error","socket":null,"level":"error",)"
                             R"("code":7,"text":"refused"})"
                << QStringLiteral("line 3: code: expected a string");
        QTest::newRow("history not a flag")
                << header + keyframe + opened
                           + R"({"seq":2,"t":6,"kind":"state-changed","socket":4,"protocol":"tcp",)"
                             R"("local":{"address":"127.0.0.1","port":1},"source":"kernel-trace",)"
                             R"("from":"SYN_SENT","to":"ESTABLISHED","history":"yes"})"
                << QStringLiteral("line 4: history: expected true or false");
        QTest::newRow("record of another socket")
                << header + keyframe + QByteArray(opened).replace("\"id\":4", "\"id\":5")
                << QStringLiteral("line 3: record.id: is not the event's socket 4");
    }

    void brokenFilesSayLineAndField()
    {
        QFETCH(QByteArray, file);
        QFETCH(QString, error);
        QString got;
        QVERIFY(!EventJournal::fromJsonLines(file, &got));
        QVERIFY2(got.startsWith(error), qPrintable(got));
    }
};

QTEST_GUILESS_MAIN(TestEventJournal)
#include "tst_eventjournal.moc"
