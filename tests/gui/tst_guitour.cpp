// SPDX-License-Identifier: MIT
// The tour in the window main() builds, under a real X server of its own, on real sockets
// with the kernel's view: Page Down through the whole built-in tour (a question takes two
// presses: ask, then reveal and play), every step confirmed by the kernel, in at most 12
// presses; Page Up replays the step before on fresh sockets and shows the same state as
// going forward did; B blacks the screen out and Esc brings it back.
#include "appcomposition.h"
#include "networkengine.h"
#include "scenarioloader.h"
#include "scenarioplayback.h"
#include "scenariorunner.h"
#include "tourcontroller.h"
#include "tourkeys.h"
#include "xvfbserver.h"

#include <QApplication>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

namespace {

// The scenario's own sockets as the kernel shows them: what "the same state" means after a
// replay on fresh sockets (ports differ, states and counts must not).
QStringList stateOf(const ScenarioRunner &runner, const SocketRegistry &live)
{
    QStringList state;
    const QList<SocketRef> refs{{SocketRef::Kind::Listener, 0},  {SocketRef::Kind::UdpServer, 0},
                                {SocketRef::Kind::TcpClient, 1}, {SocketRef::Kind::TcpClient, 2},
                                {SocketRef::Kind::TcpClient, 3}, {SocketRef::Kind::Accepted, 1},
                                {SocketRef::Kind::Accepted, 2},  {SocketRef::Kind::Accepted, 3},
                                {SocketRef::Kind::UdpClient, 1}, {SocketRef::Kind::UdpClient, 2}};
    for (const SocketRef &ref : refs) {
        const SocketRecord *record = runner.sockets().find(ref);
        state << ref.text() + QLatin1Char('=')
                         + (record ? stateName(checkedState(*record).value_or(record->state))
                                   : QStringLiteral("gone"));
    }
    int programs = 0;
    for (SocketId id : live.ids())
        programs += live.find(id)->isOpen() && !live.find(id)->kernelOnly;
    state << QStringLiteral("program's open sockets=%1").arg(programs);
    return state;
}

} // namespace

class TestGuiTour : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pageDownThroughTheTour();
};

void TestGuiTour::pageDownThroughTheTour()
{
    AppComposition app;
    app.controller().setInteractive(false);
    // The tour's child process per client is the program's own worker mode.
    app.network().run([&app] {
        app.network().engine().setWorkerCommand(
                {QStringLiteral(SOCKETSCOPE_BINARY), {QStringLiteral("--worker")}});
    });
    const ScenarioLoadResult loaded = ScenarioLoader::load(QStringLiteral(":/scenarios/tour.json"));
    QVERIFY2(loaded.scenario, qPrintable(loaded.error));
    const int steps = static_cast<int>(loaded.scenario->steps.size());
    ScenarioRunner runner(app.controller().commands(), app.registry(), [&app] {
        app.syncNow();
        app.kernel().probe().pollNow();
    });
    runner.setPortOverrides(0, 0);
    runner.setScenario(*loaded.scenario);
    ScenarioPlayback log(runner, app.log()); // captions and verdicts in the journal, as main() has
    TourController tour(runner, app.window(), app.pacer());
    app.window().resize(1280, 720);
    app.window().show();
    QVERIFY(QTest::qWaitForWindowExposed(&app.window()));
    QSignalSpy shown(&tour, &TourController::stepShown);

    tour.start();
    QVERIFY(tour.dock().isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
    QCOMPARE(tour.shownStep(), 0);
    QMap<int, QStringList> forward;
    forward.insert(0, stateOf(runner, app.registry()));
    int presses = 0;
    while (!(tour.shownStep() == steps - 1
             && tour.panel().shownStep().phase == TourStepView::Phase::Passed)) {
        QVERIFY2(presses < 20, "the tour does not end");
        const TourStepView before = tour.panel().shownStep();
        QVERIFY2(
                before.phase != TourStepView::Phase::Failed,
                qPrintable(QStringLiteral("step %1: %2").arg(before.index + 1).arg(before.status)));
        // As a clicker does: a key press to whatever has the focus.
        QWidget *focus = QApplication::focusWidget() ? QApplication::focusWidget() : &app.window();
        const qsizetype shownBefore = shown.count();
        QTest::keyClick(focus, Qt::Key_PageDown);
        ++presses;
        // A step with nothing to wait for may be shown before keyClick() returns.
        QTRY_VERIFY2_WITH_TIMEOUT(shown.count() > shownBefore,
                                  qPrintable(QStringLiteral("press %1").arg(presses)), 20000);
        const TourStepView &now = tour.panel().shownStep();
        if (now.phase == TourStepView::Phase::Asking) {
            QVERIFY(!now.question.isEmpty());
            QVERIFY(runner.stepsRun() == now.index); // asked before its actions run
        } else {
            QVERIFY2(now.phase == TourStepView::Phase::Passed,
                     qPrintable(QStringLiteral("step %1: %2").arg(now.index + 1).arg(now.status)));
            forward.insert(now.index, stateOf(runner, app.registry()));
        }
    }
    qInfo("the tour: %d steps in %d presses", steps, presses);
    QVERIFY2(presses <= 12, qPrintable(QString::number(presses)));
    QCOMPARE(forward.size(), steps);

    // Back: the step before, replayed from the start on fresh sockets, in the state it had.
    qsizetype shownBefore = shown.count();
    QTest::keyClick(&app.window(), Qt::Key_PageUp);
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() > shownBefore, 30000);
    QCOMPARE(tour.shownStep(), steps - 2);
    QCOMPARE(tour.panel().shownStep().phase, TourStepView::Phase::Passed);
    QCOMPARE(runner.stepsRun(), steps - 1);
    QCOMPARE(stateOf(runner, app.registry()), forward.value(steps - 2));
    // And forward again: the last step as it was the first time.
    shownBefore = shown.count();
    QTest::keyClick(&app.window(), Qt::Key_PageDown);
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() > shownBefore, 20000);
    QCOMPARE(tour.shownStep(), steps - 1);
    QCOMPARE(tour.panel().shownStep().phase, TourStepView::Phase::Passed);
    QCOMPARE(stateOf(runner, app.registry()), forward.value(steps - 1));

    // B: a black screen over everything; Esc (or B again) brings the picture back.
    auto *black = app.window().findChild<BlackScreen *>();
    QVERIFY(black && !black->isBlack());
    QTest::keyClick(&app.window(), Qt::Key_B);
    QVERIFY(black->isBlack());
    QCOMPARE(black->geometry(), app.window().rect());
    QTest::keyClick(&app.window(), Qt::Key_Escape);
    QVERIFY(!black->isBlack());
    QVERIFY(app.window().isVisible()); // Esc ended the black screen, not the window
}

int main(int argc, char *argv[])
{
    return runTestUnderXvfb<TestGuiTour>(argc, argv);
}

#include "tst_guitour.moc"
