// SPDX-License-Identifier: MIT
#pragma once

#include <QLabel>
#include <QTimer>

class QAbstractItemModel;

namespace SocketScope {

class SocketRegistry;

// The status bar's count: "4 sockets: 3 TCP, 1 UDP", and how many the table shows when its
// filter hides some. Many sockets may come and go within one frame; it is redrawn once per
// burst.
class SocketCountLabel : public QLabel
{
    Q_OBJECT
public:
    // `table` is the table as filtered.
    SocketCountLabel(const SocketRegistry &registry, const QAbstractItemModel &table,
                     QWidget *parent = nullptr);

private:
    void scheduleUpdate();
    void updateCount();

    const SocketRegistry &m_registry;
    const QAbstractItemModel &m_table;
    QTimer m_timer;
};

} // namespace SocketScope
