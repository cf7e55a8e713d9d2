// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "eventlogmodel.h"
#include "socketevent.h"

#include <QListView>

namespace SocketScope {

class EventJournal;

// The event log as a read-only, bounded list of lines: newest at the bottom, errors in red.
// Bounded in lines (the log's capacity) and in each line's length; a line too long for the
// pane ends in "…" and shows whole as its tooltip. Lines can be selected and copied.
class EventLogView : public QListView
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxLineChars = EventLogModel::MaxLineChars;

    explicit EventLogView(const EventLog &log, QWidget *parent = nullptr);
    // The log as the journal has it: every line names the socket it is about, by its tuple
    // then, and with everyEvent the socket events themselves (state changes, traffic, FIN...)
    // are lines too.
    explicit EventLogView(const EventJournal &journal, QWidget *parent = nullptr);
    static QString lineFor(const LogEvent &event) { return EventLogModel::lineFor(event); }
    static QString lineFor(const SocketEvent &event) { return EventLogModel::lineFor(event); }
    void setEveryEvent(bool every);
    bool showsEveryEvent() const { return m_everyEvent; }
    // Adds the queued lines now (they are added by themselves once control returns to the
    // event loop); for whoever reads the lines straight after an event.
    void flush() { m_lines.flush(); }
    const EventLogModel &lines() const { return m_lines; }
    // The selected lines (all of them if none is selected), one per line of text.
    QString selectedText() const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    void setUp();
    void appendJournalEvent(const SocketEvent &event);
    void copySelection() const;

    EventLogModel m_lines;
    const EventJournal *m_journal = nullptr;
    bool m_everyEvent = false;
    bool m_followNewest = true;
    bool m_scrollWhenShown = false;
};

} // namespace SocketScope
