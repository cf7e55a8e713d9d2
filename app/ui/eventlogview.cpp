// SPDX-License-Identifier: MIT
#include "eventlogview.h"

#include "eventjournal.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QScrollBar>

#include <algorithm>

namespace SocketScope {

EventLogView::EventLogView(const EventLog &log, QWidget *parent)
    : QListView(parent), m_lines(log.capacity())
{
    setUp();
    for (const LogEvent &event : log.events())
        m_lines.append(event);
    m_lines.flush();
    connect(&log, &EventLog::eventAppended, &m_lines,
            qOverload<const LogEvent &>(&EventLogModel::append));
}

EventLogView::EventLogView(const EventJournal &journal, QWidget *parent)
    : QListView(parent), m_lines(EventLog::DefaultCapacity), m_journal(&journal)
{
    setUp();
    setEveryEvent(false);
    connect(&journal, &EventJournal::eventRecorded, this, &EventLogView::appendJournalEvent);
}

void EventLogView::setUp()
{
    setObjectName(QStringLiteral("eventLog"));
    setModel(&m_lines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Every line is one line of text in one font: the view lays out only what is on screen.
    setUniformItemSizes(true);
    setTextElideMode(Qt::ElideRight);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copy = new QAction(tr("&Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    copy->setToolTip(tr("Copy the selected lines (all lines when none is selected)"));
    connect(copy, &QAction::triggered, this, &EventLogView::copySelection);
    addAction(copy);
    auto *selectAll = new QAction(tr("Select &All"), this);
    selectAll->setShortcut(QKeySequence::SelectAll);
    selectAll->setShortcutContext(Qt::WidgetShortcut);
    connect(selectAll, &QAction::triggered, this, &QAbstractItemView::selectAll);
    addAction(selectAll);
    // Follow new lines unless the reader scrolled up to study an older one.
    connect(&m_lines, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        m_followNewest = m_scrollWhenShown
                         || verticalScrollBar()->value() == verticalScrollBar()->maximum();
    });
    connect(&m_lines, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_followNewest)
            return;
        // Scrolling lays the list out; a log behind another tab waits until it is shown.
        if (!isVisible()) {
            m_scrollWhenShown = true;
            return;
        }
        scrollToBottom();
    });
}

void EventLogView::showEvent(QShowEvent *event)
{
    QListView::showEvent(event);
    if (m_scrollWhenShown) {
        m_scrollWhenShown = false;
        scrollToBottom();
    }
}

void EventLogView::setEveryEvent(bool every)
{
    m_everyEvent = every;
    if (!m_journal)
        return;
    m_lines.clear();
    // The newest lines the view can hold, read back from the journal.
    const quint64 last = m_journal->lastSeq();
    const quint64 from
            = qMax(m_journal->firstSeq(), last > quint64(EventLog::DefaultCapacity) * 4
                                                  ? last - quint64(EventLog::DefaultCapacity) * 4
                                                  : 1);
    for (const SocketEvent &event : m_journal->range(from, last))
        appendJournalEvent(event);
    m_lines.flush();
}

void EventLogView::appendJournalEvent(const SocketEvent &event)
{
    if (event.isLogLine() || m_everyEvent)
        m_lines.append(event);
}

QString EventLogView::selectedText() const
{
    QList<int> rows;
    for (const QModelIndex &index : selectionModel()->selectedRows())
        rows.append(index.row());
    if (rows.isEmpty()) {
        for (int row = 0; row < m_lines.rowCount(); ++row)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end());
    QStringList text;
    for (int row : rows)
        text.append(m_lines.lineAt(row));
    return text.join(QLatin1Char('\n'));
}

void EventLogView::copySelection() const
{
    QApplication::clipboard()->setText(selectedText());
}

} // namespace SocketScope
