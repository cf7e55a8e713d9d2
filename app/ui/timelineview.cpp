// SPDX-License-Identifier: MIT
#include "timelineview.h"

#include "diagrampalette.h"
#include "eventjournal.h"
#include "pacer.h"
#include "safefilewriter.h"

#include <QBuffer>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QToolTip>

#include <cmath>

namespace SocketScope {

namespace {

// A lane is shown when the filter's text is in its title ("client #3"), its tuple, its
// protocol ("tcp", "udp") or the name of a state it passed through ("time_wait").
QList<int> visibleLanes(const TimelinePlan &plan, const TimelineStyle &style)
{
    QList<int> rows(plan.lanes.size(), -1);
    const QString &filter = style.laneFilter;
    QList<bool> stateMatches(plan.lanes.size(), false);
    if (!filter.isEmpty()) {
        for (const TimelineBand &band : plan.bands) {
            if (band.lane >= 0 && band.lane < plan.lanes.size()
                && stateName(band.state).contains(filter, Qt::CaseInsensitive))
                stateMatches[band.lane] = true;
        }
    }
    int row = 0;
    for (int lane = 0; lane < plan.lanes.size(); ++lane) {
        const TimelineLane &info = plan.lanes.at(lane);
        if (filter.isEmpty() || info.title.contains(filter, Qt::CaseInsensitive)
            || info.tuple.contains(filter, Qt::CaseInsensitive)
            || protocolName(info.protocol).compare(filter, Qt::CaseInsensitive) == 0
            || stateMatches.at(lane))
            rows[lane] = row++;
    }
    return rows;
}

QColor arrowColour(TimelineArrow::Kind kind, bool dark)
{
    switch (kind) {
    case TimelineArrow::Kind::Connect:
        return QColor(0x56, 0xB4, 0xE9);
    case TimelineArrow::Kind::Accept:
        return QColor(0x00, 0x72, 0xB2);
    case TimelineArrow::Kind::Data:
        return dark ? QColor(0xe0, 0xe0, 0xe0) : QColor(0x33, 0x33, 0x33);
    case TimelineArrow::Kind::Datagram:
        return QColor(0xE6, 0x9F, 0x00);
    case TimelineArrow::Kind::Fin:
        return QColor(0xCC, 0x79, 0xA7);
    case TimelineArrow::Kind::Rst:
        return QColor(0xD5, 0x5E, 0x00);
    }
    return Qt::gray;
}

QString elapsedText(qint64 ns)
{
    if (ns < 1'000'000)
        return QStringLiteral("+%1 \u00b5s").arg(static_cast<double>(ns) / 1000.0, 0, 'f', 0);
    if (ns < 1'000'000'000)
        return QStringLiteral("+%1 ms").arg(static_cast<double>(ns) / 1e6, 0, 'f', 1);
    return QStringLiteral("+%1 s").arg(static_cast<double>(ns) / 1e9, 0, 'f', 2);
}

} // namespace

QSize timelineSize(const TimelinePlan &plan, const TimelineStyle &style)
{
    const QList<int> rows = visibleLanes(plan, style);
    const int visible
            = int(std::count_if(rows.cbegin(), rows.cend(), [](int r) { return r >= 0; }));
    return {style.gutter + (plan.columns() + TimelinePlan::OpenRunColumns + 1) * style.columnWidth,
            style.header + qMax(1, visible) * style.laneHeight + 8};
}

void paintTimeline(QPainter &painter, const TimelinePlan &plan, const TimelineStyle &style,
                   const QSize &size, int scrollX, int scrollY, int current, bool behind)
{
    QPalette base;
    base.setColor(QPalette::Window, style.dark ? QColor(0x20, 0x22, 0x26) : Qt::white);
    base.setColor(QPalette::WindowText, style.dark ? Qt::white : Qt::black);
    const DiagramPalette palette = DiagramPalette::fromPalette(base);
    painter.fillRect(QRect(QPoint(0, 0), size), palette.background);
    painter.setRenderHint(QPainter::Antialiasing);
    const QList<int> rows = visibleLanes(plan, style);
    const auto x = [&](int column) {
        return style.gutter - scrollX + column * style.columnWidth + style.columnWidth / 2;
    };
    const auto y = [&](int lane) {
        return style.header - scrollY + rows.at(lane) * style.laneHeight + style.laneHeight / 2;
    };
    QFont small = painter.font();
    small.setPointSizeF(qMax(6.5, small.pointSizeF() * 0.8) * style.textScale);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(small.pointSizeF());

    // Time labels, one every few columns.
    painter.setFont(small);
    painter.setPen(palette.mutedText);
    const int every = qMax(1, 90 / style.columnWidth);
    const qint64 origin = plan.columnNs.isEmpty() ? 0 : plan.columnNs.constFirst();
    for (int column = 0; column < plan.columns(); column += every) {
        if (x(column) < style.gutter)
            continue;
        painter.drawText(QPoint(x(column) - style.columnWidth / 2, style.header - 8),
                         elapsedText(plan.columnNs.at(column) - origin));
    }

    painter.save();
    painter.setClipRect(QRect(style.gutter, style.header, size.width() - style.gutter,
                              size.height() - style.header));
    // Lanes: a thin line, then the state bands along it.
    for (int lane = 0; lane < plan.lanes.size(); ++lane) {
        if (rows.at(lane) < 0)
            continue;
        painter.setPen(QPen(palette.border, 1, Qt::DotLine));
        painter.drawLine(style.gutter, y(lane), size.width(), y(lane));
    }
    for (const TimelineBand &band : plan.bands) {
        if (rows.at(band.lane) < 0)
            continue;
        const int left = x(band.fromColumn) - style.columnWidth / 2;
        const int right = x(band.toColumn) - style.columnWidth / 2;
        const QRect bar(left, y(band.lane) - 6, qMax(2, right - left), 12);
        painter.setPen(Qt::NoPen);
        painter.setBrush(palette.stateColour(band.state));
        painter.drawRoundedRect(bar, 4, 4);
        const QString name = stateName(band.state);
        if (bar.width() > painter.fontMetrics().horizontalAdvance(name) + 8) {
            painter.setPen(palette.stateTextColour(band.state));
            painter.drawText(bar, Qt::AlignCenter, name);
        }
    }
    // Arrows between lanes.
    for (const TimelineArrow &arrow : plan.arrows) {
        const bool fromShown = arrow.fromLane >= 0 && rows.at(arrow.fromLane) >= 0;
        const bool toShown = arrow.toLane >= 0 && rows.at(arrow.toLane) >= 0;
        if (!fromShown && !toShown)
            continue;
        const QPointF to(x(arrow.toColumn), toShown ? y(arrow.toLane) - 7 : style.header);
        QPointF from(x(arrow.fromColumn),
                     fromShown ? y(arrow.fromLane) + (to.y() > y(arrow.fromLane) ? 7 : -7)
                               : style.header);
        if (arrow.fromColumn == arrow.toColumn)
            from.rx() -= style.columnWidth * 0.3; // a slant, so it reads as going somewhere
        const QColor colour = arrowColour(arrow.kind, style.dark);
        painter.setPen(
                QPen(colour, 1.6,
                     arrow.kind == TimelineArrow::Kind::Datagram ? Qt::DashLine : Qt::SolidLine));
        painter.drawLine(from, to);
        const double angle = std::atan2(to.y() - from.y(), to.x() - from.x());
        QPainterPath head;
        head.moveTo(to);
        head.lineTo(to - QPointF(std::cos(angle - 0.4) * 8, std::sin(angle - 0.4) * 8));
        head.lineTo(to - QPointF(std::cos(angle + 0.4) * 8, std::sin(angle + 0.4) * 8));
        head.closeSubpath();
        painter.fillPath(head, colour);
        if (style.columnWidth >= 18) {
            painter.setPen(colour);
            painter.setFont(small);
            painter.drawText((from + to) / 2 + QPointF(4, 0), arrow.label);
        }
    }
    // Marks: the calls and changes, labelled when there is room.
    painter.setFont(small);
    for (const TimelineMark &mark : plan.marks) {
        if (rows.at(mark.lane) < 0)
            continue;
        painter.setPen(QPen(palette.text, 1));
        painter.setBrush(palette.background);
        painter.drawEllipse(QPointF(x(mark.column), y(mark.lane)), 3.5, 3.5);
        // The calls (connect(), close()) and the ends a socket sent (FIN, RST) are named.
        const bool named = mark.label.endsWith(QLatin1Char(')'))
                           || mark.label == QLatin1String("FIN")
                           || mark.label == QLatin1String("RST");
        if (style.columnWidth >= 26 && named) {
            painter.setPen(palette.mutedText);
            painter.drawText(QPointF(x(mark.column) - 10, y(mark.lane) + 17 * style.textScale),
                             mark.label);
        }
    }
    if (current >= 0) {
        const QColor colour = behind ? QColor(0xD5, 0x5E, 0x00) : QColor(0x00, 0x9E, 0x73);
        painter.setPen(QPen(colour, 2));
        painter.drawLine(x(current) + style.columnWidth / 2, style.header,
                         x(current) + style.columnWidth / 2, size.height());
    }
    painter.restore();

    // Lane titles in the gutter, over everything scrolled beneath.
    painter.fillRect(QRect(0, 0, style.gutter, size.height()), palette.background);
    painter.setPen(palette.border);
    painter.drawLine(style.gutter - 1, 0, style.gutter - 1, size.height());
    for (int lane = 0; lane < plan.lanes.size(); ++lane) {
        if (rows.at(lane) < 0 || y(lane) < style.header)
            continue;
        const TimelineLane &info = plan.lanes.at(lane);
        QFont bold = small;
        bold.setBold(true);
        painter.setFont(bold);
        painter.setPen(palette.text);
        painter.drawText(QPointF(8, y(lane) - 3 * style.textScale), info.title);
        painter.setFont(mono);
        painter.setPen(palette.mutedText);
        painter.drawText(QPointF(8, y(lane) + 11 * style.textScale), info.tuple);
    }
}

bool writeTimelineFile(const TimelinePlan &plan, const QString &path, QString *errorMessage)
{
    TimelineStyle style;
    const QSize size = timelineSize(plan, style);
    QByteArray bytes;
    if (QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        QBuffer buffer(&bytes);
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QStringLiteral("SocketScope event timeline"));
        QPainter painter(&svg);
        paintTimeline(painter, plan, style, size, 0, 0, -1, false);
    } else {
        QImage image(size, QImage::Format_ARGB32_Premultiplied);
        {
            QPainter painter(&image);
            paintTimeline(painter, plan, style, size, 0, 0, -1, false);
        }
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
    }
    return SafeFileWriter::write(path, bytes, errorMessage);
}

TimelinePlan timelineOf(const EventJournal &journal, qsizetype maxEvents)
{
    if (journal.isEmpty())
        return planTimeline(journal.snapshotAt(journal.lastSeq()).value_or(QList<SocketRecord>{}),
                            {});
    const quint64 last = journal.lastSeq();
    const quint64 first = qMax(journal.firstSeq(),
                               last >= quint64(maxEvents) ? last - quint64(maxEvents) + 1 : 1);
    return planTimeline(journal.snapshotAt(first - 1).value_or(QList<SocketRecord>{}),
                        journal.range(first, last));
}

TimelineView::TimelineView(const EventJournal &journal, Pacer *pacer, QWidget *parent)
    : QAbstractScrollArea(parent), m_journal(journal), m_pacer(pacer)
{
    setObjectName(QStringLiteral("timeline"));
    setMinimumHeight(120);
    viewport()->setMouseTracking(true);
    m_style.dark = palette().color(QPalette::Window).lightness() < 128;
    connect(&journal, &EventJournal::eventRecorded, this, &TimelineView::markDirty);
    if (pacer)
        connect(pacer, &Pacer::positionChanged, viewport(), qOverload<>(&QWidget::update));
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, viewport(),
            qOverload<>(&QWidget::update));
    connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(),
            qOverload<>(&QWidget::update));
}

