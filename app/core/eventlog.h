// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QDateTime>
#include <QList>
#include <QObject>

namespace SocketScope {

enum class EventSeverity { Info, Warning, Error };

struct LogEvent
{
    QDateTime time;
    EventSeverity severity = EventSeverity::Info;
    SocketId socket = InvalidSocketId; // the socket it concerns, if any
    QString message;
    bool operator==(const LogEvent &other) const = default;
};

QString severityName(EventSeverity severity); // "info", "warning", "error"
std::optional<EventSeverity> severityFromName(const QString &name);

// What happened, in order: connections, errors, user actions. Bounded, so a long lecture
// with a busy server cannot grow it without end; the oldest events go first.
class EventLog : public QObject
{
    Q_OBJECT
public:
    explicit EventLog(qsizetype capacity = 10000, QObject *parent = nullptr);

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
