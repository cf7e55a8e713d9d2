// SPDX-License-Identifier: MIT
#include "sockettablemodel.h"

#include <QDateTime>

#include <algorithm>
#include <utility>

namespace SocketScope {

SocketTableModel::SocketTableModel(const SocketRegistry &registry, QObject *parent)
    : QAbstractTableModel(parent), m_registry(registry)
{
    m_rows = registry.ids();
    std::sort(m_rows.begin(), m_rows.end());
    connect(&registry, &SocketRegistry::socketAdded, this, &SocketTableModel::onAdded);
    connect(&registry, &SocketRegistry::socketChanged, this, &SocketTableModel::onChanged);
    connect(&registry, &SocketRegistry::socketRemoved, this, &SocketTableModel::onRemoved);
    // A seek puts every socket back at once: that is no socket's news, so nothing flashes.
    connect(&registry, &SocketRegistry::replaced, this, [this] {
        if (m_highlights.isEmpty())
            return;
        m_highlights.clear();
        m_highlightTimer.stop();
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                               {Qt::BackgroundRole, HighlightRole});
    });
    // Ages tick once a second; one dataChanged over the whole column keeps that cheap.
    m_now = &QDateTime::currentDateTimeUtc;
    m_ageTimer.setInterval(1000);
    connect(&m_ageTimer, &QTimer::timeout, this, &SocketTableModel::refreshAges);
    m_ageTimer.start();
    for (SocketId id : registry.ids())
        m_lastState.insert(id, registry.find(id)->effectiveState());
    m_highlightTimer.setInterval(250);
    connect(&m_highlightTimer, &QTimer::timeout, this, &SocketTableModel::expireHighlights);
}

SocketTableModel::Highlight SocketTableModel::highlightOf(const SocketRecord &record) const
{
    const auto timed = m_highlights.constFind(record.id);
    if (timed != m_highlights.cend())
        return timed->kind;
    switch (record.effectiveState()) {
    case SocketState::FinWait1:
    case SocketState::FinWait2:
    case SocketState::CloseWait:
    case SocketState::Closing:
    case SocketState::LastAck:
    case SocketState::TimeWait:
    case SocketState::Close:
        return Highlight::Closing;
    default:
        return record.isOpen() ? Highlight::None : Highlight::Closing;
    }
}

void SocketTableModel::startHighlight(SocketId id, Highlight kind)
{
    const int duration = kind == Highlight::New ? NewHighlightMs : ChangedHighlightMs;
    m_highlights.insert(id, {kind, m_now().toMSecsSinceEpoch() + duration});
    if (!m_highlightTimer.isActive())
        m_highlightTimer.start();
}

void SocketTableModel::expireHighlights()
{
    const qint64 now = m_now().toMSecsSinceEpoch();
    for (auto it = m_highlights.begin(); it != m_highlights.end();) {
        if (it->untilMs > now) {
            ++it;
            continue;
        }
        const int row = rowOf(it.key());
        it = m_highlights.erase(it);
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1),
                               {Qt::BackgroundRole, HighlightRole});
    }
    if (m_highlights.isEmpty())
        m_highlightTimer.stop(); // nothing left to fade: no more wake-ups
}

int SocketTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SocketTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

SocketId SocketTableModel::socketAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : InvalidSocketId;
}

int SocketTableModel::rowOf(SocketId id) const
{
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), id);
    return at != m_rows.cend() && *at == id ? static_cast<int>(at - m_rows.cbegin()) : -1;
}

void SocketTableModel::setWallClock(WallClock clock)
{
    m_now = clock ? std::move(clock) : WallClock(&QDateTime::currentDateTimeUtc);
    refreshAges();
}

QVariant SocketTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SocketRecord *record = m_registry.find(m_rows.at(index.row()));
    if (!record)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return SocketTableColumns::displayText(*record, index.column(), m_now);
    case SortRole:
        return SocketTableColumns::sortValue(*record, index.column(), m_now);
    case SocketIdRole:
        return QVariant::fromValue(record->id);
    case ProtocolRole:
        return static_cast<int>(record->protocol);
    case StateRole:
        return static_cast<int>(record->effectiveState());
    case LocalPortRole:
        return record->local.port;
    case RemotePortRole:
        return record->remote ? record->remote->port : 0;
    case HighlightRole:
        return static_cast<int>(highlightOf(*record));
    case KernelOnlyRole:
        return record->kernelOnly;
    case Qt::TextAlignmentRole:
        return SocketTableColumns::alignment(index.column());
    case Qt::ToolTipRole:
        return SocketTableColumns::toolTip(*record, index.column());
    default:
        return {};
    }
}

QString SocketTableModel::ageText(qint64 seconds)
{
    return SocketTableColumns::ageText(seconds);
}

QVariant SocketTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    return SocketTableColumns::headerData(section, role);
}

namespace {

// Inserts `id` where it belongs in an id-ordered list, unless it is there already.
bool insertSorted(QList<SocketId> &ids, SocketId id)
{
    const auto at = std::lower_bound(ids.begin(), ids.end(), id);
    if (at != ids.end() && *at == id)
        return false;
    ids.insert(at, id);
    return true;
}

bool removeSorted(QList<SocketId> &ids, SocketId id)
{
    const auto at = std::lower_bound(ids.begin(), ids.end(), id);
    if (at == ids.end() || *at != id)
        return false;
    ids.erase(at);
    return true;
}

} // namespace

