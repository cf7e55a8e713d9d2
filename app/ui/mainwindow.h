// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "serverpanel.h"
#include "socketaction.h"
#include "socketregistry.h"
#include "themeswitcher.h"

#include <functional>

#include <QMainWindow>
#include <QStandardPaths>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QLineEdit;
class QSpinBox;
class QTableView;

namespace SocketScope {

class DiagramScene;
class EventJournal;
class DiagramView;
class SocketInspector;
class SocketTableModel;
class SocketFilterProxyModel;

// The main window: the socket table, the event log, toolbar, menus and status bar.
// It never touches a socket: actions that need the network leave as signals.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(SocketRegistry &registry, EventLog &log, QWidget *parent = nullptr);
    ~MainWindow() override;

    QTableView *socketTable() const { return m_table; }
    SocketFilterProxyModel *filterModel() const { return m_proxy; }
    DiagramScene *diagramScene() const { return m_scene; }
    DiagramView *diagramView() const { return m_view; }
    ServerPanel *serverPanel() const { return m_serverPanel; }
    SocketInspector *socketInspector() const { return m_inspector; }
    SocketTableModel *tableModel() const { return m_model; }

    // Shows the servers' state in the panel, the toolbar and the title.
    void setTcpServerState(bool listening, bool accepting, const QString &endpoint);
    void setUdpServerState(bool bound, const QString &endpoint);
    void setDescriptorInfo(const QString &text);
    // The kernel's view cannot be read (a build without the probe, another system): the
    // window says so for as long as it runs, with `why`, and offers nothing that needs it.
    void setKernelViewUnavailable(const QString &why);
    // The event log dock shows the journal from now on: every line names its socket, and
    // "Every event" lists the socket events too.
    void showLogOf(const EventJournal &journal);
    // Adds a dock beside the table and the event log, with its toggle in the View menu.
    void addBottomDock(QDockWidget *dock, const QKeySequence &toggleShortcut,
                       const QString &toggleToolTip);
    // Who answers "what can be done with this socket?" for the context menus.
    void setSocketActionProvider(std::function<SocketActions(SocketId)> provider);

Q_SIGNALS:
    void spawnTcpClientsRequested(int count);
    void spawnUdpClientsRequested(int count);
    void socketActionRequested(SocketScope::SocketId id, SocketScope::SocketAction action,
                               const QString &text, int number);
    void wholeHostRequested(bool wholeHost);
    void kernelPollingRequested(bool polling);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createActions();
    void createToolBar();
    void createMenus();
    void createDocks();
    void createThemeMenu(QMenu *menu);
    QWidget *createTablePane();
    void copySelectedRows();
    void exportTableInteractively();
    void restoreSettings();
    void saveSettings() const;
    void updateStatus();
    void exportStateInteractively();
    // Asks for a file to save to; empty when the user cancels.
    QString askSavePath(const QString &title, const QString &fileName, const QString &filter,
                        QStandardPaths::StandardLocation defaultLocation);
    void exportImageInteractively();
    void copyImage();
    void syncTableFromDiagram();
    void syncDiagramFromTable();
    void showSocketMenu(SocketId id, const QPoint &screenPos);
    // Brings the inspector forward with this socket in it.
    void inspect(SocketId id);
    void requestSocketAction(SocketId id, SocketAction action);
    void showAbout();
    // Only the diagram, full screen, for the back row of a lecture hall.
    void setPresentationMode(bool on);

    SocketRegistry &m_registry;
    EventLog &m_log;
    SocketTableModel *m_model = nullptr;
    SocketFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    DiagramScene *m_scene = nullptr;
    DiagramView *m_view = nullptr;
    bool m_syncingSelection = false;
    ServerPanel *m_serverPanel = nullptr;
    SocketInspector *m_inspector = nullptr;
    ThemeSwitcher m_themes;
    QDockWidget *m_inspectorDock = nullptr;
    std::function<SocketActions(SocketId)> m_actionProvider;
    QAction *m_tcpServerAction = nullptr;
    QAction *m_acceptAction = nullptr;
    QAction *m_udpServerAction = nullptr;
    QAction *m_spawnTcpAction = nullptr;
    QAction *m_spawnUdpAction = nullptr;
    QAction *m_spawnTcpManyAction = nullptr;
    QAction *m_spawnUdpManyAction = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QComboBox *m_protocolCombo = nullptr;
    QComboBox *m_stateCombo = nullptr;
    QSpinBox *m_portSpin = nullptr;
    QAction *m_wholeHostAction = nullptr;
    QAction *m_kernelAction = nullptr;
    QAction *m_copyRowsAction = nullptr;
    QAction *m_exportTableAction = nullptr;
    QLabel *m_countLabel = nullptr;
    QAction *m_exportStateAction = nullptr;
    QAction *m_exportImageAction = nullptr;
    QAction *m_copyImageAction = nullptr;
    QAction *m_zoomInAction = nullptr;
    QAction *m_zoomOutAction = nullptr;
    QAction *m_zoomResetAction = nullptr;
    QAction *m_fitAction = nullptr;
    QAction *m_showAllAction = nullptr;
    QAction *m_minimapAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QAction *m_presentAction = nullptr;
    QAction *m_leavePresentationAction = nullptr;
    QByteArray m_stateBeforePresentation; // docks and toolbars to bring back afterwards
    QByteArray m_geometryBeforePresentation; // what is remembered if the app quits presenting
    bool m_maximizedBeforePresentation = false;
    QMenu *m_viewMenu = nullptr;
};

} // namespace SocketScope
