// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketregistry.h"

#include <QMainWindow>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace SocketScope {

class DiagramScene;
class DiagramView;
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

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createActions();
    void createToolBar();
    void createMenus();
    void createDocks();
    void restoreSettings();
    void saveSettings() const;
    void updateStatus();
    void exportStateInteractively();
    void exportImageInteractively();
    void copyImage();
    void syncTableFromDiagram();
    void syncDiagramFromTable();
    void showAbout();

    SocketRegistry &m_registry;
    EventLog &m_log;
    SocketTableModel *m_model = nullptr;
    SocketFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    DiagramScene *m_scene = nullptr;
    DiagramView *m_view = nullptr;
    bool m_syncingSelection = false;
    QLineEdit *m_filterEdit = nullptr;
    QComboBox *m_protocolCombo = nullptr;
    QLabel *m_countLabel = nullptr;
    QAction *m_exportStateAction = nullptr;
    QAction *m_exportImageAction = nullptr;
    QAction *m_copyImageAction = nullptr;
    QAction *m_zoomInAction = nullptr;
    QAction *m_zoomOutAction = nullptr;
    QAction *m_zoomResetAction = nullptr;
    QAction *m_fitAction = nullptr;
    QAction *m_showAllAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QMenu *m_viewMenu = nullptr;
};

} // namespace SocketScope
