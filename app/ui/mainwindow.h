// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "presentationmode.h"
#include "serverpanel.h"
#include "socketaction.h"
#include "socketregistry.h"
#include "socketselection.h"

#include <functional>

#include <QMainWindow>

class QDockWidget;
class QMenu;
class QTableView;

namespace SocketScope {

class DiagramScene;
class DiagramView;
class EventJournal;
class MainWindowActions;
class SocketContextMenu;
class SocketFilterProxyModel;
class SocketInspector;
class SocketTableModel;
class SocketTablePane;
class TextScale;
class WindowExports;

// The main window: composes the diagram, the socket table, the docks, the toolbar, menus and
// status bar, and remembers their layout. Every view follows one selection (selection()).
// It never touches a socket: actions that need the network leave as signals.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(SocketRegistry &registry, EventLog &log, QWidget *parent = nullptr);
    ~MainWindow() override;

    QTableView *socketTable() const;
    SocketFilterProxyModel *filterModel() const;
    SocketTableModel *tableModel() const;
    DiagramScene *diagramScene() const { return m_scene; }
    DiagramView *diagramView() const { return m_view; }
    ServerPanel *serverPanel() const { return m_serverPanel; }
    SocketInspector *socketInspector() const { return m_inspector; }
    // What is selected, and which socket the detail views show; views added from outside
    // (the state machine, the system-call lanes) follow it too.
    SocketSelection &selection() { return m_selection; }
    // How large every view writes (Ctrl+= / Ctrl+-); views outside the window follow it too.
    TextScale &textScale() const { return *m_textScale; }
    MainWindowActions &actions() const { return *m_actions; }
    bool isPresenting() const { return m_presentation.isOn(); }
    // Only the diagram, full screen, for the back row of a lecture hall (F11; Esc leaves).
    void setPresentationMode(bool on);

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
    // Presentation view began or ended (after the window took its new shape).
    void presentingChanged(bool on);
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
    void createDocks();
    void createRightDocks();
    void createBottomDocks();
    void connectActions();
    void restoreSettings();
    void saveSettings() const;
    // Brings the inspector forward with this socket in it.
    void inspect(SocketId id);

    SocketRegistry &m_registry;
    EventLog &m_log;
    SocketSelection m_selection;
    PresentationMode m_presentation;
    DiagramScene *m_scene = nullptr;
    DiagramView *m_view = nullptr;
    TextScale *m_textScale = nullptr;
    ServerPanel *m_serverPanel = nullptr;
    MainWindowActions *m_actions = nullptr;
    SocketTablePane *m_tablePane = nullptr;
    SocketInspector *m_inspector = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    WindowExports *m_exports = nullptr;
    SocketContextMenu *m_socketMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
};

} // namespace SocketScope
