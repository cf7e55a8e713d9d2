// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"

#include <QPlainTextEdit>

namespace SocketScope {

// The event log as a read-only, bounded text pane: newest at the bottom, errors in red.
// Bounded in lines (the log's capacity) and in each line's length.
class EventLogView : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxLineChars = EventLog::MaxMessageChars;

    explicit EventLogView(const EventLog &log, QWidget *parent = nullptr);
    // The line shown for `event`: time, level, the message on one line of bounded length.
    static QString lineFor(const LogEvent &event);

private:
    void appendEvent(const LogEvent &event);
};

} // namespace SocketScope
