// SPDX-License-Identifier: MIT
#include "tourcontroller.h"

#include "diagramscene.h"
#include "mainwindow.h"
#include "pacer.h"
#include "presentationmode.h"
#include "scenarioplayback.h"
#include "socketregistry.h"
#include "socketselection.h"
#include "textscale.h"
#include "tourdocklayout.h"
#include "tourkeys.h"

#include <QDockWidget>
#include <QScrollArea>
#include <QTimer>

namespace SocketScope {

TourController::TourController(ScenarioRunner &runner, MainWindow &window, Pacer &pacer,
                               QObject *parent)
    : QObject(parent), m_runner(runner), m_window(window), m_pacer(pacer)
{
    m_dock = new QDockWidget(tr("Tour"), &window);
    m_dock->setObjectName(QStringLiteral("tourDock"));
    // Scrolls rather than clips when the hall's text scale makes a caption taller than the dock.
    auto *scroll = new QScrollArea(m_dock);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_panel = new TourPanel(scroll);
    scroll->setWidget(m_panel);
    m_dock->setWidget(scroll);
    m_dock->hide();
    m_dock->setProperty(PresentationMode::KeepWhilePresenting, true);
    window.addDockWidget(Qt::RightDockWidgetArea, m_dock);
    // The captions grow with the hall's text scale, as the diagram and the timeline do.
    m_panel->setTextScale(window.textScale().value());
    connect(&window.textScale(), &TextScale::changed, m_panel, &TourPanel::setTextScale);
    m_dockLayout = new TourDockLayout(window, *m_dock, *m_panel, this);
    connect(&window.textScale(), &TextScale::changed, m_dockLayout, &TourDockLayout::refit);
    // Presentation view is the hall's: the captions go under the diagram while it lasts.
    connect(&window, &MainWindow::presentingChanged, this,
            [this](bool on) { setHallLayout(on && m_dock->isVisible()); });
    // The whole right column for the caption: a tab beside the servers, in front of them.
    if (auto *servers = window.findChild<QDockWidget *>(QStringLiteral("serverDock")))
        window.tabifyDockWidget(servers, m_dock);
    m_keys = new TourKeys(&window);
    m_black = new BlackScreen(&window);

    connect(m_panel, &TourPanel::nextRequested, this, &TourController::next);
    connect(m_panel, &TourPanel::backRequested, this, &TourController::back);
    connect(m_panel, &TourPanel::stepChosen, this, &TourController::jumpTo);
    connect(m_keys, &TourKeys::nextPressed, this, &TourController::next);
    connect(m_keys, &TourKeys::backPressed, this, &TourController::back);
    connect(m_keys, &TourKeys::blackScreenPressed, this, [this] {
        m_black->setBlack(!m_black->isBlack());
        m_keys->setClaimEscape(m_black->isBlack());
    });
    connect(m_keys, &TourKeys::escapePressed, this, [this] {
        m_black->setBlack(false);
        m_keys->setClaimEscape(false);
    });
    connect(&runner, &ScenarioRunner::stepFinished, this, &TourController::onStepFinished);
}

TourController::~TourController() = default;

void TourController::start(int step)
{
    QStringList titles;
    for (const ScenarioStep &each : m_runner.scenario().steps)
        titles << each.title;
    m_panel->setStepTitles(titles);
    m_dock->show();
    m_dock->raise();
    if (m_window.isPresenting())
        setHallLayout(true);
    m_keys->setActive(true);
    if (step > 1) {
        playThrough(step - 1, m_runner.stepsRun() > 0);
        return;
    }
    m_shown = -1;
    m_phase = TourStepView::Phase::Passed;
    next();
}

void TourController::next()
{
    if (isBusy())
        return;
    const int count = static_cast<int>(m_runner.scenario().steps.size());
    if (m_phase == TourStepView::Phase::Asking) {
        playThrough(m_shown, false); // the answer: the step plays
        return;
    }
    const int index = m_shown + 1;
    if (index >= count)
        return;
    if (m_runner.scenario().steps.at(index).question) {
        show(index, TourStepView::Phase::Asking);
        return;
    }
    playThrough(index, false);
}

void TourController::back()
{
    if (!isBusy() && m_shown > 0)
        jumpTo(m_shown - 1);
}

void TourController::jumpTo(int index)
{
    if (isBusy() || index < 0 || index >= m_runner.scenario().steps.size()
        || (index == m_shown && m_phase != TourStepView::Phase::Asking))
        return;
    // Forward is played on from here; back starts again, since sockets cannot be unmade.
    playThrough(index, index < m_runner.stepsRun());
}

void TourController::playThrough(int target, bool fromScratch)
{
    m_target = target;
    m_replayFailures.clear();
    if (fromScratch)
        m_runner.restart();
    const bool replaying = m_runner.stepsRun() < target;
    show(target, replaying ? TourStepView::Phase::Restoring : TourStepView::Phase::Running);
    // The steps on the way are shown at once, without animation; the target at its speed.
    if (replaying)
        m_pacer.goLive();
    else
        applySpeed(target);
    m_runner.runNextStep();
}

void TourController::onStepFinished(const StepOutcome &outcome)
{
    if (m_target < 0)
        return;
    if (outcome.index < m_target) {
        if (!outcome.passed)
            m_replayFailures << ScenarioPlayback::verdict(m_runner.scenario(), outcome);
        if (outcome.index + 1 == m_target) {
            applySpeed(m_target);
            show(m_target, TourStepView::Phase::Running);
        }
        QTimer::singleShot(0, &m_runner, &ScenarioRunner::runNextStep);
        return;
    }
    m_target = -1;
    QString status = ScenarioPlayback::verdict(m_runner.scenario(), outcome);
    // The verdict's head ("✓ step 3/10 "title"") is the panel's own header already.
    const qsizetype colon = status.indexOf(QStringLiteral("\": "));
    status = colon >= 0 ? status.mid(colon + 3) : QString();
    if (!m_replayFailures.isEmpty())
        status += (status.isEmpty() ? QString() : QStringLiteral(" "))
                  + tr("On the way: %1").arg(m_replayFailures.join(QStringLiteral("; ")));
    const bool passed = outcome.passed && m_replayFailures.isEmpty();
    // Highlighted first: what the step is about is in view when it is shown (and exported).
    highlight(m_runner.scenario().steps.at(outcome.index));
    show(outcome.index, passed ? TourStepView::Phase::Passed : TourStepView::Phase::Failed, status);
}

void TourController::applySpeed(int index)
{
    // Slow motion (the handshake step) keeps each event of the step on screen for a while;
    // the picture then lags the sockets, and the next step catches up.
    const double speed = m_runner.scenario().steps.at(index).speed;
    if (speed < 1.0)
        m_pacer.setSlowMotion(speed, systemEventTime().monotonicNs);
    else
        m_pacer.goLive();
}

void TourController::show(int index, TourStepView::Phase phase, const QString &status)
{
    const ScenarioStep &step = m_runner.scenario().steps.at(index);
    TourStepView view;
    view.index = index;
    view.count = static_cast<int>(m_runner.scenario().steps.size());
    view.title = step.title;
    view.caption = step.caption;
    if (step.question) {
        view.question = step.question->text;
        view.choices = step.question->choices;
        view.answer = step.question->answer;
        view.explanation = step.question->explanation;
    }
    view.phase = phase;
    view.status = status;
    m_shown = index;
    m_phase = phase;
    m_panel->showStep(view);
    m_dockLayout->refit();
    if (phase != TourStepView::Phase::Running && phase != TourStepView::Phase::Restoring)
        Q_EMIT stepShown(index, phase);
}

void TourController::showStepsEnd()
{
    m_pacer.goLive();
}

void TourController::setHallLayout(bool hall)
{
    m_dockLayout->setHall(hall);
}

void TourController::highlight(const ScenarioStep &step)
{
    QList<SocketId> ids;
    for (const SocketRef &ref : step.highlight)
        if (const SocketRecord *record = m_runner.sockets().find(ref))
            ids << record->id;
    m_window.selection().select(ids);
    // Folded to fit the hall's text size, the picture keeps these in view.
    m_window.diagramScene()->setFocusSockets(QSet<SocketId>(ids.cbegin(), ids.cend()));
}

} // namespace SocketScope