const TimelinePlan &TimelineView::plan() const
{
    if (m_dirty) {
        m_plan = timelineOf(m_journal);
        m_dirty = false;
    }
    return m_plan;
}

void TimelineView::markDirty()
{
    m_dirty = true;
    viewport()->update(); // paints coalesce: one rebuild per frame however many events came
}

void TimelineView::setFollowLive(bool follow)
{
    m_follow = follow;
    viewport()->update();
}

void TimelineView::setLaneFilter(const QString &text)
{
    m_style.laneFilter = text;
    viewport()->update();
}

void TimelineView::setTextScale(qreal scale)
{
    const TimelineStyle defaults;
    m_style.textScale = scale;
    m_style.gutter = qRound(defaults.gutter * scale);
    m_style.header = qRound(defaults.header * scale);
    m_style.laneHeight = qRound(defaults.laneHeight * scale);
    updateScrollBars();
    viewport()->update();
}

QList<int> TimelineView::shownLanes() const
{
    const QList<int> rows = visibleLanes(plan(), m_style);
    QList<int> lanes;
    for (int lane = 0; lane < rows.size(); ++lane) {
        if (rows.at(lane) >= 0)
            lanes.append(lane);
    }
    return lanes;
}

void TimelineView::zoom(int steps)
{
    m_style.columnWidth = qBound(6, m_style.columnWidth + steps * 4, 120);
    viewport()->update();
}

