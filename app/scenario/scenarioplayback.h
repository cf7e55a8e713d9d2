// SPDX-License-Identifier: MIT
#pragma once

#include "scenariorunner.h"

#include <QObject>

namespace SocketScope {

class EventLog;

// Plays a scenario's steps one after another up to a chosen step, as a headless run does.
// Whoever plays the runner's steps (this, or the tour in the window), each step's caption
// goes into the journal (so the timeline and exports carry it) and how it went is said in
// the log, with a clear ✓ or what differed from the kernel's view.
class ScenarioPlayback : public QObject
{
    Q_OBJECT
public:
    ScenarioPlayback(ScenarioRunner &runner, EventLog &log, QObject *parent = nullptr);

    // Plays steps from the runner's next one through `lastStep` (1-based; 0: to the end).
    void play(int lastStep = 0);
    // "✓ step 3/10: A second client" or "✗ step 3/10: ...: expected ..., the kernel shows ...".
    static QString verdict(const Scenario &scenario, const StepOutcome &outcome);

Q_SIGNALS:
    // One line per step, for a headless run's output.
    void stepReported(const QString &line, bool passed);
    // All steps asked for have run; `failedStep` is the first that failed (1-based), or 0.
    void finished(int failedStep);

private:
    void onStepFinished(const StepOutcome &outcome);

    ScenarioRunner &m_runner;
    EventLog &m_log;
    int m_lastStep = 0;
    int m_firstFailed = 0;
    bool m_playing = false;
};

} // namespace SocketScope
