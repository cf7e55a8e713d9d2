// SPDX-License-Identifier: MIT
#include "eventlogview.h"

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
           + severityName(event.severity).toUpper().leftJustified(7) + message;
}

void EventLogView::appendEvent(const LogEvent &event)
{
    const QString line = lineFor(event);
    QTextCharFormat format;
    if (event.severity == EventSeverity::Error)
        format.setForeground(QColor(0xD5, 0x5E, 0x00)); // Okabe-Ito vermillion
    else if (event.severity == EventSeverity::Warning)
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
