// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "comparisonpanel.h"
#include "diagramexporter.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlogview.h"
#include "mainwindowactions.h"
#include "safefilewriter.h"
#include "socketinspector.h"
#include "sockettablemodel.h"
#include "sockettablepane.h"
#include "stateexporter.h"
#include "tableexporter.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QGuiApplication>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace SocketScope {

namespace {
// Raised whenever the docks change, so an older saved layout is not forced onto new docks.
constexpr int kWindowStateVersion = 3;
} // namespace

MainWindow::MainWindow(SocketRegistry &registry, EventLog &log, QWidget *parent)
    : QMainWindow(parent), m_registry(registry), m_log(log)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("SocketScope"));

    m_scene = new DiagramScene(registry, this);
    m_scene->setThemePalette(palette());
    m_view = new DiagramView(m_scene, this);
    setCentralWidget(m_view);
    m_view->followSelection(*m_scene, m_selection);

    m_serverPanel = new ServerPanel;
    m_actions = new MainWindowActions(*m_serverPanel, *m_view, *m_scene, this);
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_actions->fillToolBar(toolBar);
    m_viewMenu = m_actions->fillMenuBar(menuBar());
    createDocks();
    connectActions();

    m_countLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_countLabel);
    // Many sockets may come and go within one frame; the count is redrawn once per burst.
    auto *statusTimer = new QTimer(this);
    statusTimer->setSingleShot(true);
    statusTimer->setInterval(50);
    connect(statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    auto scheduleStatus = [statusTimer] {
        if (!statusTimer->isActive())
            statusTimer->start();
    };
    SocketFilterProxyModel *proxy = m_tablePane->filterModel();
    connect(&registry, &SocketRegistry::socketAdded, statusTimer, scheduleStatus);
    connect(&registry, &SocketRegistry::socketRemoved, statusTimer, scheduleStatus);
    connect(proxy, &QAbstractItemModel::rowsInserted, statusTimer, scheduleStatus);
    connect(proxy, &QAbstractItemModel::rowsRemoved, statusTimer, scheduleStatus);
    connect(proxy, &QAbstractItemModel::modelReset, statusTimer, scheduleStatus);
    connect(&log, &EventLog::eventAppended, this, [this](const LogEvent &event) {
        if (event.severity != EventSeverity::Info)
            statusBar()->showMessage(event.message, 10000);
    });
    updateStatus();
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

    connect(m_actions->exportState(), &QAction::triggered, this,
            &MainWindow::exportStateInteractively);
    connect(m_actions->exportImage(), &QAction::triggered, this,
            &MainWindow::exportImageInteractively);
    connect(m_actions->copyImage(), &QAction::triggered, this, &MainWindow::copyImage);
    connect(m_actions->exportTable(), &QAction::triggered, this,
            &MainWindow::exportTableInteractively);
    connect(m_tablePane, &SocketTablePane::statusMessage, statusBar(), &QStatusBar::showMessage);

    connect(m_scene, &DiagramScene::socketContextMenuRequested, this, &MainWindow::showSocketMenu);
    connect(m_tablePane, &SocketTablePane::socketContextMenuRequested, this,
            &MainWindow::showSocketMenu);
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
    connect(comparison, &ComparisonPanel::spawnBothRequested, this, [this](int count) {
        Q_EMIT spawnTcpClientsRequested(count);
        Q_EMIT spawnUdpClientsRequested(count);
    });
    addDockWidget(Qt::RightDockWidgetArea, compareDock);
    tabifyDockWidget(serverDock, compareDock);
    serverDock->raise();
    QAction *compareToggle = compareDock->toggleViewAction();
    compareToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    compareToggle->setToolTip(tr("TCP and UDP side by side: sockets, states and processes for "
                                 "the same clients"));
    m_viewMenu->addAction(compareToggle);

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
}

