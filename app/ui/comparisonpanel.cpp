// SPDX-License-Identifier: MIT
#include "comparisonpanel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace SocketScope {

namespace {

enum Row { Clients, ServerSockets, PerClient, States, Processes, Identity, RowCount };

QString statesText(const QMap<QString, int> &states)
{
    if (states.isEmpty())
        return QStringLiteral("–");
    QStringList parts;
    for (auto it = states.cbegin(); it != states.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    return parts.join(QLatin1Char('\n'));
}

} // namespace

QStringList ComparisonPanel::rowTitles()
{
    return {tr("clients"),      tr("server sockets"),   tr("added per client"),
            tr("their states"), tr("server processes"), tr("told apart by")};
}

ComparisonPanel::ComparisonPanel(const SocketRegistry &registry, QWidget *parent)
    : QWidget(parent), m_registry(registry)
{
    setObjectName(QStringLiteral("comparisonPanel"));
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(RowCount, 2, this);
    m_table->setHorizontalHeaderLabels({tr("TCP"), tr("UDP")});
    m_table->setVerticalHeaderLabels(rowTitles());
    m_table->verticalHeaderItem(PerClient)->setToolTip(
            tr("Server sockets each new client adds: one accepted socket per TCP "
               "client, none for UDP (the listener and the UDP socket are there "
               "once, whatever the number of clients)"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setMinimumWidth(420);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(true);
    for (int row = 0; row < RowCount; ++row) {
        for (int column = 0; column < 2; ++column)
            m_table->setItem(row, column, new QTableWidgetItem);
    }
    layout->addWidget(m_table, 1);

    auto *bar = new QHBoxLayout;
    m_count = new QSpinBox(this);
    m_count->setRange(1, 1000);
    m_count->setValue(3);
    m_count->setToolTip(tr("How many more clients than the side that has more now"));
    auto *spawn = new QPushButton(tr("Same clients for both"), this);
    spawn->setToolTip(tr("Give both servers the same number of clients: this many more than "
                         "the side with more has now, and the other side topped up to it"));
    connect(spawn, &QPushButton::clicked, this, [this] {
        refresh(); // count what is there now, not what the last coalesced refresh saw
        const int target = qMax(m_tcpClients, m_udpClients) + m_count->value();
        Q_EMIT spawnBothRequested(target - m_tcpClients, target - m_udpClients);
    });
    bar->addWidget(new QLabel(tr("More clients:"), this));
    bar->addWidget(m_count);
    bar->addWidget(spawn, 1);
    layout->addLayout(bar);

    // Counting walks every record: once per burst of changes is enough.
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(100);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ComparisonPanel::refresh);
    const auto schedule = [this] {
        if (!m_refreshTimer.isActive())
            m_refreshTimer.start();
    };
    connect(&registry, &SocketRegistry::socketAdded, this, schedule);
    connect(&registry, &SocketRegistry::socketRemoved, this, schedule);
    connect(&registry, &SocketRegistry::socketChanged, this, schedule);
    refresh();
}

QString ComparisonPanel::cellText(int row, int column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}

void ComparisonPanel::refresh()
{
    struct Side
    {
        int clients = 0;
        int leftovers = 0; // tuples the kernel keeps in TIME_WAIT, no program's socket
        int serverSockets = 0;
        int connectedServerSockets = 0; // connected UDP: one per client, a remote end each
        QMap<QString, int> states;
        QSet<qint64> processes;
    } tcp, udp;
    for (SocketId id : m_registry.ids()) {
        const SocketRecord *record = m_registry.find(id);
        if (!record || !record->isOpen())
            continue;
        Side &side = record->protocol == Protocol::Tcp ? tcp : udp;
        if (record->kernelOnly && record->effectiveState() == SocketState::TimeWait) {
            ++side.leftovers;
            continue;
        }
        switch (record->role) {
        case SocketRole::TcpClient:
        case SocketRole::UdpClient:
        case SocketRole::ExternalPeer:
            ++side.clients;
            break;
        case SocketRole::TcpListener:
        case SocketRole::TcpServerSide:
        case SocketRole::UdpServer: {
            ++side.serverSockets;
            if (record->role == SocketRole::UdpServer && record->remote)
                ++side.connectedServerSockets;
            ++side.states[stateName(record->effectiveState())];
            const qint64 pid = record->ownerPid();
            if (pid > 0)
                side.processes.insert(pid);
            break;
        }
        }
    }
    const auto perClient = [](const Side &side, int fixed) {
        if (side.clients == 0)
            return QStringLiteral("–");
        return QString::number(double(side.serverSockets - fixed) / side.clients, 'f', 2);
    };
    const auto set = [this](int row, const QString &tcpText, const QString &udpText) {
        m_table->item(row, 0)->setText(tcpText);
        m_table->item(row, 1)->setText(udpText);
    };
    m_tcpClients = tcp.clients;
    m_udpClients = udp.clients;
    const auto clientsText = [](const Side &side) {
        QString text = QString::number(side.clients);
        if (side.leftovers > 0)
            text += tr("\n(+ %n in TIME_WAIT, kernel only: not a client)", nullptr, side.leftovers);
        return text;
    };
    set(Clients, clientsText(tcp), clientsText(udp));
    set(ServerSockets, QString::number(tcp.serverSockets), QString::number(udp.serverSockets));
    // The listener is one socket whatever the number of clients; count what each client adds.
    set(PerClient, perClient(tcp, tcp.states.value(QStringLiteral("LISTEN"))),
        perClient(udp, qMin(udp.serverSockets, 1)));
    set(States, statesText(tcp.states), statesText(udp.states) + tr("\n(netstat: no state)"));
    set(Processes, QString::number(tcp.processes.size()), QString::number(udp.processes.size()));
    // Connected UDP gives each client a socket with a remote end: then the kernel, too, tells
    // them apart by the whole tuple.
    set(Identity, tr("the 4-tuple: same local port,\ndifferent remote end"),
        udp.connectedServerSockets > 0
                ? tr("connected sockets: the 4-tuple,\nlike TCP; the unconnected one:\nlocal "
                     "address only")
                : tr("local address only;\neach datagram carries\nits sender's address"));
    m_table->resizeRowsToContents();
}

} // namespace SocketScope
