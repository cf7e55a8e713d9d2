// SPDX-License-Identifier: MIT
// Issue 11's "done when", on the window main() builds (AppComposition), in a real X server
// of its own, with real sockets on loopback and the kernel's view: a client is spawned,
// sends, and closes; the timeline then shows its connect, the accept, the data both ways,
// its FIN and its TIME_WAIT on the right lanes; clicking the accept event shows the
// diagram as it was then; at 0.25x the handshake stays on screen for at least a second (on
// the pacer's clock, driven here); as root with tracefs the state machine shows the exact
// path; and the journal written out holds every event in order.
#include "appcomposition.h"
#include "diagramitems.h"
#include "diagramscene.h"
#include "socketselection.h"
#include "tcpstatemachineview.h"
#include "timelinepanel.h"
#include "timelineplan.h"
#include "timelineview.h"
#include "xvfbserver.h"

#include <QApplication>
#include <QDockWidget>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace SocketScope;

namespace {

SocketId findRole(const SocketRegistry &registry, SocketRole role)
{
    for (SocketId id : registry.ids()) {
        if (registry.find(id)->role == role)
            return id;
    }
    return InvalidSocketId;
}

int laneTitled(const TimelinePlan &plan, const QString &title)
{
    for (int i = 0; i < plan.lanes.size(); ++i) {
        if (plan.lanes.at(i).title == title)
            return i;
    }
    return -1;
}

QList<SocketState> statesOnLane(const TimelinePlan &plan, int lane)
{
    QList<SocketState> states;
    for (const TimelineBand &band : plan.bands) {
        if (band.lane == lane)
            states.append(band.state);
    }
    return states;
}

bool hasArrow(const TimelinePlan &plan, TimelineArrow::Kind kind, int from, int to)
{
    return std::any_of(plan.arrows.cbegin(), plan.arrows.cend(), [&](const TimelineArrow &a) {
        return a.kind == kind && a.fromLane == from && a.toLane == to;
    });
}

quint64 firstSeqOf(const EventJournal &journal, EventKind kind, SocketId socket)
{
    for (const SocketEvent &event : journal.range(journal.firstSeq(), journal.lastSeq())) {
        if (event.kind == kind && event.socket == socket)
            return event.seq;
    }
    return 0;
}

} // namespace

class TestGuiHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aClientsWholeStoryCanBeReplayed();
};

