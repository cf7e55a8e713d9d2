// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"

#include <QPlainTextEdit>

namespace SocketScope {

// The event log as a read-only, bounded text pane: newest at the bottom, errors in red.
class EventLogView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit EventLogView(const EventLog &log, QWidget *parent = nullptr);

private:
    void appendEvent(const LogEvent &event);
};

} // namespace SocketScope
