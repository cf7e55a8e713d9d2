// SPDX-License-Identifier: MIT
#include "presentationclock.h"

#include "pacer.h"

#include <chrono>
#include <cmath>
#include <utility>

namespace SocketScope {

namespace {

double speedOf(const Pacer &pacer)
{
    switch (pacer.mode()) {
    case PaceMode::Live:
        return 1.0;
    case PaceMode::SlowMotion:
        return pacer.rate();
    case PaceMode::Paused:
        return 0.0;
    }
    return 1.0;
}

} // namespace

PresentationClock::PresentationClock(RealTimeSource realNs, const Pacer *pacer, QObject *parent)
    : QObject(parent),
      m_realNs(realNs ? std::move(realNs) : RealTimeSource(monotonicNs)),
      m_pacer(pacer)
{
    m_realAnchorNs = m_realNs();
    m_anchorNs = m_realAnchorNs;
    m_realOriginNs = m_realAnchorNs;
    m_wallOrigin = QDateTime::currentDateTimeUtc();
    if (!m_pacer)
        return;
    m_speed = speedOf(*m_pacer);
    connect(m_pacer, &Pacer::modeChanged, this, &PresentationClock::followPacer);
    connect(m_pacer, &Pacer::rateChanged, this, &PresentationClock::followPacer);
    connect(m_pacer, &Pacer::positionChanged, this, &PresentationClock::followPosition);
}

void PresentationClock::followPosition(quint64 seq)
{
    const SocketEvent *shown = m_pacer->journal().eventAt(seq);
    m_positionWall = shown ? shown->wallTime : QDateTime();
    m_positionShownNs = nowNs();
}

qint64 PresentationClock::monotonicNs()
{
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
}

qint64 PresentationClock::nowNs() const
{
    return at(m_realNs());
}

qint64 PresentationClock::at(qint64 realNs) const
{
    const double passed = static_cast<double>(realNs - m_realAnchorNs) * m_speed;
    return m_anchorNs + static_cast<qint64>(std::llround(passed));
}

QDateTime PresentationClock::wallTime() const
{
    if (m_pacer && m_pacer->mode() != PaceMode::Live && m_positionWall.isValid())
        return m_positionWall.addMSecs((nowNs() - m_positionShownNs) / 1'000'000);
    return m_wallOrigin.addMSecs((nowNs() - m_realOriginNs) / 1'000'000);
}

void PresentationClock::followPacer()
{
    const double speed = speedOf(*m_pacer);
    const qint64 real = m_realNs();
    const qint64 standing = at(real);
    // Live shows what happens now: the picture's time catches up with it, as the pacer's
    // registry does. Otherwise the time goes on from where it stands, at the new speed.
    const qint64 anchor = m_pacer->mode() == PaceMode::Live ? real : standing;
    if (speed == m_speed && anchor == standing)
        return;
    m_anchorNs = anchor;
    m_realAnchorNs = real;
    m_speed = speed;
    Q_EMIT speedChanged(speed);
}

} // namespace SocketScope