void TimelineView::updateScrollBars()
{
    const QSize needed = timelineSize(plan(), m_style);
    horizontalScrollBar()->setRange(0, qMax(0, needed.width() - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
    verticalScrollBar()->setRange(0, qMax(0, needed.height() - viewport()->height()));
    verticalScrollBar()->setPageStep(viewport()->height());
    if (m_follow)
        horizontalScrollBar()->setValue(horizontalScrollBar()->maximum());
}

int TimelineView::columnAt(const QPoint &pos) const
{
    const int inPlan = pos.x() - m_style.gutter + horizontalScrollBar()->value();
    if (pos.x() < m_style.gutter || inPlan < 0)
        return -1;
    const int column = inPlan / m_style.columnWidth;
    return column < plan().columns() ? column : -1;
}

void TimelineView::paintEvent(QPaintEvent *)
{
    updateScrollBars();
    QPainter painter(viewport());
    const TimelinePlan &shown = plan();
    const int current = m_pacer ? shown.columnOf(m_pacer->position()) : -1;
    paintTimeline(painter, shown, m_style, viewport()->size(), horizontalScrollBar()->value(),
                  verticalScrollBar()->value(), current, m_pacer && m_pacer->isBehind());
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    const int column = columnAt(event->position().toPoint());
    if (column < 0)
        return;
    const quint64 seq = plan().columnSeq.at(column);
    m_follow = false;
    Q_EMIT seekRequested(seq);
    if (m_pacer)
        m_pacer->seek(seq);
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    event->accept(); // the press did the work
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (event->modifiers() & Qt::ControlModifier) {
        zoom(steps);
    } else {
        m_follow = false;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value()
                                        - steps * m_style.columnWidth * 3);
    }
    event->accept();
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

bool TimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int column = columnAt(help->pos());
        if (column >= 0) {
            if (const SocketEvent *shown = m_journal.eventAt(plan().columnSeq.at(column))) {
                QToolTip::showText(help->globalPos(),
                                   QStringLiteral("#%1 %2\n%3")
                                           .arg(shown->seq)
                                           .arg(shown->wallTime.toLocalTime().toString(
                                                   QStringLiteral("HH:mm:ss.zzz")))
                                           .arg(describeEvent(*shown)),
                                   viewport());
                return true;
            }
        }
        QToolTip::hideText();
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace SocketScope
