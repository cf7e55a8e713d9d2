// SPDX-License-Identifier: MIT
#pragma once

#include "scenariorunner.h"
#include "tourpanel.h"

#include <QObject>

class QDockWidget;

namespace SocketScope {

class BlackScreen;
class MainWindow;
class Pacer;
class TourDockLayout;
class TourKeys;

// The guided tour in the window: a step per press of the presenter's clicker, a step with a
// question asked before it runs and answered by the next press, each step played on real
// sockets by the runner (slow motion where the step asks for it, through the pacer) and
// confirmed against the kernel. Going back replays the steps before it from the start on
// fresh sockets, fast and without animation, so what the hall sees is always real.
class TourController : public QObject
{
    Q_OBJECT
public:
    TourController(ScenarioRunner &runner, MainWindow &window, Pacer &pacer,
                   QObject *parent = nullptr);
    ~TourController() override;

    // Shows the tour and plays up to step `step` (1-based; 0 or 1: the first step).
    void start(int step = 0);
    void next();
    void back();
    void jumpTo(int index);

    int shownStep() const { return m_shown; }
    bool isBusy() const { return m_target >= 0; }
    TourPanel &panel() { return *m_panel; }
    QDockWidget &dock() { return *m_dock; }
    // The picture jumps to the end of a step still playing in slow motion (a slide shows
    // what the hall sees once it has played).
    void showStepsEnd();
    // The caption panel as the hall sees it, under the diagram (presentation view, slides).
    void setHallLayout(bool hall);

Q_SIGNALS:
    // A step is on screen and done (after a question: asked, or answered and played).
    void stepShown(int index, SocketScope::TourStepView::Phase phase);

private:
    void playThrough(int target, bool fromScratch);
    void onStepFinished(const StepOutcome &outcome);
    void applySpeed(int index);
    void show(int index, TourStepView::Phase phase, const QString &status = {});
    void highlight(const ScenarioStep &step);

    ScenarioRunner &m_runner;
    MainWindow &m_window;
    Pacer &m_pacer;
    QDockWidget *m_dock = nullptr;
    TourPanel *m_panel = nullptr;
    TourDockLayout *m_dockLayout = nullptr;
    TourKeys *m_keys = nullptr;
    BlackScreen *m_black = nullptr;
    int m_shown = -1;
    TourStepView::Phase m_phase = TourStepView::Phase::Running;
    int m_target = -1; // the step being played to; -1: none
    QStringList m_replayFailures; // of steps replayed on the way to the target
};

} // namespace SocketScope
