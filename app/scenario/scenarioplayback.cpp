// SPDX-License-Identifier: MIT
#include "scenarioplayback.h"

#include "eventlog.h"

#include <QTimer>

namespace SocketScope {

ScenarioPlayback::ScenarioPlayback(ScenarioRunner &runner, EventLog &log, QObject *parent)
    : QObject(parent), m_runner(runner), m_log(log)
{
    connect(&runner, &ScenarioRunner::stepStarted, this, [this](int index) {
        const ScenarioStep &step = m_runner.scenario().steps.at(index);
        LogEvent caption;
        caption.kind = LogKind::Caption;
        caption.message = tr("Step %1 of %2: %3. %4")
                                  .arg(index + 1)
                                  .arg(m_runner.scenario().steps.size())
                                  .arg(step.title, step.caption);
        m_log.append(caption);
    });
    connect(&runner, &ScenarioRunner::stepFinished, this, &ScenarioPlayback::onStepFinished);
}

void ScenarioPlayback::play(int lastStep)
{
    const int total = static_cast<int>(m_runner.scenario().steps.size());
    m_lastStep = lastStep <= 0 ? total : qMin(lastStep, total);
    m_firstFailed = 0;
    m_playing = true;
    if (m_runner.stepsRun() >= m_lastStep) {
        // Nothing to play: say so after the caller has connected to finished().
        QTimer::singleShot(0, this, [this] { Q_EMIT finished(0); });
        return;
    }
    // From the event loop: a step with nothing to wait for ends at once, and what follows
    // its end (a headless run quitting) needs the loop running.
    QTimer::singleShot(0, &m_runner, &ScenarioRunner::runNextStep);
}

QString ScenarioPlayback::verdict(const Scenario &scenario, const StepOutcome &outcome)
{
    const ScenarioStep &step = scenario.steps.at(outcome.index);
    const QString head = tr("step %1/%2 \"%3\"")
                                 .arg(outcome.index + 1)
                                 .arg(scenario.steps.size())
                                 .arg(step.title);
    QStringList said;
    for (const QString &note : outcome.notes)
        said << note;
    QStringList unknowable;
    for (const ScenarioCheck &check : outcome.checks) {
        if (check.unknowable)
            unknowable << check.expected;
        else if (!check.passed)
            said << tr("expected that %1, but %2").arg(check.expected, check.actual);
    }
    said << outcome.failures;
    if (!unknowable.isEmpty())
        said << tr("not checked, this machine gives no kernel view: %1")
                        .arg(unknowable.join(QStringLiteral("; ")));
    const QString mark = outcome.passed ? QStringLiteral("✓") : QStringLiteral("✗");
    const QString line = mark + QLatin1Char(' ') + head;
    return said.isEmpty() ? line : line + QStringLiteral(": ") + said.join(QStringLiteral("; "));
}

void ScenarioPlayback::onStepFinished(const StepOutcome &outcome)
{
    const QString line = verdict(m_runner.scenario(), outcome);
    m_log.append(outcome.passed ? EventSeverity::Info : EventSeverity::Warning, line);
    if (!outcome.passed && m_firstFailed == 0)
        m_firstFailed = outcome.index + 1;
    if (!m_playing)
        return; // a step someone else played (the tour): said in the log, nothing more
    Q_EMIT stepReported(line, outcome.passed);
    if (m_runner.stepsRun() < m_lastStep) {
        // From the event loop, not from inside the step that just ended.
        QTimer::singleShot(0, &m_runner, &ScenarioRunner::runNextStep);
        return;
    }
    m_playing = false;
    Q_EMIT finished(m_firstFailed);
}

} // namespace SocketScope
