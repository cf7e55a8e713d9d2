// SPDX-License-Identifier: MIT
#pragma once

#include "timelineplan.h"

#include <QAbstractScrollArea>

class QPainter;

namespace SocketScope {

class EventJournal;
class Pacer;

// How a timeline is drawn, shared by the view and the exports.
struct TimelineStyle
{
    int gutter = 250; // lane titles
    int header = 26; // time labels
    int laneHeight = 32;
    int columnWidth = 30;
    qreal textScale = 1.0; // the fonts' (and with them the lanes' and the gutter's) scale
    bool dark = false;
    QString laneFilter; // lanes whose title or tuple contain it; empty: all
};

// Paints `plan` with its first column at x = gutter - scrollX; `current` is the column the
// window shows (-1: none), drawn as a marker line.
void paintTimeline(QPainter &painter, const TimelinePlan &plan, const TimelineStyle &style,
                   const QSize &size, int scrollX, int scrollY, int current, bool behind);
// The size the whole plan needs.
QSize timelineSize(const TimelinePlan &plan, const TimelineStyle &style);
// The whole plan as PNG or SVG (by the suffix), through SafeFileWriter.
bool writeTimelineFile(const TimelinePlan &plan, const QString &path, QString *errorMessage);
// The plan of the journal's newest events (at most `maxEvents` of them).
TimelinePlan timelineOf(const EventJournal &journal, qsizetype maxEvents = 3000);

// The event timeline: one lane per connection, arrows for what crossed between them, state
// bands along each, newest on the right. Clicking an event asks the pacer to show the world
// as it was then; while following live it keeps the newest event in view.
class TimelineView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    TimelineView(const EventJournal &journal, Pacer *pacer, QWidget *parent = nullptr);

    const TimelinePlan &plan() const;
    void setFollowLive(bool follow);
    bool followsLive() const { return m_follow; }
    void setLaneFilter(const QString &text);
    // Writes the timeline `scale` times as large (TextScale drives this); lanes grow with it.
    void setTextScale(qreal scale);
    // The plan's lanes the filter lets through, top to bottom.
    QList<int> shownLanes() const;
    void zoom(int steps);
    int columnAt(const QPoint &viewportPos) const;

Q_SIGNALS:
    void seekRequested(quint64 seq);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void markDirty();
    void updateScrollBars();

    const EventJournal &m_journal;
    Pacer *m_pacer;
    mutable TimelinePlan m_plan;
    mutable bool m_dirty = true;
    TimelineStyle m_style;
    bool m_follow = true;
};

} // namespace SocketScope
