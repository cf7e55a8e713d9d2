// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

class QMainWindow;

namespace SocketScope {

// Only the central widget, full screen, for the back row of a lecture hall; afterwards the
// window comes back as it was, docks, toolbars, status bar, maximised or not.
class PresentationMode
{
public:
    // `stateVersion` is the one the window saves its state with.
    PresentationMode(QMainWindow &window, int stateVersion);

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
};

} // namespace SocketScope
