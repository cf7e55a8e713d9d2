// SPDX-License-Identifier: MIT
#include "pacer.h"

#include "socketregistry.h"

#include <QCoreApplication>

namespace SocketScope {

Pacer::Pacer(const EventJournal &journal, SocketRegistry &presented, QObject *parent)
    : QObject(parent), m_journal(journal), m_presented(presented)
{
    if (journal.restore(journal.lastSeq(), presented))
        m_position = journal.lastSeq();
    connect(&journal, &EventJournal::eventRecorded, this, &Pacer::onRecorded);
}

quint64 Pacer::waiting() const
{
    return m_journal.lastSeq() > m_position ? m_journal.lastSeq() - m_position : 0;
}

void Pacer::onRecorded(const SocketEvent &event)
{
    if (m_mode == PaceMode::Live && event.seq == m_position + 1) {
        m_presented.apply(event);
        m_position = event.seq;
        Q_EMIT positionChanged(m_position);
        return;
    }
    if (m_mode == PaceMode::Live)
        showNext(); // behind by more than this one (cannot happen live; be safe)
    Q_EMIT waitingChanged(waiting());
}

bool Pacer::showNext()
{
    if (m_position >= m_journal.lastSeq())
        return false;
    const quint64 first = m_journal.firstSeq();
    if (first == 0 || m_position + 1 < first) {
        // What came next has left the journal: jump to the oldest moment it still holds.
        const quint64 to = first == 0 ? m_journal.lastSeq() : first - 1;
        if (!m_journal.restore(to, m_presented))
            return false;
        m_skipped += to - m_position;
        m_position = to;
        Q_EMIT positionChanged(m_position);
        return true;
    }
    m_presented.apply(*m_journal.eventAt(m_position + 1));
    ++m_position;
    Q_EMIT positionChanged(m_position);
    return true;
}

void Pacer::setMode(PaceMode mode)
{
    if (m_mode == mode)
        return;
    m_mode = mode;
    Q_EMIT modeChanged(mode);
}

void Pacer::goLive()
{
    if (waiting() > CatchUpReplayLimit && m_journal.restore(m_journal.lastSeq(), m_presented)) {
        m_position = m_journal.lastSeq();
        Q_EMIT positionChanged(m_position);
    }
    while (showNext()) { }
    setMode(PaceMode::Live);
    Q_EMIT waitingChanged(0);
}

void Pacer::pause()
{
    setMode(PaceMode::Paused);
}

void Pacer::setSlowMotion(double rate, qint64 nowNs)
{
    const double previousRate = m_rate;
    m_rate = qBound(MinRate, rate, MaxRate);
    if (m_mode != PaceMode::SlowMotion)
        m_nextDueNs = nowNs; // the next event may show at once
    setMode(PaceMode::SlowMotion);
    if (m_rate != previousRate)
        Q_EMIT rateChanged(m_rate);
}

bool Pacer::step()
{
    pause();
    const bool moved = showNext();
    Q_EMIT waitingChanged(waiting());
    return moved;
}

bool Pacer::seek(quint64 seq)
{
    pause();
    if (!m_journal.restore(seq, m_presented))
        return false;
    m_position = seq;
    Q_EMIT positionChanged(m_position);
    Q_EMIT waitingChanged(waiting());
    return true;
}

qint64 Pacer::stepDurationNs(quint64 seq) const
{
    const SocketEvent *event = m_journal.eventAt(seq);
    const SocketEvent *next = m_journal.eventAt(seq + 1);
    // The kernel's facts (queues, a TIME_WAIT timer counting down) change at every poll
    // without changing the story; held for a step each, they would keep slow motion behind
    // for as long as a socket lives. They pass at once.
    if (event && event->kind == EventKind::KernelFactsChanged)
        return 0;
    qint64 gap = BaseStepNs;
    // A real pause between two events (a retransmission's second) is kept, up to a second:
    // a longer one is the sockets sitting idle, and held at slow-motion scale it would keep
    // the picture behind long after the story moved on.
    if (event && next)
        gap = qBound(BaseStepNs, next->monotonicNs - event->monotonicNs, MaxHoldNs);
    return static_cast<qint64>(static_cast<double>(gap) / m_rate);
}

void Pacer::tick(qint64 nowNs)
{
    if (m_mode != PaceMode::SlowMotion)
        return;
    bool moved = false;
    while (nowNs >= m_nextDueNs && showNext()) {
        moved = true;
        const qint64 duration = stepDurationNs(m_position);
        // Keep the cadence, but after a long stall (the window was busy) do not rush
        // through a backlog: start counting from now.
        m_nextDueNs = nowNs - m_nextDueNs > duration ? nowNs + duration : m_nextDueNs + duration;
    }
    if (moved)
        Q_EMIT waitingChanged(waiting());
}

QString paceModeName(PaceMode mode)
{
    switch (mode) {
    case PaceMode::Live:
        return QCoreApplication::translate("SocketScope::Pacer", "live");
    case PaceMode::SlowMotion:
        return QCoreApplication::translate("SocketScope::Pacer", "slow motion");
    case PaceMode::Paused:
        return QCoreApplication::translate("SocketScope::Pacer", "paused");
    }
    return {};
}

} // namespace SocketScope
