// SPDX-License-Identifier: MIT
#include "eventlogview.h"

#include "eventjournal.h"

#include <QFontDatabase>
#include <QScrollBar>
#include <QTextCharFormat>

namespace SocketScope {

EventLogView::EventLogView(const EventLog &log, QWidget *parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setObjectName(QStringLiteral("eventLog"));
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Keeps the widget as bounded as the log itself.
    setMaximumBlockCount(static_cast<int>(log.capacity()));
    for (const LogEvent &event : log.events())
        appendEvent(event);
    connect(&log, &EventLog::eventAppended, this, &EventLogView::appendEvent);
}

QString EventLogView::lineFor(const LogEvent &event)
{
    // One event, one line of bounded length, whatever the message holds: laying out text
    // costs the UI thread time in proportion to its length, and a line break inside a
    // message would make one event several blocks of the bounded document.
    QString message = boundedText(event.message, MaxLineChars);
    message.replace(QLatin1Char('\r'), QChar(0x21B5)).replace(QLatin1Char('\n'), QChar(0x21B5));
    return event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")) + QStringLiteral("  ")
           + severityName(event.severity).toUpper().leftJustified(8) + message;
}

EventLogView::EventLogView(const EventJournal &journal, QWidget *parent)
    : QPlainTextEdit(parent), m_journal(&journal)
{
    setReadOnly(true);
    setObjectName(QStringLiteral("eventLog"));
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setMaximumBlockCount(static_cast<int>(EventLog::DefaultCapacity));
    setEveryEvent(false);
    connect(&journal, &EventJournal::eventRecorded, this, &EventLogView::appendJournalEvent);
}

void EventLogView::setEveryEvent(bool every)
{
    m_everyEvent = every;
    if (!m_journal)
        return;
    clear();
    // The newest lines the view can hold, read back from the journal.
    const quint64 last = m_journal->lastSeq();
    const quint64 from
            = qMax(m_journal->firstSeq(), last > quint64(EventLog::DefaultCapacity) * 4
                                                  ? last - quint64(EventLog::DefaultCapacity) * 4
                                                  : 1);
    for (const SocketEvent &event : m_journal->range(from, last))
        appendJournalEvent(event);
}

QString EventLogView::lineFor(const SocketEvent &event)
{
    const QString text = event.kind == EventKind::Error && !event.code.isEmpty()
                                 ? event.code + QStringLiteral(": ") + event.text
                                 : event.text;
    QString message = boundedText(event.isLogLine() ? text : describeEvent(event), MaxLineChars);
    message.replace(QLatin1Char('\r'), QChar(0x21B5)).replace(QLatin1Char('\n'), QChar(0x21B5));
    QString who;
    if (event.isLogLine() && event.socket != InvalidSocketId)
        who = describeSocket(event) + QStringLiteral(": ");
    QString level;
    switch (event.kind) {
    case EventKind::Message:
        level = severityName(event.severity);
        break;
    case EventKind::UserCommand:
        level = QStringLiteral("command");
        break;
    case EventKind::Caption:
        level = QStringLiteral("caption");
        break;
    case EventKind::Error:
        level = QStringLiteral("error");
        break;
    default:
        level = QStringLiteral("event");
        break;
    }
    return event.wallTime.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"))
           + QStringLiteral("  ") + level.toUpper().leftJustified(8) + who + message;
}

void EventLogView::appendJournalEvent(const SocketEvent &event)
{
    if (!event.isLogLine() && !m_everyEvent)
        return;
    appendLine(lineFor(event), event.isLogLine() ? event.severity : EventSeverity::Info);
}

void EventLogView::appendEvent(const LogEvent &event)
{
    appendLine(lineFor(event), event.severity);
}

void EventLogView::appendLine(const QString &line, EventSeverity severity)
{
    QTextCharFormat format;
    if (severity == EventSeverity::Error)
        format.setForeground(QColor(0xD5, 0x5E, 0x00)); // Okabe-Ito vermillion
    else if (severity == EventSeverity::Warning)
        format.setForeground(QColor(0xE6, 0x9F, 0x00)); // Okabe-Ito orange
    const bool atBottom = verticalScrollBar()->value() == verticalScrollBar()->maximum();
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    if (!document()->isEmpty())
        cursor.insertBlock();
    cursor.insertText(line, format);
    // Follow new events unless the reader scrolled up to study an older one.
    if (atBottom)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

} // namespace SocketScope
