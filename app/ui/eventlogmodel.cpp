// SPDX-License-Identifier: MIT
#include "eventlogmodel.h"

#include <QColor>

#include <limits>

namespace SocketScope {

namespace {

// "HH:mm:ss.zzz" in local time. QDateTime::toLocalTime() asks the C library for the zone on
// every call (tzset, a stat of /etc/localtime), which for thousands of lines a second was a
// third of the log's cost; a zone's offset is asked once per quarter hour of UTC instead
// (offsets change on quarter hours where they change at all).
QString localClockText(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    thread_local qint64 cachedQuarter = std::numeric_limits<qint64>::min();
    thread_local qint64 cachedOffsetMs = 0;
    const qint64 utcMs = time.toMSecsSinceEpoch();
    const qint64 quarter = utcMs / (qint64(15) * 60 * 1000);
    if (quarter != cachedQuarter) {
        cachedQuarter = quarter;
        cachedOffsetMs = qint64(time.toLocalTime().offsetFromUtc()) * 1000;
    }
    constexpr qint64 dayMs = qint64(24) * 60 * 60 * 1000;
    const qint64 ms = ((utcMs + cachedOffsetMs) % dayMs + dayMs) % dayMs;
    const auto digits = [](qint64 value, int width) {
        return QString::number(value).rightJustified(width, QLatin1Char('0'));
    };
    return digits(ms / 3600000, 2) + QLatin1Char(':') + digits(ms / 60000 % 60, 2)
           + QLatin1Char(':') + digits(ms / 1000 % 60, 2) + QLatin1Char('.') + digits(ms % 1000, 3);
}

// One event, one line of bounded length, whatever the message holds: a line break inside a
// message would make one event several lines.
QString oneLine(const QString &text)
{
    QString line = boundedText(text, EventLogModel::MaxLineChars);
    line.replace(QLatin1Char('\r'), QChar(0x21B5)).replace(QLatin1Char('\n'), QChar(0x21B5));
    return line;
}

EventSeverity severityOf(const SocketEvent &event)
{
    return event.isLogLine() ? event.severity : EventSeverity::Info;
}

} // namespace

EventLogModel::EventLogModel(qsizetype capacity, QObject *parent)
    : QAbstractListModel(parent), m_capacity(qMax<qsizetype>(1, capacity))
{ }

QString EventLogModel::lineFor(const LogEvent &event)
{
    return localClockText(event.time) + QStringLiteral("  ")
           + severityName(event.severity).toUpper().leftJustified(8) + oneLine(event.message);
}

QString EventLogModel::lineFor(const SocketEvent &event)
{
    const QString text = event.kind == EventKind::Error && !event.code.isEmpty()
                                 ? event.code + QStringLiteral(": ") + event.text
                                 : event.text;
    const QString message = oneLine(event.isLogLine() ? text : describeEvent(event));
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
    return localClockText(event.wallTime) + QStringLiteral("  ") + level.toUpper().leftJustified(8)
           + who + message;
}

void EventLogModel::append(const LogEvent &event)
{
    enqueue({event, {}});
}

void EventLogModel::append(const SocketEvent &event)
{
    enqueue({event, {}});
}

void EventLogModel::enqueue(Line line)
{
    m_pending.push_back(std::move(line));
    while (pendingLineCount() > m_capacity)
        m_pending.pop_front();
    if (m_flushQueued)
        return;
    m_flushQueued = true;
    QMetaObject::invokeMethod(this, &EventLogModel::flush, Qt::QueuedConnection);
}

void EventLogModel::flush()
{
    m_flushQueued = false;
    if (m_pending.empty())
        return;
    const auto arriving = static_cast<qsizetype>(m_pending.size());
    const qsizetype overflow = static_cast<qsizetype>(m_lines.size()) + arriving - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, static_cast<int>(overflow) - 1);
        for (qsizetype i = 0; i < overflow; ++i)
            m_lines.pop_front();
        endRemoveRows();
    }
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(arriving) - 1);
    std::move(m_pending.begin(), m_pending.end(), std::back_inserter(m_lines));
    m_pending.clear();
    endInsertRows();
}

void EventLogModel::clear()
{
    m_pending.clear();
    if (m_lines.empty())
        return;
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_lines.size());
}

QString EventLogModel::lineAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Line &line = m_lines[static_cast<std::size_t>(row)];
    if (line.text.isEmpty())
        line.text = std::visit([](const auto &event) { return lineFor(event); }, line.event);
    return line.text;
}

EventSeverity EventLogModel::severityAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return EventSeverity::Info;
    const Line &line = m_lines[static_cast<std::size_t>(row)];
    if (const auto *log = std::get_if<LogEvent>(&line.event))
        return log->severity;
    return severityOf(std::get<SocketEvent>(line.event));
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return lineAt(index.row());
    case Qt::ForegroundRole:
        switch (severityAt(index.row())) {
        case EventSeverity::Error:
            return QColor(0xD5, 0x5E, 0x00); // Okabe-Ito vermillion
        case EventSeverity::Warning:
            return QColor(0xE6, 0x9F, 0x00); // Okabe-Ito orange
        default:
            return {};
        }
    default:
        return {};
    }
}

} // namespace SocketScope
