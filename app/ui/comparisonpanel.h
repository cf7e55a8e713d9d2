// SPDX-License-Identifier: MIT
#pragma once

#include "socketregistry.h"

#include <QTimer>
#include <QWidget>

class QSpinBox;
class QTableWidget;

namespace SocketScope {

// TCP and UDP side by side, counted from the registry: how many server sockets each needs
// for the same clients, in which states, held by how many processes. One button tops both
// sides up to the same number of clients, so the contrast is fair. A tuple the kernel keeps
// in TIME_WAIT after a close is no client and no server socket: it is shown, not counted.
class ComparisonPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonPanel(const SocketRegistry &registry, QWidget *parent = nullptr);

    // The text in one cell, for tests: row as listed in rowTitles(), column 0 TCP, 1 UDP.
    QString cellText(int row, int column) const;
    static QStringList rowTitles();

    // The clients counted now (TIME_WAIT leftovers not among them).
    int tcpClients() const { return m_tcpClients; }
    int udpClients() const { return m_udpClients; }

Q_SIGNALS:
    // New clients for each side, so that both then have the same number: the count asked for
    // more than the side that has more now, and the other side topped up to that.
    void spawnBothRequested(int tcpCount, int udpCount);

private:
    void refresh();

    const SocketRegistry &m_registry;
    QTableWidget *m_table = nullptr;
    QSpinBox *m_count = nullptr;
    QTimer m_refreshTimer;
    int m_tcpClients = 0;
    int m_udpClients = 0;
};

} // namespace SocketScope
