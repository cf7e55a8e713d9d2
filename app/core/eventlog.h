// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QDateTime>
#include <QList>
#include <QObject>

namespace SocketScope {

enum class EventSeverity { Info, Warning, Error };

// What a line is, for the journal: a note of what happened, a command the user (or a
// scenario) gave, a caption shown to the hall, or an error with its code.
enum class LogKind { Note, UserCommand, Caption, Error };

struct LogEvent
{
    QDateTime time;
    EventSeverity severity = EventSeverity::Info;
    SocketId socket = InvalidSocketId; // the socket it concerns, if any
    QString message;
    LogKind kind = LogKind::Note;
    QString code; // LogKind::Error: "EADDRINUSE", or our name where no errno fits
    bool operator==(const LogEvent &other) const = default;
};

QString severityName(EventSeverity severity); // "info", "warning", "error"
std::optional<EventSeverity> severityFromName(const QString &name);

// Cuts `text` to at most `maxChars` characters, the cut marked with how much was left out
// ("… (1498976 more characters)"). Foreign text (a worker's report, a system message) can
// be any length, and one long message must not cost the window seconds of text layout.
// Idempotent: bounding a bounded text changes nothing. `maxChars` below 64 counts as 64.
QString boundedText(const QString &text, qsizetype maxChars);

// What happened, in order: connections, errors, user actions. Bounded, so a long lecture
// with a busy server cannot grow it without end; the oldest events go first. Each message
// is bounded too (MaxMessageChars), so every view and export of the log is.
class EventLog : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxMessageChars = 1000;
    static constexpr qsizetype DefaultCapacity = 10000;

    explicit EventLog(qsizetype capacity = DefaultCapacity, QObject *parent = nullptr);

    void append(EventSeverity severity, const QString &message, SocketId socket = InvalidSocketId);
    void append(LogEvent event);
    const QList<LogEvent> &events() const { return m_events; }
    qsizetype capacity() const { return m_capacity; }

Q_SIGNALS:
    void eventAppended(const SocketScope::LogEvent &event);

private:
    QList<LogEvent> m_events;
    qsizetype m_capacity;
};

} // namespace SocketScope
