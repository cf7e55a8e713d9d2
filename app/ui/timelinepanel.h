// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

namespace SocketScope {

class EventJournal;
class Pacer;
class TimelineView;

// The timeline dock's contents: the view, with a lane filter, follow-live and export.
class TimelinePanel : public QWidget
{
    Q_OBJECT
public:
    TimelinePanel(const EventJournal &journal, Pacer *pacer, QWidget *parent = nullptr);
    TimelineView *view() const { return m_view; }

private:
    void exportInteractively();

    TimelineView *m_view = nullptr;
};

} // namespace SocketScope