void MainWindow::saveSettings() const
{
    m_serverPanel->saveSettings();
    QSettings settings;
    // Presentation mode is for this lecture only: remember the window as it was before.
    const bool presenting = m_actions->present()->isChecked();
    settings.setValue(QStringLiteral("window/geometry"),
                      presenting ? m_geometryBeforePresentation : saveGeometry());
    settings.setValue(QStringLiteral("window/state"),
                      presenting ? m_stateBeforePresentation : saveState(kWindowStateVersion));
    m_tablePane->saveSettings(settings);
    settings.setValue(QStringLiteral("view/minimap"), m_actions->minimap()->isChecked());
}

void MainWindow::setPresentationMode(bool on)
{
    if (on) {
        m_stateBeforePresentation = saveState(kWindowStateVersion);
        m_geometryBeforePresentation = saveGeometry();
        m_maximizedBeforePresentation = isMaximized();
        for (QDockWidget *dock : findChildren<QDockWidget *>())
            dock->hide();
        statusBar()->hide();
        showFullScreen();
    } else {
        restoreState(m_stateBeforePresentation, kWindowStateVersion);
        statusBar()->show();
        if (m_maximizedBeforePresentation)
            showMaximized();
        else
            showNormal();
    }
    m_actions->leavePresentation()->setEnabled(on);
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
    m_actionProvider = std::move(provider);
}

void MainWindow::inspect(SocketId id)
{
    if (id != InvalidSocketId)
        m_selection.setCurrent(id);
    m_inspectorDock->show();
    m_inspectorDock->raise();
}

void MainWindow::showSocketMenu(SocketId id, const QPoint &screenPos)
{
    const SocketActions actions = m_actionProvider ? m_actionProvider(id) : SocketActions();
    QMenu menu(this);
    const struct
    {
        SocketAction action;
        QString text;
        QString tip;
    } entries[] = {
            {SocketAction::SendText, tr("Send Text…"), tr("Send a line of text on this socket")},
            {SocketAction::SendBurst, tr("Send Burst…"), tr("Send several datagrams at once")},
            {SocketAction::StartPeriodic, tr("Send Periodically…"),
             tr("Send a message again and again at an interval")},
            {SocketAction::StopPeriodic, tr("Stop Periodic Sending"), QString()},
            {SocketAction::HalfClose, tr("Half-Close (shutdown write)"),
             tr("Send FIN but keep reading: this side goes to FIN_WAIT2, the peer to CLOSE_WAIT")},
            {SocketAction::Close, tr("Close"), tr("Close gracefully with FIN")},
            {SocketAction::Abort, tr("Abort (RST)"),
             tr("Close at once with a reset: the peer sees \"connection reset\"")},
    };
    for (const auto &entry : entries) {
        if (!actions.testFlag(entry.action))
            continue;
        QAction *item = menu.addAction(entry.text);
        item->setToolTip(entry.tip);
        const SocketAction action = entry.action;
        connect(item, &QAction::triggered, this,
                [this, id, action] { requestSocketAction(id, action); });
    }
    if (menu.isEmpty()) {
        QAction *none = menu.addAction(tr("No actions for this socket"));
        none->setEnabled(false);
    }
    menu.addSeparator();
    QAction *inspectAction = menu.addAction(tr("Inspect"));
    inspectAction->setToolTip(tr("Show everything known about this socket in the Inspector"));
    connect(inspectAction, &QAction::triggered, this, [this, id] { inspect(id); });
    menu.setToolTipsVisible(true);
    menu.exec(screenPos);
}

void MainWindow::requestSocketAction(SocketId id, SocketAction action)
{
    QSettings settings;
    QString text;
    int number = 0;
    bool ok = true;
    switch (action) {
    case SocketAction::SendText:
        text = QInputDialog::getText(
                this, tr("Send Text"), tr("Text to send:"), QLineEdit::Normal,
                settings.value(QStringLiteral("actions/lastText"), tr("hello")).toString(), &ok);
        if (ok)
            settings.setValue(QStringLiteral("actions/lastText"), text);
        break;
    case SocketAction::SendBurst:
        number = QInputDialog::getInt(this, tr("Send Burst"), tr("How many datagrams:"), 10, 1,
                                      10000, 1, &ok);
        text = tr("datagram %n");
        break;
    case SocketAction::StartPeriodic:
        number = QInputDialog::getInt(this, tr("Send Periodically"), tr("Every (milliseconds):"),
                                      1000, 10, 600000, 100, &ok);
        text = tr("message %n");
        break;
    default:
        break;
    }
    if (ok)
        Q_EMIT socketActionRequested(id, action, text, number);
}

