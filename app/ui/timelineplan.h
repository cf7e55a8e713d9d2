// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"

#include <QList>
#include <QString>

namespace SocketScope {

// The event timeline as a pure plan, before any painting: one lane per connection (its
// tuple, so the TIME_WAIT the kernel keeps after a close continues the client's lane), one
// column per event in journal order, state bands along each lane, marks for the calls, and
// arrows between lanes for what crossed: connect() to the listener, accept() to the new
// socket, data and datagrams from sender to receiver.
//
// Columns follow the order of events, not their time: on loopback a handshake is a few
// microseconds, and a time axis would draw it as one line. Each column keeps its time for
// labels and tooltips.
struct TimelineLane
{
    QString key; // protocol and tuple
    QString title; // "client #4", "listener #1", "accepted #6", "UDP server #2"
    QString tuple; // "127.0.0.1:40001 → 127.0.0.1:9877"
    Protocol protocol = Protocol::Tcp;
    QString host;
    qint64 pid = 0;
};

struct TimelineBand
{
    int lane = 0;
    int fromColumn = 0; // inclusive
    int toColumn = 0; // exclusive; the plan's column count while still open
    SocketState state = SocketState::Unknown;
};

struct TimelineMark
{
    int lane = 0;
    int column = 0;
    QString label; // "connect()", "accept()", "close()", "SYN_SENT → ESTABLISHED"
};

struct TimelineArrow
{
    enum class Kind { Connect, Accept, Data, Datagram, Fin, Rst };
    Kind kind = Kind::Data;
    int fromLane = 0;
    int toLane = 0; // -1: from or to no lane we know (another program, a stranger)
    int fromColumn = 0;
    int toColumn = 0;
    QString label; // "SYN", "accept()", "14 B"
};

struct TimelinePlan
{
    static constexpr int OpenRunColumns = 4;
    QList<TimelineLane> lanes;
    QList<TimelineBand> bands;
    QList<TimelineMark> marks;
    QList<TimelineArrow> arrows;
    QList<quint64> columnSeq; // the event each column shows
    QList<qint64> columnNs; // and when it happened (monotonic ns)
    int columns() const { return int(columnSeq.size()); }
    // The column showing event `seq`, or the nearest before it; -1 when none.
    int columnOf(quint64 seq) const;
};

// Plans `events` (in journal order), starting from the sockets in `start` (the moment before
// the first event). Messages and changes with nothing to draw take no column.
TimelinePlan planTimeline(const QList<SocketRecord> &start, const QList<SocketEvent> &events);

} // namespace SocketScope
