// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QList>
#include <QObject>

namespace SocketScope {

// The window's one selection, which every view follows instead of the window syncing them
// pair by pair. Two things: the sockets selected (the diagram's cards, the table's rows), and
// the socket the detail views show (inspector, state machine, system-call lanes). The latter
// is the first one selected, kept when the selection is cleared (a click on the background
// does not empty the inspector), and set alone by "Inspect".
//
// A view that writes here ignores the echo of its own change (each keeps a guard), so the
// diagram may keep several cards selected while the table shows the same rows.
class SocketSelection : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    const QList<SocketId> &selected() const { return m_selected; }
    SocketId current() const { return m_current; }

    // The user selected `ids` in one view (the first is the one to show in detail).
    void select(const QList<SocketId> &ids);
    // Shows `id` in the detail views without selecting it anywhere.
    void setCurrent(SocketId id);

Q_SIGNALS:
    void selectionChanged(const QList<SocketScope::SocketId> &ids);
    void currentChanged(SocketScope::SocketId id);

private:
    QList<SocketId> m_selected;
    SocketId m_current = InvalidSocketId;
};

} // namespace SocketScope