QString MainWindow::askSavePath(const QString &title, const QString &fileName,
                                const QString &filter,
                                QStandardPaths::StandardLocation defaultLocation)
{
    // All exports start where the last one went: a lecturer collects them in one folder.
    QSettings settings;
    const QString startDir = settings.value(QStringLiteral("export/lastDirectory"),
                                            QStandardPaths::writableLocation(defaultLocation))
                                     .toString();
    QString path = QFileDialog::getSaveFileName(this, title, startDir + QLatin1Char('/') + fileName,
                                                filter);
    if (!path.isEmpty())
        settings.setValue(QStringLiteral("export/lastDirectory"), QFileInfo(path).absolutePath());
    return path;
}

void MainWindow::exportTableInteractively()
{
    const QString path = askSavePath(tr("Export Table"), QStringLiteral("socketscope-sockets.csv"),
                                     tr("CSV (*.csv);;Text, netstat-like (*.txt)"),
                                     QStandardPaths::DocumentsLocation);
    if (path.isEmpty())
        return;
    const bool csv = !path.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive);
    QString error;
    if (!SafeFileWriter::write(path,
                               (csv ? TableExporter::toCsv(*m_tablePane->filterModel())
                                    : TableExporter::toText(*m_tablePane->filterModel()))
                                       .toUtf8(),
                               &error)) {
        m_log.append(EventSeverity::Error, error);
        QMessageBox::warning(this, tr("Export Table"), error);
        return;
    }
    m_log.append(EventSeverity::Info, tr("Table exported to %1").arg(path));
}

void MainWindow::exportImageInteractively()
{
    const QString path = askSavePath(tr("Export Image"), QStringLiteral("socketscope-diagram.png"),
                                     tr("PNG image (*.png);;SVG drawing (*.svg)"),
                                     QStandardPaths::PicturesLocation);
    if (path.isEmpty())
        return;
    m_scene->flush();
    QString error;
    if (!DiagramExporter::writeFile(*m_scene, path, &error)) {
        m_log.append(EventSeverity::Error, error);
        QMessageBox::warning(this, tr("Export Image"), error);
        return;
    }
    m_log.append(EventSeverity::Info, tr("Diagram exported to %1").arg(path));
}

void MainWindow::copyImage()
{
    m_scene->flush();
    QGuiApplication::clipboard()->setImage(DiagramExporter::toImage(*m_scene));
    statusBar()->showMessage(tr("Diagram copied to the clipboard"), 3000);
}

void MainWindow::updateStatus()
{
    qsizetype tcp = 0;
    for (SocketId id : m_registry.ids()) {
        if (const SocketRecord *record = m_registry.find(id);
            record && record->protocol == Protocol::Tcp)
            ++tcp;
    }
    const qsizetype total = m_registry.count();
    QString text = (total == 1 ? tr("1 socket: ") : tr("%1 sockets: ").arg(total))
                   + tr("%1 TCP, %2 UDP").arg(tcp).arg(total - tcp);
    if (m_tablePane->filterModel()->rowCount() != total)
        text += tr(" · %1 shown").arg(m_tablePane->filterModel()->rowCount());
    m_countLabel->setText(text);
}

void MainWindow::exportStateInteractively()
{
    const QString path = askSavePath(tr("Export State"), QStringLiteral("socketscope-state.json"),
                                     tr("JSON files (*.json)"), QStandardPaths::DocumentsLocation);
    if (path.isEmpty())
        return;
    QString error;
    if (!StateExporter::writeFile(path, m_registry, &m_log, &error)) {
        m_log.append(EventSeverity::Error, error);
        QMessageBox::warning(this, tr("Export State"),
                             error + tr("\n\nChoose another folder or file name."));
        return;
    }
    m_log.append(EventSeverity::Info, tr("State exported to %1").arg(path));
}

} // namespace SocketScope
