// SPDX-License-Identifier: MIT
#include "socketcontextmenu.h"

#include <QInputDialog>
#include <QMenu>
#include <QSettings>

namespace SocketScope {

SocketContextMenu::SocketContextMenu(QWidget *window) : QObject(window), m_window(window) { }

void SocketContextMenu::setActionProvider(std::function<SocketActions(SocketId)> provider)
{
    m_provider = std::move(provider);
}

void SocketContextMenu::exec(SocketId id, const QPoint &screenPos)
{
    const SocketActions actions = m_provider ? m_provider(id) : SocketActions();
    QMenu menu(m_window);
    const struct
    {
        SocketAction action;
        QString text;
        QString tip;
    } entries[] = {
            {SocketAction::SendText, tr("Send Text…"), tr("Send a line of text on this socket")},
            {SocketAction::SendBurst, tr("Send Burst…"), tr("Send several datagrams at once")},
            {SocketAction::StartPeriodic, tr("Send Periodically…"),
             tr("Send a message again and again at an interval")},
            {SocketAction::StopPeriodic, tr("Stop Periodic Sending"), QString()},
            {SocketAction::HalfClose, tr("Half-Close (shutdown write)"),
             tr("Send FIN but keep reading: this side goes to FIN_WAIT2, the peer to CLOSE_WAIT")},
            {SocketAction::Close, tr("Close"), tr("Close gracefully with FIN")},
            {SocketAction::Abort, tr("Abort (RST)"),
             tr("Close at once with a reset: the peer sees \"connection reset\"")},
    };
    for (const auto &entry : entries) {
        if (!actions.testFlag(entry.action))
            continue;
        QAction *item = menu.addAction(entry.text);
        item->setToolTip(entry.tip);
        const SocketAction action = entry.action;
        connect(item, &QAction::triggered, this, [this, id, action] { request(id, action); });
    }
    if (menu.isEmpty()) {
        QAction *none = menu.addAction(tr("No actions for this socket"));
        none->setEnabled(false);
    }
    menu.addSeparator();
    QAction *inspectAction = menu.addAction(tr("Inspect"));
    inspectAction->setToolTip(tr("Show everything known about this socket in the Inspector"));
    connect(inspectAction, &QAction::triggered, this, [this, id] { Q_EMIT inspectRequested(id); });
    menu.setToolTipsVisible(true);
    menu.exec(screenPos);
}

void SocketContextMenu::request(SocketId id, SocketAction action)
{
    QSettings settings;
    QString text;
    int number = 0;
    bool ok = true;
    switch (action) {
    case SocketAction::SendText:
        text = QInputDialog::getText(
                m_window, tr("Send Text"), tr("Text to send:"), QLineEdit::Normal,
                settings.value(QStringLiteral("actions/lastText"), tr("hello")).toString(), &ok);
        if (ok)
            settings.setValue(QStringLiteral("actions/lastText"), text);
        break;
    case SocketAction::SendBurst:
        number = QInputDialog::getInt(m_window, tr("Send Burst"), tr("How many datagrams:"), 10, 1,
                                      10000, 1, &ok);
        text = tr("datagram %n");
        break;
    case SocketAction::StartPeriodic:
        number = QInputDialog::getInt(m_window, tr("Send Periodically"),
                                      tr("Every (milliseconds):"), 1000, 10, 600000, 100, &ok);
        text = tr("message %n");
        break;
    default:
        break;
    }
    if (ok)
        Q_EMIT socketActionRequested(id, action, text, number);
}

} // namespace SocketScope