void TestGuiHistory::aClientsWholeStoryCanBeReplayed()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    AppComposition app;
    MainWindow &window = app.window();
    const EventJournal &journal = app.journal();
    SocketRegistry &live = app.registry();
    app.controller().setInteractive(false);
    window.serverPanel()->setRememberServerSettings(false);
    TcpServerSettings tcp = window.serverPanel()->tcpSettings();
    tcp.address = QStringLiteral("127.0.0.1");
    tcp.port = 0; // any free port: the test must not depend on 9877
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(app.controller().startTcpServer(tcp));

    // Spawn a client, send, close it.
    Q_EMIT window.spawnTcpClientsRequested(1);
    QTRY_VERIFY_WITH_TIMEOUT(findRole(live, SocketRole::TcpServerSide) != InvalidSocketId
                                     && findRole(live, SocketRole::TcpClient) != InvalidSocketId
                                     && live.find(findRole(live, SocketRole::TcpClient))->state
                                                == SocketState::Established,
                             5000);
    const SocketId listener = findRole(live, SocketRole::TcpListener);
    const SocketId client = findRole(live, SocketRole::TcpClient);
    const SocketId accepted = findRole(live, SocketRole::TcpServerSide);
    Q_EMIT window.socketActionRequested(client, SocketAction::SendText, QStringLiteral("hello"), 0);
    // The echo: every byte sent ("hello" and the line's end) has come back.
    QTRY_VERIFY_WITH_TIMEOUT(live.find(client)->bytesSent >= 5
                                     && live.find(client)->bytesReceived
                                                == live.find(client)->bytesSent,
                             5000);
    Q_EMIT window.socketActionRequested(client, SocketAction::Close, {}, 0);

    // The timeline: connect, accept, data, FIN, and (from the kernel's view) TIME_WAIT on
    // the side that closed first.
    const QString clientTitle = QStringLiteral("client #%1").arg(client);
    const bool kernel = app.kernel().isAvailable();
    const auto storyComplete = [&] {
        const TimelinePlan plan = timelineOf(journal);
        const int lane = laneTitled(plan, clientTitle);
        return lane >= 0
               && hasArrow(plan, TimelineArrow::Kind::Fin, lane,
                           laneTitled(plan, QStringLiteral("accepted #%1").arg(accepted)))
               && (!kernel || statesOnLane(plan, lane).contains(SocketState::TimeWait));
    };
    QTRY_VERIFY_WITH_TIMEOUT(storyComplete(), 10000);
    const TimelinePlan plan = timelineOf(journal);
    const int clientLane = laneTitled(plan, clientTitle);
    const int acceptedLane = laneTitled(plan, QStringLiteral("accepted #%1").arg(accepted));
    const int listenerLane = laneTitled(plan, QStringLiteral("listener #%1").arg(listener));
    QVERIFY2(clientLane >= 0 && acceptedLane >= 0 && listenerLane >= 0,
             qPrintable(QStringLiteral("lanes %1 %2 %3")
                                .arg(clientLane)
                                .arg(acceptedLane)
                                .arg(listenerLane)));
    using K = TimelineArrow::Kind;
    QVERIFY(hasArrow(plan, K::Connect, clientLane, listenerLane));
    QVERIFY(hasArrow(plan, K::Accept, listenerLane, acceptedLane));
    QVERIFY(hasArrow(plan, K::Data, clientLane, acceptedLane)); // "hello"
    QVERIFY(hasArrow(plan, K::Data, acceptedLane, clientLane)); // its echo
    QVERIFY(hasArrow(plan, K::Fin, clientLane, acceptedLane));
    const QList<SocketState> clientStates = statesOnLane(plan, clientLane);
    QVERIFY(clientStates.contains(SocketState::Established));
    if (kernel)
        QCOMPARE(clientStates.constLast(), SocketState::TimeWait);
    else
        qInfo("no kernel view here: TIME_WAIT is not checked (%s)",
              qPrintable(app.kernel().unavailableReason()));

    // Clicking the accept event in the timeline shows the diagram as it was then.
    auto *timelineDock = window.findChild<QDockWidget *>(QStringLiteral("timelineDock"));
    QVERIFY(timelineDock);
    timelineDock->show();
    timelineDock->raise();
    TimelineView *timeline = app.timeline().view();
    timeline->setFollowLive(false);
    QTRY_VERIFY_WITH_TIMEOUT(timeline->isVisible(), 5000);
    const quint64 acceptSeq = firstSeqOf(journal, EventKind::Accepted, accepted);
    QVERIFY(acceptSeq > 0);
    const int column = timeline->plan().columnOf(acceptSeq);
    QVERIFY(column >= 0);
    const TimelineStyle style;
    timeline->horizontalScrollBar()->setValue(0);
    const QPoint at(style.gutter + column * style.columnWidth + style.columnWidth / 2
                            - timeline->horizontalScrollBar()->value(),
                    60);
    QCOMPARE(timeline->columnAt(at), column);
    QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(app.pacer().mode(), PaceMode::Paused);
    QCOMPARE(app.pacer().position(), acceptSeq);
    const SocketRegistry &presented = app.presented();
    QVERIFY(presented.contains(accepted));
    QVERIFY(presented.contains(client));
    QCOMPARE(presented.find(client)->bytesSent, quint64(0)); // nothing sent yet
    QVERIFY(presented.find(client)->isOpen());
    QVERIFY(presented.find(accepted)->isOpen());
    DiagramScene *scene = window.diagramScene();
    scene->flush();
    QVERIFY(scene->itemFor(client));
    QVERIFY(scene->itemFor(accepted));
    // No card of a later moment: not the TIME_WAIT socket, not a card still fading out, and
    // every card says what its socket was then.
    QCOMPARE(scene->socketItemCount(), presented.count());
    for (SocketId id : presented.ids()) {
        QCOMPARE(scene->itemFor(id)->card().state, presented.find(id)->effectiveState());
        QCOMPARE(scene->itemFor(id)->opacity(), 1.0);
    }
    // The whole window reads that moment, exactly as the journal rebuilds it.
    const std::optional<QList<SocketRecord>> then = journal.snapshotAt(acceptSeq);
    QVERIFY(then);
    QCOMPARE(qsizetype(then->size()), presented.count());
    for (const SocketRecord &record : *then)
        QCOMPARE(presented.find(record.id)->effectiveState(), record.effectiveState());

    // At 0.25x the handshake stays on screen for at least a second: from the moment the
    // client is shown connecting until it is shown established, on the pacer's own clock
    // (ticked here; no event loop runs meanwhile, so nothing else ticks it).
    const quint64 connectSeq = firstSeqOf(journal, EventKind::ConnectStarted, client);
    QVERIFY(connectSeq > 1);
    QVERIFY(app.pacer().seek(connectSeq - 1));
    QVERIFY(!presented.contains(client));
    constexpr qint64 ms = 1'000'000;
    app.pacer().setSlowMotion(0.25, 0);
    qint64 shownConnecting = -1;
    qint64 shownEstablished = -1;
    for (qint64 now = 0; now <= 20'000 * ms && shownEstablished < 0; now += 10 * ms) {
        app.pacer().tick(now);
        const SocketRecord *shown = presented.find(client);
        if (shown && shownConnecting < 0)
            shownConnecting = now;
        if (shown && shown->state == SocketState::Established)
            shownEstablished = now;
    }
    QVERIFY2(shownConnecting >= 0 && shownEstablished >= 0, "the handshake was never shown");
    QVERIFY2(shownEstablished - shownConnecting >= 1000 * ms,
             qPrintable(QStringLiteral("%1 ms").arg((shownEstablished - shownConnecting) / ms)));
    app.pacer().goLive();
    QVERIFY(!app.pacer().isBehind());

    // The state machine lights the client's path; exact where the tracepoint is followed.
    window.selection().setCurrent(client);
    TcpStateMachineView &machine = app.stateMachine();
    QCOMPARE(machine.socket(), client);
    const auto traced = [&] {
        int count = 0;
        for (const StatePathStep &step : machine.path())
            count += step.source == StateSource::KernelTrace ? 1 : 0;
        return count;
    };
    if (app.kernel().followsExactTransitions()) {
        // SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2: the client's own, from the kernel.
        QTRY_VERIFY_WITH_TIMEOUT(traced() >= 4, 5000);
        QVERIFY2(machine.note().startsWith(QStringLiteral("Exact")), qPrintable(machine.note()));
    } else {
        QCOMPARE(traced(), 0);
        qInfo("exact transitions not followed here: %s",
              qPrintable(app.kernel().exactTransitionsReason()));
    }

    // --export-journal's file: every event, in order.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("journal.jsonl"));
    QString error;
    QVERIFY2(journal.writeFile(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const std::unique_ptr<EventJournal> read = EventJournal::fromJsonLines(file.readAll(), &error);
    QVERIFY2(read, qPrintable(error));
    const QList<SocketEvent> written = read->range(read->firstSeq(), read->lastSeq());
    const QList<SocketEvent> held = journal.range(journal.firstSeq(), read->lastSeq());
    QCOMPARE(written.size(), held.size());
    for (qsizetype i = 0; i < written.size(); ++i) {
        QCOMPARE(written.at(i).seq, held.at(i).seq);
        QCOMPARE(written.at(i).kind, held.at(i).kind);
        QCOMPARE(written.at(i).socket, held.at(i).socket);
        if (i > 0)
            QCOMPARE(written.at(i).seq, written.at(i - 1).seq + 1);
    }
}

int main(int argc, char *argv[])
{
    return runTestUnderXvfb<TestGuiHistory>(argc, argv);
}

#include "tst_guihistory.moc"
