// SPDX-License-Identifier: MIT
#pragma once

#include "themeswitcher.h"

#include <QObject>

class QAction;
class QActionGroup;
class QMenu;
class QMenuBar;
class QSettings;
class QToolBar;
class QWidget;

namespace SocketScope {

class DiagramScene;
class DiagramView;
class ServerPanel;
class TextScale;

// The main window's actions: each with its text, icon, shortcut and tooltip, placed in the
// toolbar and the menus. Those that only drive the servers, the diagram or the window itself
// are wired here; the rest (exports, the table, presentation) are the window's to connect.
class MainWindowActions : public QObject
{
    Q_OBJECT
public:
    // `window` gets the actions that work without a menu (Esc) and is closed by Quit.
    MainWindowActions(ServerPanel &servers, DiagramView &view, DiagramScene &scene,
                      TextScale &textScale, QWidget *window);

    void fillToolBar(QToolBar *toolBar) const;
    // File, View, Servers, Clients and Help; returns the View menu, where the docks' toggles
    // go after the actions.
    QMenu *fillMenuBar(QMenuBar *menuBar);
    // The theme chosen last time, and its entry ticked.
    void restoreTheme(const QSettings &settings);

    void setTcpServerState(bool listening, bool accepting);
    void setUdpServerState(bool bound);
    // Kernel polling and the whole host need the kernel's view; `why` says why they are off.
    void setKernelViewUnavailable(const QString &why);

    QAction *tcpServer() const { return m_tcpServer; }
    QAction *accept() const { return m_accept; }
    QAction *udpServer() const { return m_udpServer; }
    QAction *spawnTcp() const { return m_spawnTcp; }
    QAction *spawnUdp() const { return m_spawnUdp; }
    QAction *spawnTcpMany() const { return m_spawnTcpMany; }
    QAction *spawnUdpMany() const { return m_spawnUdpMany; }
    QAction *exportState() const { return m_exportState; }
    QAction *exportImage() const { return m_exportImage; }
    QAction *copyImage() const { return m_copyImage; }
    QAction *exportTable() const { return m_exportTable; }
    QAction *copyRows() const { return m_copyRows; }
    QAction *find() const { return m_find; }
    QAction *zoomIn() const { return m_zoomIn; }
    QAction *zoomOut() const { return m_zoomOut; }
    QAction *zoomReset() const { return m_zoomReset; }
    QAction *fit() const { return m_fit; }
    QAction *largerText() const { return m_largerText; }
    QAction *smallerText() const { return m_smallerText; }
    QAction *normalText() const { return m_normalText; }
    QAction *showAll() const { return m_showAll; }
    QAction *minimap() const { return m_minimap; }
    QAction *wholeHost() const { return m_wholeHost; }
    QAction *kernel() const { return m_kernel; }
    QAction *present() const { return m_present; }
    QAction *leavePresentation() const { return m_leavePresentation; }
    QAction *quit() const { return m_quit; }
    QAction *about() const { return m_about; }
    QAction *aboutQt() const { return m_aboutQt; }

Q_SIGNALS:
    void spawnTcpClientsRequested(int count);
    void spawnUdpClientsRequested(int count);

private:
    QAction *create(const QString &text, const QString &icon = {});
    void createServerActions(ServerPanel &servers);
    void createFileActions();
    void createViewActions(DiagramView &view, DiagramScene &scene);
    void createTextActions(DiagramView &view, TextScale &textScale);
    void createWindowActions(QWidget *window);
    void createThemeMenu(QMenu *menu);

    ThemeSwitcher m_themes;
    QActionGroup *m_themeGroup = nullptr; // the Theme menu's entries
    QAction *m_tcpServer = nullptr;
    QAction *m_accept = nullptr;
    QAction *m_udpServer = nullptr;
    bool m_tcpListening = false; // what m_tcpServer does next: stop (true) or start
    bool m_udpBound = false;
    QAction *m_spawnTcp = nullptr;
    QAction *m_spawnUdp = nullptr;
    QAction *m_spawnTcpMany = nullptr;
    QAction *m_spawnUdpMany = nullptr;
    QAction *m_exportState = nullptr;
    QAction *m_exportImage = nullptr;
    QAction *m_copyImage = nullptr;
    QAction *m_exportTable = nullptr;
    QAction *m_copyRows = nullptr;
    QAction *m_find = nullptr;
    QAction *m_zoomIn = nullptr;
    QAction *m_zoomOut = nullptr;
    QAction *m_zoomReset = nullptr;
    QAction *m_fit = nullptr;
    QAction *m_largerText = nullptr;
    QAction *m_smallerText = nullptr;
    QAction *m_normalText = nullptr;
    QAction *m_showAll = nullptr;
    QAction *m_minimap = nullptr;
    QAction *m_wholeHost = nullptr;
    QAction *m_kernel = nullptr;
    QAction *m_present = nullptr;
    QAction *m_leavePresentation = nullptr;
    QAction *m_quit = nullptr;
    QAction *m_about = nullptr;
    QAction *m_aboutQt = nullptr;
};

} // namespace SocketScope
