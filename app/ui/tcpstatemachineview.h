// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"

#include <QWidget>

namespace SocketScope {

class EventJournal;
class Pacer;
class SocketRegistry;

// One step of a socket's path through the TCP states, as the journal has it.
struct StatePathStep
{
    SocketState state = SocketState::Unknown;
    QDateTime time;
    qint64 monotonicNs = 0; // the event's own clock: µs-exact for a kernel-trace step
    StateSource source = StateSource::Qt;
};

// The path of `socket` (and of the kernel-only record that carries on its tuple after a
// close, TIME_WAIT) through the states, from the journal's events up to `upToSeq`, in the
// order the steps happened (a traced transition is often read after Qt's later report).
// Where Qt, a poll and the trace saw the same state, the trace's step stands: its time is
// the kernel's own.
QList<StatePathStep> statePathOf(const EventJournal &journal, SocketId socket, quint64 upToSeq);

// The TCP state machine of RFC 793 / RFC 9293: all eleven states, each transition labelled
// with the call or segment that causes it. The selected socket's state is lit and the path
// it took is drawn over the diagram, numbered, with the time of each step. It shows the
// moment the window shows (the pacer's). Steps the kernel's tracepoint reported are marked
// exact; without the trace it says plainly that the path is what Qt and polling saw: a
// state held between two polls of the kernel can be missed.
class TcpStateMachineView : public QWidget
{
    Q_OBJECT
public:
    TcpStateMachineView(const EventJournal &journal, const SocketRegistry &presented,
                        const Pacer *pacer, QWidget *parent = nullptr);

    void setSocket(SocketId id);
    // Whether the kernel's transitions are followed exactly (KernelLink); `whyNot` says
    // what is missing when they are not.
    void setExactTransitions(bool followed, const QString &whyNot);
    SocketId socket() const { return m_socket; }
    // What it shows, for tests and the accessible description.
    SocketState litState() const;
    QList<StatePathStep> path() const;
    QString note() const;

    // Modest: raised in the bottom dock area, a tall hint would take the diagram's room.
    QSize sizeHint() const override { return {640, 240}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    const EventJournal &m_journal;
    const SocketRegistry &m_presented;
    const Pacer *m_pacer;
    SocketId m_socket = InvalidSocketId;
    bool m_exactFollowed = false;
    QString m_exactWhyNot;
    // The path reads the journal from its start: computed once per socket and moment, not
    // once per question a paint asks.
    mutable QList<StatePathStep> m_path;
    mutable SocketId m_pathSocket = InvalidSocketId;
    mutable quint64 m_pathSeq = 0;
};

} // namespace SocketScope
