// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "comparisonpanel.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlogview.h"
#include "mainwindowactions.h"
#include "socketcontextmenu.h"
#include "socketcountlabel.h"
#include "socketinspector.h"
#include "sockettablemodel.h"
#include "sockettablepane.h"
#include "textscale.h"
#include "windowexports.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDockWidget>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace SocketScope {

namespace {
// Raised whenever the docks change, so an older saved layout is not forced onto new docks.
constexpr int kWindowStateVersion = 3;
} // namespace

MainWindow::MainWindow(SocketRegistry &registry, EventLog &log, QWidget *parent)
    : QMainWindow(parent),
      m_registry(registry),
      m_log(log),
      m_presentation(*this, kWindowStateVersion)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("SocketScope"));

    m_scene = new DiagramScene(registry, this);
    m_scene->setThemePalette(palette());
    m_view = new DiagramView(m_scene, this);
    setCentralWidget(m_view);
    m_view->followSelection(*m_scene, m_selection);
    m_textScale = new TextScale(this);
    connect(m_textScale, &TextScale::changed, m_view, &DiagramView::setTextScale);

    m_serverPanel = new ServerPanel;
    m_actions = new MainWindowActions(*m_serverPanel, *m_view, *m_scene, *m_textScale, this);
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_actions->fillToolBar(toolBar);
    m_viewMenu = m_actions->fillMenuBar(menuBar());
    createDocks();
    m_exports = new WindowExports(registry, log, *m_scene, *m_tablePane->filterModel(), this);
    m_socketMenu = new SocketContextMenu(this);
    connectActions();

    statusBar()->addPermanentWidget(
            new SocketCountLabel(registry, *m_tablePane->filterModel(), this));
    connect(&log, &EventLog::eventAppended, this, [this](const LogEvent &event) {
        if (event.severity != EventSeverity::Info)
            statusBar()->showMessage(event.message, 10000);
    });
    restoreSettings();
}

MainWindow::~MainWindow()
{
    // The scene is our child and dies after this destructor, in ~QWidget; deleting a
    // selected card then announces a selection change, which must reach neither the view's
    // link nor m_selection, gone by then. (The table pane unhooks its own table.)
    m_scene->disconnect(m_view);
}

QTableView *MainWindow::socketTable() const
{
    return m_tablePane->table();
}

SocketFilterProxyModel *MainWindow::filterModel() const
{
    return m_tablePane->filterModel();
}

SocketTableModel *MainWindow::tableModel() const
{
    return m_tablePane->model();
}

