// SPDX-License-Identifier: MIT
#include "playbackbar.h"

#include "socketregistry.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>

namespace SocketScope {

namespace {

// The presentation runs on the clock the events are stamped with.
qint64 nowNs()
{
    return systemEventTime().monotonicNs;
}

// The speed box's entries: 0 means live, anything else a slow-motion rate.
constexpr double kSpeeds[] = {0, 1.0, 0.5, 0.25, 0.1};

} // namespace

PlaybackBar::PlaybackBar(Pacer &pacer, QWidget *parent)
    : QToolBar(tr("Playback"), parent), m_pacer(pacer)
{
    setObjectName(QStringLiteral("playbackBar"));
    m_pause = addAction(tr("Pause"));
    m_pause->setObjectName(QStringLiteral("pausePicture"));
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Space));
    m_pause->setToolTip(tr("Hold the picture still (Ctrl+Space). The sockets keep working; what "
                           "they do waits and is shown when you go on."));
    connect(m_pause, &QAction::triggered, this, [this](bool paused) {
        if (paused)
            m_pacer.pause();
        else
            m_pacer.goLive();
    });
    m_step = addAction(tr("Step"));
    m_step->setObjectName(QStringLiteral("stepPicture"));
    m_step->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Right));
    m_step->setToolTip(tr("Show the next event, one at a time (Ctrl+Right)"));
    connect(m_step, &QAction::triggered, this, [this] { m_pacer.step(); });
    m_live = addAction(tr("Live"));
    m_live->setObjectName(QStringLiteral("backToLive"));
    m_live->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
    m_live->setToolTip(tr("Back to what is happening now (Ctrl+End)"));
    connect(m_live, &QAction::triggered, this, [this] {
        m_speed->setCurrentIndex(0);
        m_pacer.goLive();
    });

    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("pictureSpeed"));
    m_speed->setToolTip(tr("Slow motion: each event stays on screen for at least a quarter of a "
                           "second at 1×, four times that at 0.25×. A loopback handshake takes "
                           "microseconds; this is how the hall sees it."));
    m_speed->addItem(tr("Live speed"));
    for (size_t i = 1; i < std::size(kSpeeds); ++i)
        m_speed->addItem(tr("Slow %1×").arg(kSpeeds[i]));
    connect(m_speed, &QComboBox::activated, this, &PlaybackBar::chooseSpeed);
    addWidget(m_speed);

    m_marker = new QLabel(this);
    m_marker->setObjectName(QStringLiteral("pictureMarker"));
    m_marker->setMargin(4);
    addWidget(m_marker);

    m_frame.setInterval(16);
    connect(&m_frame, &QTimer::timeout, this, [this] { m_pacer.tick(nowNs()); });
    connect(&pacer, &Pacer::modeChanged, this, &PlaybackBar::showState);
    connect(&pacer, &Pacer::waitingChanged, this, &PlaybackBar::showState);
    // What the journal folded or dropped is said where the eye already is.
    connect(&pacer, &Pacer::positionChanged, this, [this] {
        const EventJournal &journal = m_pacer.journal();
        if (journal.foldedEvents() != m_shownFolded || journal.droppedEvents() != m_shownDropped)
            showState();
    });
    showState();
}

void PlaybackBar::chooseSpeed(int index)
{
    const double rate = kSpeeds[qBound(0, index, int(std::size(kSpeeds)) - 1)];
    if (rate == 0)
        m_pacer.goLive();
    else
        m_pacer.setSlowMotion(rate, nowNs());
}

QString PlaybackBar::markerText() const
{
    const quint64 waiting = m_pacer.waiting();
    const QString events = waiting == 1 ? tr("1 event") : tr("%1 events").arg(waiting);
    const EventJournal &journal = m_pacer.journal();
    QString history;
    if (journal.foldedEvents() > 0)
        history += tr(" \u00b7 %1 folded").arg(journal.foldedEvents());
    if (journal.droppedEvents() > 0)
        history += tr(" \u00b7 %1 dropped").arg(journal.droppedEvents());
    return modeText(waiting, events) + history;
}

QString PlaybackBar::modeText(quint64 waiting, const QString &events) const
{
    switch (m_pacer.mode()) {
    case PaceMode::Live:
        return tr("LIVE");
    case PaceMode::Paused:
        return waiting ? tr("PAUSED \u2014 %1 waiting").arg(events)
                       : tr("PAUSED \u2014 nothing waiting");
    case PaceMode::SlowMotion:
        return waiting ? tr("SLOW MOTION %1\u00d7 \u2014 %2 behind").arg(m_pacer.rate()).arg(events)
                       : tr("SLOW MOTION %1\u00d7 \u2014 caught up").arg(m_pacer.rate());
    }
    return {};
}

void PlaybackBar::showState()
{
    const PaceMode mode = m_pacer.mode();
    m_pause->setChecked(mode == PaceMode::Paused);
    m_live->setEnabled(mode != PaceMode::Live);
    if (mode == PaceMode::Live)
        m_speed->setCurrentIndex(0);
    // Started once: this runs for every event journalled, and restarting the timer each
    // time would keep it from ever firing while events come faster than a frame.
    if (mode == PaceMode::SlowMotion && !m_frame.isActive())
        m_frame.start();
    else if (mode != PaceMode::SlowMotion)
        m_frame.stop();
    const EventJournal &journal = m_pacer.journal();
    m_shownFolded = journal.foldedEvents();
    m_shownDropped = journal.droppedEvents();
    m_marker->setText(markerText());
    m_marker->setToolTip(
            tr("The journal holds %1 events (at most %2; the oldest go first). %3 sends and "
               "receives were folded into others during floods, every byte still counted; %4 "
               "older events were dropped at the bound.")
                    .arg(journal.size())
                    .arg(journal.limits().maxEvents)
                    .arg(m_shownFolded)
                    .arg(m_shownDropped));
    // Behind reality is a fact the hall must not miss: it stands out in colour and words.
    m_marker->setStyleSheet(
            mode == PaceMode::Live ? QStringLiteral("QLabel { color: #009E73; font-weight: bold; }")
                                   : QStringLiteral("QLabel { color: white; background: #D55E00; "
                                                    "font-weight: bold; border-radius: 3px; }"));
}

} // namespace SocketScope
