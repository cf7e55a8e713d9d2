// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>

class QAction;
class QMainWindow;

namespace SocketScope {

// Only the central widget, full screen, for the back row of a lecture hall: no menu bar,
// toolbars, docks or status bar. Afterwards the window comes back exactly as it was (each of
// those shown or hidden as before, maximised or not).
class PresentationMode
{
public:
    // `stateVersion` is the one the window saves its state with.
    PresentationMode(QMainWindow &window, int stateVersion);

    // A dock with this property true stays while presenting, if it is shown: the tour's
    // caption panel is part of what the hall reads.
    static constexpr const char *KeepWhilePresenting = "socketscopeKeepWhilePresenting";

    void setOn(bool on);
    bool isOn() const { return m_on; }
    // What to remember when the app quits: while presenting, the window as it was before
    // (presentation mode is for this lecture only).
    QByteArray geometryToSave() const;
    QByteArray stateToSave() const;

private:
    QMainWindow &m_window;
    int m_stateVersion;
    bool m_on = false;
    QByteArray m_stateBefore; // docks and toolbars to bring back afterwards
    QByteArray m_geometryBefore;
    bool m_maximizedBefore = false;
    bool m_menuBarBefore = true;
    bool m_statusBarBefore = true;
    // The menus' actions, lent to the window while its menu bar is hidden: a hidden menu bar
    // takes its shortcuts with it, and F11, Esc and Ctrl+= must keep working.
    QList<QAction *> m_lentActions;
};

} // namespace SocketScope
