// SPDX-License-Identifier: MIT
#include "eventlog.h"

namespace SocketScope {

QString severityName(EventSeverity severity)
{
    switch (severity) {
    case EventSeverity::Info:
        return QStringLiteral("info");
    case EventSeverity::Warning:
        return QStringLiteral("warning");
    case EventSeverity::Error:
        return QStringLiteral("error");
    }
    return {};
}

std::optional<EventSeverity> severityFromName(const QString &name)
{
    for (auto severity : {EventSeverity::Info, EventSeverity::Warning, EventSeverity::Error}) {
        if (severityName(severity) == name)
            return severity;
    }
    return std::nullopt;
}

QString boundedText(const QString &text, qsizetype maxChars)
{
    // Room for the marker at its longest (a 19-digit count), so the result never exceeds
    // maxChars and a second pass finds nothing to cut.
    static constexpr qsizetype MarkerRoom = 40;
    maxChars = qMax<qsizetype>(maxChars, 64);
    if (text.size() <= maxChars)
        return text;
    qsizetype keep = maxChars - MarkerRoom;
    if (text.at(keep - 1).isHighSurrogate())
        --keep; // never half a character
    return text.left(keep) + QStringLiteral(" \u2026 (%1 more characters)").arg(text.size() - keep);
}

EventLog::EventLog(qsizetype capacity, QObject *parent)
    : QObject(parent), m_capacity(qMax<qsizetype>(capacity, 1))
{ }

void EventLog::append(EventSeverity severity, const QString &message, SocketId socket)
{
    append(LogEvent{QDateTime::currentDateTimeUtc(), severity, socket, message, LogKind::Note, {}});
}

void EventLog::append(LogEvent event)
{
    if (event.time.isNull())
        event.time = QDateTime::currentDateTimeUtc();
    event.message = boundedText(event.message, MaxMessageChars);
    // Trim a tenth at a time so a full log costs one shift per many appends, not per append.
    if (m_events.size() >= m_capacity)
        m_events.remove(0, qMin(m_events.size(), qMax<qsizetype>(m_capacity / 10, 1)));
    m_events.append(event);
    Q_EMIT eventAppended(m_events.constLast());
}

} // namespace SocketScope
