// SPDX-License-Identifier: MIT
#include "socketcountlabel.h"

#include "socketregistry.h"

#include <QAbstractItemModel>

namespace SocketScope {

SocketCountLabel::SocketCountLabel(const SocketRegistry &registry, const QAbstractItemModel &table,
                                   QWidget *parent)
    : QLabel(parent), m_registry(registry), m_table(table)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &SocketCountLabel::updateCount);
    connect(&registry, &SocketRegistry::socketAdded, this, &SocketCountLabel::scheduleUpdate);
    connect(&registry, &SocketRegistry::socketRemoved, this, &SocketCountLabel::scheduleUpdate);
    connect(&table, &QAbstractItemModel::rowsInserted, this, &SocketCountLabel::scheduleUpdate);
    connect(&table, &QAbstractItemModel::rowsRemoved, this, &SocketCountLabel::scheduleUpdate);
    connect(&table, &QAbstractItemModel::modelReset, this, &SocketCountLabel::scheduleUpdate);
    updateCount();
}

void SocketCountLabel::scheduleUpdate()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void SocketCountLabel::updateCount()
{
    qsizetype tcp = 0;
    for (SocketId id : m_registry.ids()) {
        if (const SocketRecord *record = m_registry.find(id);
            record && record->protocol == Protocol::Tcp)
            ++tcp;
    }
    const qsizetype total = m_registry.count();
    QString text = (total == 1 ? tr("1 socket: ") : tr("%1 sockets: ").arg(total))
                   + tr("%1 TCP, %2 UDP").arg(tcp).arg(total - tcp);
    if (m_table.rowCount() != total)
        text += tr(" · %1 shown").arg(m_table.rowCount());
    setText(text);
}

} // namespace SocketScope