void SocketTableModel::onAdded(SocketId id)
{
    if (const SocketRecord *record = m_registry.find(id))
        m_lastState.insert(id, record->effectiveState());
    startHighlight(id, Highlight::New);
    if (const int row = rowOf(id); row >= 0) {
        // Still shown (removed and put back within one batch): it stays, as it is now.
        removeSorted(m_pendingRemovals, id);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    insertSorted(m_pendingAdds, id);
    scheduleFlush();
}

void SocketTableModel::setCoalescing(bool coalesce)
{
    m_coalesce = coalesce;
    if (!coalesce)
        flush();
}

void SocketTableModel::scheduleFlush()
{
    if (!m_coalesce) {
        flush();
        return;
    }
    if (m_flushQueued)
        return;
    m_flushQueued = true;
    // A normal-priority queued call runs before the window's update request (posted at low
    // priority), so no frame paints rows whose sockets are gone.
    QMetaObject::invokeMethod(this, &SocketTableModel::flush, Qt::QueuedConnection);
}

void SocketTableModel::flush()
{
    m_flushQueued = false;
    if (!m_pendingRemovals.isEmpty()) {
        QList<int> rows;
        rows.reserve(m_pendingRemovals.size());
        for (SocketId id : std::as_const(m_pendingRemovals)) {
            if (const int row = rowOf(id); row >= 0)
                rows.append(row);
        }
        m_pendingRemovals.clear();
        // Rows in id order are in row order; removed from the last range to the first, the
        // rows of ranges still to come do not move.
        for (qsizetype end = rows.size(); end > 0;) {
            qsizetype begin = end - 1;
            while (begin > 0 && rows.at(begin - 1) == rows.at(begin) - 1)
                --begin;
            const int first = rows.at(begin);
            const int last = rows.at(end - 1);
            beginRemoveRows({}, first, last);
            m_rows.remove(first, last - first + 1);
            endRemoveRows();
            end = begin;
        }
    }
    if (m_pendingAdds.isEmpty())
        return;
    const QList<SocketId> adds = std::exchange(m_pendingAdds, {});
    if (m_rows.isEmpty() || adds.constFirst() > m_rows.constLast()) {
        // The usual case: new sockets have the newest ids, one range at the end.
        const auto first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(adds.size()) - 1);
        m_rows.append(adds);
        endInsertRows();
        return;
    }
    for (SocketId id : adds) {
        // A socket put back by a seek goes where its id belongs.
        const auto at = std::lower_bound(m_rows.begin(), m_rows.end(), id);
        const auto row = static_cast<int>(at - m_rows.begin());
        beginInsertRows({}, row, row);
        m_rows.insert(row, id);
        endInsertRows();
    }
}

void SocketTableModel::onChanged(SocketId id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    if (const SocketRecord *record = m_registry.find(id)) {
        SocketState &last = m_lastState[id];
        if (last != record->effectiveState()) {
            last = record->effectiveState();
            startHighlight(id, Highlight::Changed);
        }
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void SocketTableModel::onRemoved(SocketId id)
{
    m_highlights.remove(id);
    m_lastState.remove(id);
    if (removeSorted(m_pendingAdds, id))
        return; // gone before it was shown
    if (rowOf(id) < 0)
        return;
    insertSorted(m_pendingRemovals, id);
    scheduleFlush();
}

void SocketTableModel::refreshAges()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Age), index(static_cast<int>(m_rows.size()) - 1, Age),
                           {Qt::DisplayRole, SortRole});
}

SocketFilterProxyModel::SocketFilterProxyModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SocketTableModel::SortRole);
    setDynamicSortFilter(true);
}

void SocketFilterProxyModel::setProtocolFilter(std::optional<Protocol> protocol)
{
    if (m_protocol == protocol)
        return;
    m_protocol = protocol;
    invalidateFilter();
}

void SocketFilterProxyModel::setStateFilter(std::optional<SocketState> state)
{
    if (m_state == state)
        return;
    m_state = state;
    invalidateFilter();
}

void SocketFilterProxyModel::setPortFilter(std::optional<quint16> port)
{
    if (m_port == port)
        return;
    m_port = port;
    invalidateFilter();
}

void SocketFilterProxyModel::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (m_text == trimmed)
        return;
    m_text = trimmed;
    invalidateFilter();
}

bool SocketFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    if (m_protocol) {
        const int protocol = model->index(sourceRow, 0, sourceParent)
                                     .data(SocketTableModel::ProtocolRole)
                                     .toInt();
        if (protocol != static_cast<int>(*m_protocol))
            return false;
    }
    const QModelIndex first = model->index(sourceRow, 0, sourceParent);
    if (m_state && first.data(SocketTableModel::StateRole).toInt() != static_cast<int>(*m_state))
        return false;
    if (m_port && first.data(SocketTableModel::LocalPortRole).toInt() != *m_port
        && first.data(SocketTableModel::RemotePortRole).toInt() != *m_port)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < model->columnCount(sourceParent); ++column) {
        if (model->index(sourceRow, column, sourceParent)
                    .data()
                    .toString()
                    .contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace SocketScope
