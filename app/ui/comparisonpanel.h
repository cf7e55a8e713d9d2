// SPDX-License-Identifier: MIT
#pragma once

#include "socketregistry.h"

#include <QTimer>
#include <QWidget>

class QSpinBox;
class QTableWidget;

namespace SocketScope {

// TCP and UDP side by side, counted from the registry: how many server sockets each needs
// for the same clients, in which states, held by how many processes. One button gives both
// servers the same number of new clients, so the contrast is fair.
class ComparisonPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonPanel(const SocketRegistry &registry, QWidget *parent = nullptr);

    // The text in one cell, for tests: row as listed in rowTitles(), column 0 TCP, 1 UDP.
    QString cellText(int row, int column) const;
    static QStringList rowTitles();

Q_SIGNALS:
    void spawnBothRequested(int count);

private:
    void refresh();

    const SocketRegistry &m_registry;
    QTableWidget *m_table = nullptr;
    QSpinBox *m_count = nullptr;
    QTimer m_refreshTimer;
};

} // namespace SocketScope
