// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketevent.h"

#include <QPlainTextEdit>

namespace SocketScope {

class EventJournal;

// The event log as a read-only, bounded text pane: newest at the bottom, errors in red.
// Bounded in lines (the log's capacity) and in each line's length.
class EventLogView : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxLineChars = EventLog::MaxMessageChars;

    explicit EventLogView(const EventLog &log, QWidget *parent = nullptr);
    // The log as the journal has it: every line names the socket it is about, by its tuple
    // then, and with everyEvent the socket events themselves (state changes, traffic, FIN...)
    // are lines too.
    explicit EventLogView(const EventJournal &journal, QWidget *parent = nullptr);
    // The line shown for `event`: time, level, the message on one line of bounded length.
    static QString lineFor(const LogEvent &event);
    static QString lineFor(const SocketEvent &event);
    void setEveryEvent(bool every);
    bool showsEveryEvent() const { return m_everyEvent; }

private:
    void appendEvent(const LogEvent &event);
    void appendJournalEvent(const SocketEvent &event);
    void appendLine(const QString &line, EventSeverity severity);

    const EventJournal *m_journal = nullptr;
    bool m_everyEvent = false;
};

} // namespace SocketScope
