// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"

#include <QWidget>

namespace SocketScope {

class EventJournal;
class Pacer;
class SocketRegistry;

// One system call (or one kind of them) that made or used a socket, as the journal has it.
struct SystemCallLane
{
    QString call; // "socket()", "bind()", "listen()", "accept()", "connect()", "write()", ...
    QString qtCall; // the Qt (or our own) call that made it: "QTcpServer::listen()"
    QString note; // what the last one did, when there is more to say ("returned 0: FIN")
    quint64 count = 0; // how many the journal recorded (a folded flood counts each)
    QDateTime last; // when the last one was recorded
    quint64 lastSeq = 0; // the event that recorded it
};

// The system calls SocketScope's code made for `socket` up to event `upToSeq`, in the order
// the calls first appear (socket, bind, listen, accept / connect, write, read, sendto,
// recvfrom, shutdown, close). Derived from the journal's events about it: what the code did
// (listen, connect, a datagram sent, a FIN sent by shutdown or close), not a trace of every
// syscall Qt makes underneath. Empty for another program's socket: its calls are not ours.
QList<SystemCallLane> systemCallLanesOf(const EventJournal &journal, SocketId socket,
                                        quint64 upToSeq);

// The selected socket's system calls, one lane each, the latest lit as it happens, with the
// Qt call beside it. It shows the moment the window shows (the pacer's).
class SystemCallLanesView : public QWidget
{
    Q_OBJECT
public:
    SystemCallLanesView(const EventJournal &journal, const SocketRegistry &presented,
                        const Pacer *pacer, QWidget *parent = nullptr);

    void setSocket(SocketId id);
    SocketId socket() const { return m_socket; }
    QList<SystemCallLane> lanes() const;
    // The lane lit now (the latest call at the moment shown); empty when there is none.
    QString litCall() const;

    QSize sizeHint() const override { return {640, 240}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    quint64 shownSeq() const;
    // The pacer moved to `position`: repaints if an event of the socket lies in between.
    void followPosition(quint64 position);

    const EventJournal &m_journal;
    const SocketRegistry &m_presented;
    const Pacer *m_pacer;
    SocketId m_socket = InvalidSocketId;
    quint64 m_followedSeq = 0; // the pacer's position when it last moved
    // Read from the journal's start: computed once per socket and moment, not per paint.
    mutable QList<SystemCallLane> m_lanes;
    mutable SocketId m_lanesSocket = InvalidSocketId;
    mutable quint64 m_lanesSeq = 0;
};

} // namespace SocketScope
