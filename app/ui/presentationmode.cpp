// SPDX-License-Identifier: MIT
#include "presentationmode.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QStatusBar>

namespace SocketScope {

PresentationMode::PresentationMode(QMainWindow &window, int stateVersion)
    : m_window(window), m_stateVersion(stateVersion)
{ }

void PresentationMode::setOn(bool on)
{
    if (on == m_on)
        return;
    m_on = on;
    if (on) {
        m_stateBefore = m_window.saveState(m_stateVersion);
        m_geometryBefore = m_window.saveGeometry();
        m_maximizedBefore = m_window.isMaximized();
        for (QDockWidget *dock : m_window.findChildren<QDockWidget *>())
            dock->hide();
        m_window.statusBar()->hide();
        m_window.showFullScreen();
    } else {
        m_window.restoreState(m_stateBefore, m_stateVersion);
        m_window.statusBar()->show();
        if (m_maximizedBefore)
            m_window.showMaximized();
        else
            m_window.showNormal();
    }
}

QByteArray PresentationMode::geometryToSave() const
{
    return m_on ? m_geometryBefore : m_window.saveGeometry();
}

QByteArray PresentationMode::stateToSave() const
{
    return m_on ? m_stateBefore : m_window.saveState(m_stateVersion);
}

} // namespace SocketScope
