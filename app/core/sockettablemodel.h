// SPDX-License-Identifier: MIT
#pragma once

#include "socketregistry.h"
#include "sockettablecolumns.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <functional>

#include <optional>

namespace SocketScope {

// A netstat-like view of the registry: one row per socket, in the order they appeared.
// Display text follows netstat; SortRole gives raw values so ports sort as numbers.
class SocketTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Proto,
        LocalAddress,
        ForeignAddress,
        State,
        PidProgram,
        RecvQ,
        SendQ,
        Role,
        Age,
        ColumnCount
    };
    enum Roles {
        SortRole = Qt::UserRole + 1,
        SocketIdRole,
        ProtocolRole,
        StateRole, // the effective SocketState, as int
        LocalPortRole,
        RemotePortRole, // 0 when there is no remote end
        HighlightRole, // Highlight, as int: the view decides how it looks
        KernelOnlyRole, // bool: only the kernel holds this socket
    };
    // Like TCPView: new rows and rows whose state just changed stand out for a moment;
    // connections on their way out are tinted for as long as they are closing.
    enum class Highlight { None, New, Changed, Closing };
    static constexpr int NewHighlightMs = 2000;
    static constexpr int ChangedHighlightMs = 1500;

    explicit SocketTableModel(const SocketRegistry &registry, QObject *parent = nullptr);

    // The moment ages are measured to, and highlights end on: the picture's
    // (PresentationClock::wallTime) in the window, so a paused or seeked table gives a
    // socket's age then and holds a highlight while the picture stands still; the UTC wall
    // clock when none is set (or tests' own).
    using WallClock = SocketTableColumns::WallClock;
    void setWallClock(WallClock clock);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    SocketId socketAt(int row) const;
    int rowOf(SocketId id) const; // -1 when not shown

    // With coalescing (the window's table), rows come and go together: sockets added and
    // removed by one batch of events are inserted and removed as ranges once control is back
    // in the event loop (before the window paints), or at flush(). Row by row, the views' and
    // the filter's bookkeeping for each removed row was a third of a frame under 5,000
    // connect/close cycles; and a socket born and gone within one batch never becomes a row at
    // all (the journal keeps it). Without it (the default), rows follow each change at once.
    void setCoalescing(bool coalesce);
    void flush();
    bool hasPendingRows() const { return !m_pendingAdds.isEmpty() || !m_pendingRemovals.isEmpty(); }

    static QString ageText(qint64 seconds);

private:
    void onAdded(SocketId id);
    void onChanged(SocketId id);
    void onRemoved(SocketId id);
    void refreshAges();
    void expireHighlights();
    Highlight highlightOf(const SocketRecord &record) const;
    void startHighlight(SocketId id, Highlight kind);

    const SocketRegistry &m_registry;
    // In id order, so a row is found by binary search and a removal moves ids, not indices
    // (a hash of rows would need every later row renumbered on each removal).
    QList<SocketId> m_rows;
    // Both in id order; bounded by the registry (a socket is in one of them at most once).
    QList<SocketId> m_pendingAdds;
    QList<SocketId> m_pendingRemovals;
    bool m_flushQueued = false;
    bool m_coalesce = false;
    void scheduleFlush();
    QTimer m_ageTimer;
    WallClock m_now;
    struct TimedHighlight
    {
        Highlight kind;
        qint64 untilMs; // on m_now, the picture's clock: a paused picture holds them
    };
    QHash<SocketId, TimedHighlight> m_highlights;
    QHash<SocketId, SocketState> m_lastState;
    QTimer m_highlightTimer;
};

// Filters the table by protocol and by text found in any column.
class SocketFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit SocketFilterProxyModel(QObject *parent = nullptr);

    void setProtocolFilter(std::optional<Protocol> protocol);
    std::optional<Protocol> protocolFilter() const { return m_protocol; }
    void setTextFilter(const QString &text);
    void setStateFilter(std::optional<SocketState> state);
    std::optional<SocketState> stateFilter() const { return m_state; }
    // Matches the local or the remote port, as ss's "sport or dport" does.
    void setPortFilter(std::optional<quint16> port);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<Protocol> m_protocol;
    std::optional<SocketState> m_state;
    std::optional<quint16> m_port;
    QString m_text;
};

} // namespace SocketScope
