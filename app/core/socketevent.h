// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketrecord.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace SocketScope {

enum class TrafficDirection { Sent, Received };

// What happened to a socket, one change at a time. The registry is what you get by applying
// these in order (SocketRegistry::apply), so the journal of them can rebuild any moment.
enum class EventKind {
    // A socket appeared. Each carries the whole record; the kind says how it came to be.
    Listening, // a server's listening socket
    Accepted, // the listener handed out an established socket for a new client
    ConnectStarted, // a TCP client called connect()
    Bound, // a UDP socket was bound, or a socket's local address became known
    Opened, // a socket we did not make ourselves: seen by the kernel, another program's
    Connected, // a socket's remote address became known (a UDP connect(), a TCP peer)
    StateChanged, // from -> to, and who said so (source)
    KernelFactsChanged, // queues, timer, owner, TCP_INFO: what the kernel reports, not state
    OwnerChanged, // pid, thread, program
    ActivityChanged, // what the socket's owner is doing, in words
    Traffic, // bytes (or datagrams) sent or received; `count` > 1 when a flood was folded
    Closed, // the socket was closed: its final state and close time
    Removed, // gone from the registry
    Revised, // any other change: carries the whole record (the kernel facts excepted)
    Message, // a line of the event log (a user's command, an error, a note)
    // What the TCP code itself did or saw at the end of a direction: a FIN (orderly end:
    // shutdown, close) or an RST (abort, close with unread data, a refused connect).
    FinSent,
    FinReceived,
    RstSent,
    RstReceived,
    // Lines of the event log with a meaning of their own (Message is every other line).
    UserCommand, // what the user (or a scenario) asked for: "Start the TCP server on …"
    Caption, // a caption shown to the hall (the tour)
    Error, // an error: `code` ("EADDRINUSE") and `text`
};

// The call that sent a FIN or RST (SocketEvent::text of FinSent and RstSent).
namespace SegmentCall {
inline constexpr char Shutdown[] = "shutdown(SHUT_WR)";
inline constexpr char Close[] = "close()";
inline constexpr char CloseWithUnread[] = "close() with unread data";
inline constexpr char Abort[] = "close() with SO_LINGER 0";
} // namespace SegmentCall

// Who reported a state change.
enum class StateSource {
    Qt, // the application side: what QAbstractSocket says
    KernelPoll, // a sock_diag or /proc/net poll saw it (the path between polls is unseen)
    KernelTrace, // the sock:inet_sock_set_state tracepoint: every transition, exact
    DestroyNotice, // sock_diag's destroy notification: the socket's end, between polls
};

// One event. A flat value type: the fields a kind does not use stay at their defaults, and
// the two large payloads are shared, so copying an event through the mirror, the journal
// and the pacer copies pointers, not records.
struct SocketEvent
{
    quint64 seq = 0; // the journal's order; 0 until a journal takes it
    qint64 monotonicNs = 0; // CLOCK_MONOTONIC when it happened
    QDateTime wallTime; // UTC, when it happened
    QString host; // the machine (later: the lab host) the socket lives on
    EventKind kind = EventKind::Message;

    SocketId socket = InvalidSocketId; // InvalidSocketId: a message about no one socket
    Protocol protocol = Protocol::Tcp;
    Endpoint local; // the tuple as it is after this event
    std::optional<Endpoint> remote;

    // StateChanged and Closed
    SocketState from = SocketState::Unknown;
    SocketState to = SocketState::Unknown;
    StateSource source = StateSource::Qt;
    // StateChanged from the kernel's trace that happened before the socket's present state
    // was known here (a transition read after Qt already reported a later state): it belongs
    // to the socket's path, at its own time, but does not move the state shown now.
    bool history = false;
    // StateChanged from the kernel and KernelFactsChanged: the facts from here on (null:
    // the kernel no longer reports the socket).
    std::shared_ptr<const KernelFacts> facts;

    // Traffic
    TrafficDirection direction = TrafficDirection::Sent;
    quint64 bytes = 0;
    quint64 count = 1; // how many sends or receives this one stands for
    bool datagram = false;
    Endpoint peer; // whom the datagram came from or went to; for streams, the remote

    // OwnerChanged
    qint64 pid = 0;
    qint64 threadId = 0;
    // OwnerChanged: the program; ActivityChanged: the activity; Message: the message;
    // FinSent and RstSent: the call that sent it (SegmentCall), empty when not known.
    QString text;
    EventSeverity severity = EventSeverity::Info; // Message and the other log lines
    QString code; // Error: "EADDRINUSE", "ECONNREFUSED", or our name where no errno fits

    // The socket-creating kinds and Revised: the whole record after the event.
    std::shared_ptr<const SocketRecord> record;

    bool createsSocket() const;
    // A line of the event log: Message, UserCommand, Caption or Error.
    bool isLogLine() const;
    bool operator==(const SocketEvent &other) const;
};

// The names used in the journal file ("state-changed", "kernel-poll", ...). Parsing returns
// nullopt for a name it does not know.
QString eventKindName(EventKind kind);
std::optional<EventKind> eventKindFromName(const QString &name);
QString stateSourceName(StateSource source);
std::optional<StateSource> stateSourceFromName(const QString &name);

// The log line a log-line event (isLogLine) stands for: the inverse of
// SocketRegistry::messageAbout.
LogEvent logLineOf(const SocketEvent &event);

// An event of `kind` about `record`, carrying its id and tuple as they are now.
SocketEvent eventAbout(const SocketRecord &record, EventKind kind);

// How an opened record came to be, by its role: a listener Listening, a client ConnectStarted.
EventKind creationKindFor(const SocketRecord &record);

// The events that turn `before` into `after` (the same socket), in the order they apply.
// Kernel facts and Qt's own state are told apart, so a state change says who saw it. What no
// typed kind covers travels as one Revised event, so applying the list always gives `after`.
QList<SocketEvent> eventsForChange(const SocketRecord &before, const SocketRecord &after);

// Applies a change event (not a creating one, not Removed, not Message) to its record.
void applyEvent(const SocketEvent &event, SocketRecord &record);

// "TCP #6 (127.0.0.1:9877 ↔ 127.0.0.1:40001)": the socket an event is about, by the tuple it
// had then; empty for an event about no one socket.
QString describeSocket(const SocketEvent &event);
// "TCP #3 (…): SYN_SENT → ESTABLISHED (qt)": what the event says, in a line.
QString describeEvent(const SocketEvent &event);

} // namespace SocketScope
