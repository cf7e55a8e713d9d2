// SPDX-License-Identifier: MIT
#include "presentationmode.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QStatusBar>
#include <QToolBar>
#include <QWindow>

namespace SocketScope {

namespace {

void collectShortcutActions(const QList<QAction *> &actions, QList<QAction *> &out)
{
    for (QAction *action : actions) {
        if (QMenu *menu = action->menu())
            collectShortcutActions(menu->actions(), out);
        else if (!action->shortcut().isEmpty())
            out.append(action);
    }
}

} // namespace

PresentationMode::PresentationMode(QMainWindow &window, int stateVersion)
    : m_window(window), m_stateVersion(stateVersion)
{ }

void PresentationMode::setOn(bool on)
{
    if (on == m_on)
        return;
    m_on = on;
    QMenuBar *menuBar = m_window.menuBar();
    if (on) {
        m_stateBefore = m_window.saveState(m_stateVersion);
        m_geometryBefore = m_window.saveGeometry();
        m_maximizedBefore = m_window.isMaximized();
        m_menuBarBefore = !menuBar->isHidden();
        m_statusBarBefore = !m_window.statusBar()->isHidden();
        QList<QAction *> menuActions;
        collectShortcutActions(menuBar->actions(), menuActions);
        const QList<QAction *> own = m_window.actions();
        m_lentActions.clear();
        for (QAction *action : std::as_const(menuActions)) {
            if (!own.contains(action) && !m_lentActions.contains(action))
                m_lentActions.append(action);
        }
        m_window.addActions(m_lentActions);
        for (QDockWidget *dock : m_window.findChildren<QDockWidget *>())
            if (!dock->property(KeepWhilePresenting).toBool() || !dock->isVisible())
                dock->hide();
        for (QToolBar *toolBar : m_window.findChildren<QToolBar *>())
            toolBar->hide();
        menuBar->hide();
        m_window.statusBar()->hide();
        m_window.showFullScreen();
        // Without a window manager (a lab's kiosk session, Xvfb) nobody honours the full
        // screen request: take the screen's geometry ourselves, as the window manager would.
        // On the native window: QWidget::setGeometry() would end the full screen state.
        const QScreen *screen = m_window.screen();
        if (QWindow *native = m_window.windowHandle(); screen && native)
            native->setGeometry(screen->geometry());
    } else {
        for (QAction *action : std::as_const(m_lentActions))
            m_window.removeAction(action);
        m_lentActions.clear();
        m_window.restoreState(m_stateBefore, m_stateVersion);
        menuBar->setVisible(m_menuBarBefore);
        m_window.statusBar()->setVisible(m_statusBarBefore);
        if (m_maximizedBefore)
            m_window.showMaximized();
        else {
            m_window.showNormal();
            m_window.restoreGeometry(m_geometryBefore); // the screen's, taken above, undone
        }
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