void MainWindow::connectActions()
{
    connect(m_actions, &MainWindowActions::spawnTcpClientsRequested, this,
            &MainWindow::spawnTcpClientsRequested);
    connect(m_actions, &MainWindowActions::spawnUdpClientsRequested, this,
            &MainWindow::spawnUdpClientsRequested);
    connect(m_serverPanel, &ServerPanel::spawnTcpRequested, this,
            &MainWindow::spawnTcpClientsRequested);
    connect(m_serverPanel, &ServerPanel::spawnUdpRequested, this,
            &MainWindow::spawnUdpClientsRequested);
    connect(m_scene, &DiagramScene::spawnClientRequested, this, [this](Protocol protocol) {
        if (protocol == Protocol::Tcp)
            Q_EMIT spawnTcpClientsRequested(1);
        else
            Q_EMIT spawnUdpClientsRequested(1);
    });
    connect(m_actions->wholeHost(), &QAction::toggled, this, &MainWindow::wholeHostRequested);
    connect(m_actions->kernel(), &QAction::toggled, this, &MainWindow::kernelPollingRequested);
    connect(m_actions->present(), &QAction::toggled, this, &MainWindow::setPresentationMode);

    connect(m_actions->exportState(), &QAction::triggered, m_exports, &WindowExports::exportState);
    connect(m_actions->exportImage(), &QAction::triggered, m_exports, &WindowExports::exportImage);
    connect(m_actions->copyImage(), &QAction::triggered, m_exports, &WindowExports::copyImage);
    connect(m_actions->exportTable(), &QAction::triggered, m_exports, &WindowExports::exportTable);
    connect(m_exports, &WindowExports::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(m_tablePane, &SocketTablePane::statusMessage, statusBar(), &QStatusBar::showMessage);

    connect(m_scene, &DiagramScene::socketContextMenuRequested, m_socketMenu,
            &SocketContextMenu::exec);
    connect(m_tablePane, &SocketTablePane::socketContextMenuRequested, m_socketMenu,
            &SocketContextMenu::exec);
    connect(m_socketMenu, &SocketContextMenu::socketActionRequested, this,
            &MainWindow::socketActionRequested);
    connect(m_socketMenu, &SocketContextMenu::inspectRequested, this, &MainWindow::inspect);
}

void MainWindow::createDocks()
{
    createRightDocks();
    createBottomDocks();
}

void MainWindow::createRightDocks()
{
    auto *serverDock = new QDockWidget(tr("Servers"), this);
    serverDock->setObjectName(QStringLiteral("serverDock"));
    // Scrolls rather than stretching the window: on a 768-pixel-high laptop screen (or at
    // 150 % scaling) the whole panel does not fit beside the table, and a dock that cannot
    // shrink pushes the window's bottom off the screen.
    auto *serverScroll = new QScrollArea(serverDock);
    serverScroll->setWidget(m_serverPanel);
    serverScroll->setWidgetResizable(true);
    serverScroll->setFrameShape(QFrame::NoFrame);
    serverScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    serverScroll->setMinimumWidth(m_serverPanel->minimumSizeHint().width()
                                  + serverScroll->verticalScrollBar()->sizeHint().width());
    serverDock->setWidget(serverScroll);
    addDockWidget(Qt::RightDockWidgetArea, serverDock);
    QAction *serverToggle = serverDock->toggleViewAction();
    serverToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    serverToggle->setToolTip(tr("Show or hide the servers' settings"));
    m_viewMenu->addAction(serverToggle);

    auto *compareDock = new QDockWidget(tr("TCP vs UDP"), this);
    compareDock->setObjectName(QStringLiteral("comparisonDock"));
    auto *comparison = new ComparisonPanel(m_registry, compareDock);
    compareDock->setWidget(comparison);
    connect(comparison, &ComparisonPanel::spawnBothRequested, this,
            [this](int tcpCount, int udpCount) {
                if (tcpCount > 0)
                    Q_EMIT spawnTcpClientsRequested(tcpCount);
                if (udpCount > 0)
                    Q_EMIT spawnUdpClientsRequested(udpCount);
            });
    addDockWidget(Qt::RightDockWidgetArea, compareDock);
    tabifyDockWidget(serverDock, compareDock);
    serverDock->raise();
    QAction *compareToggle = compareDock->toggleViewAction();
    compareToggle->setToolTip(tr("Show or hide TCP and UDP side by side"));
    m_viewMenu->addAction(compareToggle);
    // As with the inspector below: the toggle of a dock tabbed behind another would hide it,
    // so the shortcut brings the panel to the front instead, whatever it was.
    auto *compareAction = new QAction(tr("&Compare TCP and UDP"), this);
    compareAction->setObjectName(QStringLiteral("compareAction"));
    compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    compareAction->setToolTip(tr("TCP and UDP side by side: sockets, states and processes for "
                                 "the same clients"));
    connect(compareAction, &QAction::triggered, this, [compareDock, comparison] {
        compareDock->show();
        compareDock->raise();
        comparison->setFocus(Qt::ShortcutFocusReason);
    });
    m_viewMenu->addAction(compareAction);

    m_inspectorDock = new QDockWidget(tr("Inspector"), this);
    m_inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    m_inspector = new SocketInspector(m_registry, m_inspectorDock);
    m_inspectorDock->setWidget(m_inspector);
    connect(&m_selection, &SocketSelection::currentChanged, m_inspector,
            &SocketInspector::setSocket);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    tabifyDockWidget(compareDock, m_inspectorDock);
    serverDock->raise();
    QAction *inspectorToggle = m_inspectorDock->toggleViewAction();
    inspectorToggle->setToolTip(tr("Show or hide the inspector"));
    m_viewMenu->addAction(inspectorToggle);
    // A tabbed dock behind another counts as shown, so its toggle would hide it: this one
    // always brings the inspector to the front.
    auto *inspectAction = new QAction(tr("&Inspect Selected Socket"), this);
    inspectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    inspectAction->setToolTip(tr("Everything known about the selected socket: both states, "
                                 "queues, timer, owner, TCP_INFO, traffic"));
    connect(inspectAction, &QAction::triggered, this, [this] { inspect(m_selection.current()); });
    m_viewMenu->addAction(inspectAction);
}

void MainWindow::createBottomDocks()
{
    auto *tableDock = new QDockWidget(tr("Sockets"), this);
    tableDock->setObjectName(QStringLiteral("socketTableDock"));
    m_tablePane = new SocketTablePane(m_registry, m_selection, *m_actions);
    tableDock->setWidget(m_tablePane);
    addDockWidget(Qt::BottomDockWidgetArea, tableDock);
    QAction *tableToggle = tableDock->toggleViewAction();
    tableToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    tableToggle->setToolTip(tr("Show or hide the netstat-like table of sockets"));
    m_viewMenu->addAction(tableToggle);

    auto *logDock = new QDockWidget(tr("Event Log"), this);
    logDock->setObjectName(QStringLiteral("eventLogDock"));
    logDock->setWidget(new EventLogView(m_log, logDock));
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    tabifyDockWidget(tableDock, logDock);
    tableDock->raise();
    QAction *toggle = logDock->toggleViewAction();
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    toggle->setToolTip(tr("Show or hide the log of connections, errors and actions"));
    m_viewMenu->addAction(toggle);
}

void MainWindow::showLogOf(const EventJournal &journal)
{
    auto *logDock = findChild<QDockWidget *>(QStringLiteral("eventLogDock"));
    if (!logDock)
        return;
    auto *pane = new QWidget(logDock);
    auto *view = new EventLogView(journal, pane);
    auto *every = new QCheckBox(tr("Every event"), pane);
    every->setObjectName(QStringLiteral("logEveryEvent"));
    every->setToolTip(tr("Besides the log's lines, list every socket event the journal holds: "
                         "opened, state changes, traffic, FIN and RST, closed"));
    connect(every, &QCheckBox::toggled, view, &EventLogView::setEveryEvent);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(every);
    layout->addWidget(view, 1);
    delete logDock->widget();
    logDock->setWidget(pane);
}

void MainWindow::addBottomDock(QDockWidget *dock, const QKeySequence &toggleShortcut,
                               const QString &toggleToolTip)
{
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    if (auto *logDock = findChild<QDockWidget *>(QStringLiteral("eventLogDock")))
        tabifyDockWidget(logDock, dock);
    // The table stays in front, as before the dock came; the new one is a tab away.
    if (auto *tableDock = findChild<QDockWidget *>(QStringLiteral("socketTableDock")))
        tableDock->raise();
    QAction *toggle = dock->toggleViewAction();
    toggle->setShortcut(toggleShortcut);
    toggle->setToolTip(toggleToolTip);
    m_viewMenu->addAction(toggle);
}

void MainWindow::setKernelViewUnavailable(const QString &why)
{
    auto *label = new QLabel(tr("Kernel view: not available"), this);
    label->setObjectName(QStringLiteral("kernelUnavailableLabel"));
    label->setToolTip(why);
    statusBar()->addPermanentWidget(label);
    m_actions->setKernelViewUnavailable(why);
}

void MainWindow::restoreSettings()
{
    m_serverPanel->restoreSettings();
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // First start: most of the screen, since the diagram is the point of the program.
        const QScreen *screen = QGuiApplication::primaryScreen();
        const QSize available = screen ? screen->availableSize() : QSize(1280, 800);
        resize(available * 0.9);
    } else if (const QScreen *screen = QGuiApplication::primaryScreen()) {
        // Saved on a larger screen (a projector, then the laptop): keep it on this one, or
        // the table and the status bar end up below the bottom edge.
        const QRect available = screen->availableGeometry();
        if (width() > available.width() || height() > available.height()) {
            resize(size().boundedTo(available.size() * 0.95));
            move(available.topLeft());
        }
    }
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray(),
                      kWindowStateVersion)) {
        // First start: the diagram gets most of the height, the table a few rows under it.
        if (auto *tableDock = findChild<QDockWidget *>(QStringLiteral("socketTableDock")))
            resizeDocks({tableDock}, {height() / 5}, Qt::Vertical);
    }
    m_tablePane->restoreSettings(settings);
    m_actions->minimap()->setChecked(settings.value(QStringLiteral("view/minimap"), true).toBool());
    m_actions->restoreTheme(settings);
    m_textScale->restore(settings);
}

