// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace SocketScope {

// One TCP state change as the kernel made it, read from the sock:inet_sock_set_state
// tracepoint: the exact moment (CLOCK_MONOTONIC, the clock every event carries) and the
// socket's tuple at that moment. A connecting client's first transition (CLOSE -> SYN_SENT)
// comes before connect() has chosen its port, so its local port is still 0.
struct TraceTransition
{
    qint64 monotonicNs = 0;
    Endpoint local;
    Endpoint remote;
    SocketState from = SocketState::Unknown;
    SocketState to = SocketState::Unknown;
    bool operator==(const TraceTransition &other) const = default;
};

namespace StateTraceFormat {

// Parses one line of the tracepoint's text output (trace_pipe, with the mono trace clock):
//   "  nc-4242 [001] ..s2. 22415.345048: inet_sock_set_state: family=AF_INET
//    protocol=IPPROTO_TCP sport=47306 dport=35309 saddr=127.0.0.1 daddr=127.0.0.1
//    saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_FIN_WAIT1
//    newstate=TCP_FIN_WAIT2"
// nullopt for any other line (another event, a note of lost events, a cut or broken line,
// not TCP). Reads nothing outside `line`.
std::optional<TraceTransition> parseLine(QByteArrayView line);

} // namespace StateTraceFormat

// Follows the tracepoint through a tracefs instance of our own (socketscope-<pid>, its own
// buffer, the mono clock, a filter for TCP), read from its trace_pipe. Needs root (or write
// access to tracefs) and tracefs mounted at /sys/kernel/tracing or under debugfs.
//
// Why ftrace and not perf_event_open: measured here, a perf ring on every CPU lost the
// transitions a loopback ACK makes in softirq (FIN_WAIT1 -> FIN_WAIT2, -> CLOSE) in about
// one connection of six, with no LOST record; the same tracepoint through tracefs, at the
// same time, had every one.
//
// The instance is removed when this ends; one left by a crashed run (its pid gone) is
// removed by the next open().
class StateTrace
{
public:
    // nullptr with *why saying, in words for the window, what is missing.
    static std::unique_ptr<StateTrace> open(QString *why);
    ~StateTrace();
    StateTrace(const StateTrace &) = delete;
    StateTrace &operator=(const StateTrace &) = delete;

    // The descriptor to wait on: readable when the trace holds a transition.
    int descriptor() const { return m_pipe; }
    // Every transition recorded since the last read, oldest first.
    QList<TraceTransition> read();
    // The instance's directory, for tests and the log.
    QString instancePath() const { return m_instance; }

private:
    StateTrace() = default;

    QString m_instance;
    int m_pipe = -1;
    QByteArray m_partialLine; // a line the last read cut in two
};

} // namespace SocketScope
