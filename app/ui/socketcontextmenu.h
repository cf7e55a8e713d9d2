// SPDX-License-Identifier: MIT
#pragma once

#include "socketaction.h"
#include "socketrecord.h"

#include <QObject>

#include <functional>

class QPoint;
class QWidget;

namespace SocketScope {

// The menu a right click on a socket opens (in the diagram or the table): what can be done
// with it now, and Inspect. An action that needs more (the text to send, how many, how often)
// asks for it first; what the user chose leaves as a signal, never as a call to the network.
class SocketContextMenu : public QObject
{
    Q_OBJECT
public:
    // Menus and prompts open over `window`.
    explicit SocketContextMenu(QWidget *window);

    // Who answers "what can be done with this socket?"; without one, nothing can.
    void setActionProvider(std::function<SocketActions(SocketId)> provider);
    void exec(SocketId id, const QPoint &screenPos);

Q_SIGNALS:
    void socketActionRequested(SocketScope::SocketId id, SocketScope::SocketAction action,
                               const QString &text, int number);
    void inspectRequested(SocketScope::SocketId id);

private:
    void request(SocketId id, SocketAction action);

    QWidget *m_window;
    std::function<SocketActions(SocketId)> m_provider;
};

} // namespace SocketScope