void MainWindow::saveSettings() const
{
    m_serverPanel->saveSettings();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), m_presentation.geometryToSave());
    settings.setValue(QStringLiteral("window/state"), m_presentation.stateToSave());
    m_tablePane->saveSettings(settings);
    settings.setValue(QStringLiteral("view/minimap"), m_actions->minimap()->isChecked());
}

void MainWindow::setPresentationMode(bool on)
{
    m_view->setPresenting(on);
    m_presentation.setOn(on);
    m_actions->leavePresentation()->setEnabled(on);
    if (m_actions->present()->isChecked() != on)
        m_actions->present()->setChecked(on); // asked for by --presentation, not the menu
    Q_EMIT presentingChanged(on);
    m_view->fitToWindow(); // the whole diagram, as large as the screen allows
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_scene)
        m_scene->setThemePalette(palette()); // follow the desktop's light or dark theme
}

void MainWindow::setTcpServerState(bool listening, bool accepting, const QString &endpoint)
{
    m_serverPanel->setTcpState(listening, accepting, endpoint);
    m_actions->setTcpServerState(listening, accepting);
}

void MainWindow::setUdpServerState(bool bound, const QString &endpoint)
{
    m_serverPanel->setUdpState(bound, endpoint);
    m_actions->setUdpServerState(bound);
}

void MainWindow::setDescriptorInfo(const QString &text)
{
    m_serverPanel->setDescriptorInfo(text);
}

void MainWindow::setSocketActionProvider(std::function<SocketActions(SocketId)> provider)
{
    m_socketMenu->setActionProvider(std::move(provider));
}

void MainWindow::inspect(SocketId id)
{
    if (id != InvalidSocketId)
        m_selection.setCurrent(id);
    m_inspectorDock->show();
    m_inspectorDock->raise();
}

} // namespace SocketScope
