// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "comparisonpanel.h"
#include "diagramexporter.h"
#include "diagramminimap.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlogview.h"
#include "safefilewriter.h"
#include "socketinspector.h"
#include "sockettabledelegate.h"
#include "sockettablemodel.h"
#include "stateexporter.h"
#include "tableexporter.h"
#include "themeswitcher.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
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

    m_model = new SocketTableModel(registry, this);
    m_proxy = new SocketFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("socketTable"));
    m_table->setModel(m_proxy);
    m_table->setItemDelegate(new SocketTableDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // arrival order until the user picks a column
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setWordWrap(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_table->indexAt(pos);
        if (index.isValid())
            showSocketMenu(index.data(SocketTableModel::SocketIdRole).value<SocketId>(),
                           m_table->viewport()->mapToGlobal(pos));
    });
    // Tuples must stay readable from the back of a hall: a monospace font keeps columns of
    // addresses and ports aligned so the differing part stands out.
    QFont tableFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    tableFont.setPointSizeF(qMax(tableFont.pointSizeF(), 11.0));
    m_table->setFont(tableFont);
    const int charWidth = QFontMetrics(tableFont).horizontalAdvance(QLatin1Char('0'));
    const int widths[] = {5, 22, 22, 12, 16, 6, 6, 15, 7};
    for (int column = 0; column < SocketTableModel::ColumnCount; ++column)
        m_table->setColumnWidth(column, (widths[column] + 2) * charWidth);
    m_scene = new DiagramScene(registry, this);
    m_scene->setThemePalette(palette());
    m_view = new DiagramView(m_scene, this);
    setCentralWidget(m_view);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::syncTableFromDiagram);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::syncDiagramFromTable);

    createActions();
    createToolBar();
    createMenus();
    createDocks();

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
    connect(&registry, &SocketRegistry::socketAdded, statusTimer, scheduleStatus);
    connect(&registry, &SocketRegistry::socketRemoved, statusTimer, scheduleStatus);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, statusTimer, scheduleStatus);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, statusTimer, scheduleStatus);
    connect(m_proxy, &QAbstractItemModel::modelReset, statusTimer, scheduleStatus);
    connect(&log, &EventLog::eventAppended, this, [this](const LogEvent &event) {
        if (event.severity != EventSeverity::Info)
            statusBar()->showMessage(event.message, 10000);
    });
    updateStatus();
    restoreSettings();
}

MainWindow::~MainWindow()
{
    // The scene and the table are our children and die after this destructor, in
    // ~QWidget; deleting a selected card then announces a selection change. By that time
    // this object is only a QWidget, and a slot of MainWindow must not run on it.
    m_scene->disconnect(this);
    m_table->selectionModel()->disconnect(this);
}

void MainWindow::createActions()
{
    m_serverPanel = new ServerPanel;
    m_tcpServerAction = new QAction(QIcon::fromTheme(QStringLiteral("network-server")),
                                    tr("TCP &Server"), this);
    m_tcpServerAction->setCheckable(true);
    m_tcpServerAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_tcpServerAction->setToolTip(tr("Start or stop the TCP server's listening socket"));
    connect(m_tcpServerAction, &QAction::triggered, this, [this](bool start) {
        // The state comes back from the network; until then the button shows the old one.
        m_tcpServerAction->setChecked(!start);
        if (start)
            Q_EMIT m_serverPanel->tcpStartRequested(m_serverPanel->tcpSettings());
        else
            Q_EMIT m_serverPanel->tcpStopRequested();
    });
    m_acceptAction = new QAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")),
                                 tr("&Pause Accepting"), this);
    m_acceptAction->setCheckable(true);
    m_acceptAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_acceptAction->setToolTip(tr("Stop calling accept(): new connections wait in the kernel's "
                                  "accept queue until you resume"));
    connect(m_acceptAction, &QAction::triggered, this, [this](bool pause) {
        m_acceptAction->setChecked(!pause);
        Q_EMIT m_serverPanel->tcpAcceptingRequested(!pause);
    });
    m_udpServerAction = new QAction(QIcon::fromTheme(QStringLiteral("network-workgroup")),
                                    tr("&UDP Server"), this);
    m_udpServerAction->setCheckable(true);
    m_udpServerAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_udpServerAction->setToolTip(tr("Start or stop the UDP server's socket"));
    connect(m_udpServerAction, &QAction::triggered, this, [this](bool start) {
        m_udpServerAction->setChecked(!start);
        if (start)
            Q_EMIT m_serverPanel->udpStartRequested(m_serverPanel->udpSettings());
        else
            Q_EMIT m_serverPanel->udpStopRequested();
    });
    m_spawnTcpAction
            = new QAction(QIcon::fromTheme(QStringLiteral("list-add")), tr("+ TCP Client"), this);
    m_spawnTcpAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
    m_spawnTcpAction->setToolTip(tr("Open one TCP client that connects to the server "
                                    "(or double-click the listening socket)"));
    connect(m_spawnTcpAction, &QAction::triggered, this,
            [this] { Q_EMIT spawnTcpClientsRequested(1); });
    m_spawnUdpAction
            = new QAction(QIcon::fromTheme(QStringLiteral("list-add")), tr("+ UDP Client"), this);
    m_spawnUdpAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_U));
    m_spawnUdpAction->setToolTip(tr("Open one UDP client that sends to the UDP server "
                                    "(or double-click the UDP server's socket)"));
    connect(m_spawnUdpAction, &QAction::triggered, this,
            [this] { Q_EMIT spawnUdpClientsRequested(1); });
    m_spawnTcpManyAction = new QAction(tr("Spawn N TCP Clients"), this);
    m_spawnTcpManyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    m_spawnTcpManyAction->setToolTip(tr("Open as many TCP clients as set in the Servers panel"));
    connect(m_spawnTcpManyAction, &QAction::triggered, this,
            [this] { Q_EMIT spawnTcpClientsRequested(m_serverPanel->spawnCount()); });
    m_spawnUdpManyAction = new QAction(tr("Spawn N UDP Clients"), this);
    m_spawnUdpManyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    m_spawnUdpManyAction->setToolTip(tr("Open as many UDP clients as set in the Servers panel"));
    connect(m_spawnUdpManyAction, &QAction::triggered, this,
            [this] { Q_EMIT spawnUdpClientsRequested(m_serverPanel->spawnCount()); });
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
    connect(m_scene, &DiagramScene::socketContextMenuRequested, this, &MainWindow::showSocketMenu);

    m_exportStateAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save-as")),
                                      tr("&Export State…"), this);
    m_exportStateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportStateAction->setToolTip(
            tr("Save every socket and event as JSON (the same format as --export-state)"));
    connect(m_exportStateAction, &QAction::triggered, this, &MainWindow::exportStateInteractively);

    m_exportImageAction = new QAction(QIcon::fromTheme(QStringLiteral("image-x-generic")),
                                      tr("Export &Image…"), this);
    m_exportImageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_exportImageAction->setToolTip(tr("Save the whole diagram as PNG or SVG"));
    connect(m_exportImageAction, &QAction::triggered, this, &MainWindow::exportImageInteractively);
    m_copyImageAction
            = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy Diagram"), this);
    m_copyImageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyImageAction->setToolTip(tr("Copy the whole diagram to the clipboard as an image"));
    connect(m_copyImageAction, &QAction::triggered, this, &MainWindow::copyImage);

    m_zoomInAction = new QAction(QIcon::fromTheme(QStringLiteral("zoom-in")), tr("Zoom &In"), this);
    m_zoomInAction->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(m_zoomInAction, &QAction::triggered, m_view, &DiagramView::zoomIn);
    m_zoomOutAction
            = new QAction(QIcon::fromTheme(QStringLiteral("zoom-out")), tr("Zoom &Out"), this);
    m_zoomOutAction->setShortcut(QKeySequence::ZoomOut);
    connect(m_zoomOutAction, &QAction::triggered, m_view, &DiagramView::zoomOut);
    m_zoomResetAction = new QAction(QIcon::fromTheme(QStringLiteral("zoom-original")),
                                    tr("&Actual Size"), this);
    m_zoomResetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(m_zoomResetAction, &QAction::triggered, m_view, &DiagramView::resetZoom);
    m_fitAction = new QAction(QIcon::fromTheme(QStringLiteral("zoom-fit-best")),
                              tr("&Fit to Window"), this);
    m_fitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    m_fitAction->setToolTip(tr("Show the whole diagram; it stays fitted as sockets come and go"));
    connect(m_fitAction, &QAction::triggered, m_view, &DiagramView::fitToWindow);
    m_showAllAction = new QAction(tr("Show &All Connections"), this);
    m_showAllAction->setCheckable(true);
    m_showAllAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_showAllAction->setToolTip(tr("Draw every connection instead of folding the rest into "
                                   "\"+ N more\""));
    connect(m_showAllAction, &QAction::toggled, m_scene, &DiagramScene::setShowAll);
    m_minimapAction = new QAction(tr("&Minimap"), this);
    m_minimapAction->setObjectName(QStringLiteral("minimapAction"));
    m_minimapAction->setCheckable(true);
    m_minimapAction->setChecked(true);
    m_minimapAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_minimapAction->setToolTip(tr("While zoomed in, show the whole diagram small in the "
                                   "corner; click or drag in it to move the view"));
    connect(m_minimapAction, &QAction::toggled, m_view->minimap(), &DiagramMinimap::setWanted);

    m_wholeHostAction = new QAction(tr("Whole Host"), this);
    m_wholeHostAction->setObjectName(QStringLiteral("wholeHostAction"));
    m_wholeHostAction->setCheckable(true);
    m_wholeHostAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_wholeHostAction->setToolTip(tr("List every TCP and UDP socket on this machine, not only "
                                     "those on SocketScope's ports"));
    connect(m_wholeHostAction, &QAction::toggled, this, &MainWindow::wholeHostRequested);
    m_kernelAction = new QAction(tr("Read the &Kernel"), this);
    m_kernelAction->setCheckable(true);
    m_kernelAction->setChecked(true);
    m_kernelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_kernelAction->setToolTip(tr("Poll the kernel's socket table ten times a second; untick to "
                                  "freeze the kernel's view"));
    connect(m_kernelAction, &QAction::toggled, this, &MainWindow::kernelPollingRequested);
    m_copyRowsAction
            = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy &Rows"), this);
    m_copyRowsAction->setShortcut(QKeySequence::Copy);
    m_copyRowsAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copyRowsAction->setToolTip(tr("Copy the selected table rows as netstat-like text"));
    connect(m_copyRowsAction, &QAction::triggered, this, &MainWindow::copySelectedRows);
    m_table->addAction(m_copyRowsAction);
    m_exportTableAction = new QAction(tr("Export &Table…"), this);
    m_exportTableAction->setToolTip(tr("Save the table, as filtered, as CSV or text"));
    connect(m_exportTableAction, &QAction::triggered, this, &MainWindow::exportTableInteractively);

    m_quitAction
            = new QAction(QIcon::fromTheme(QStringLiteral("application-exit")), tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_findAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-find")), tr("&Filter…"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setToolTip(tr("Show only sockets whose row contains the text"));

    m_presentAction = new QAction(QIcon::fromTheme(QStringLiteral("view-fullscreen")),
                                  tr("&Presentation Mode"), this);
    m_presentAction->setCheckable(true);
    m_presentAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_presentAction->setToolTip(tr("Only the diagram, full screen and as large as it fits, for "
                                   "the back row of a lecture hall (F11 or Esc to leave)"));
    connect(m_presentAction, &QAction::toggled, this, &MainWindow::setPresentationMode);
    // Esc leaves, but never enters: it must stay free for closing menus and dialogs.
    m_leavePresentationAction = new QAction(tr("Leave Presentation Mode"), this);
    m_leavePresentationAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leavePresentationAction->setEnabled(false);
    addAction(m_leavePresentationAction);
    connect(m_leavePresentationAction, &QAction::triggered, m_presentAction,
            [this] { m_presentAction->setChecked(false); });

    m_aboutAction = new QAction(tr("&About SocketScope"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    m_aboutQtAction = new QAction(tr("About &Qt"), this);
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar()
{
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_tcpServerAction);
    toolBar->addAction(m_acceptAction);
    toolBar->addAction(m_spawnTcpAction);
    toolBar->addSeparator();
    toolBar->addAction(m_udpServerAction);
    toolBar->addAction(m_spawnUdpAction);
    toolBar->addSeparator();
    toolBar->addAction(m_fitAction);
    toolBar->addAction(m_presentAction);
    toolBar->addAction(m_exportImageAction);
}

QWidget *MainWindow::createTablePane()
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);

    m_protocolCombo = new QComboBox(pane);
    m_protocolCombo->setObjectName(QStringLiteral("protocolFilter"));
    m_protocolCombo->setToolTip(tr("Show TCP sockets, UDP sockets or both"));
    m_protocolCombo->addItem(tr("TCP and UDP"));
    m_protocolCombo->addItem(tr("TCP only"), static_cast<int>(Protocol::Tcp));
    m_protocolCombo->addItem(tr("UDP only"), static_cast<int>(Protocol::Udp));
    connect(m_protocolCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant value = m_protocolCombo->itemData(index);
        m_proxy->setProtocolFilter(value.isValid()
                                           ? std::optional(static_cast<Protocol>(value.toInt()))
                                           : std::nullopt);
    });
    bar->addWidget(m_protocolCombo);

    m_stateCombo = new QComboBox(pane);
    m_stateCombo->setObjectName(QStringLiteral("stateFilter"));
    m_stateCombo->setToolTip(tr("Show only sockets in this state (the kernel's, when known)"));
    m_stateCombo->addItem(tr("Any state"));
    for (SocketState state :
         {SocketState::Listen, SocketState::SynSent, SocketState::SynRecv, SocketState::Established,
          SocketState::FinWait1, SocketState::FinWait2, SocketState::CloseWait,
          SocketState::Closing, SocketState::LastAck, SocketState::TimeWait,
          SocketState::Unconnected})
        m_stateCombo->addItem(stateName(state), static_cast<int>(state));
    connect(m_stateCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant value = m_stateCombo->itemData(index);
        m_proxy->setStateFilter(value.isValid()
                                        ? std::optional(static_cast<SocketState>(value.toInt()))
                                        : std::nullopt);
    });
    bar->addWidget(m_stateCombo);

    m_portSpin = new QSpinBox(pane);
    m_portSpin->setObjectName(QStringLiteral("portFilter"));
    m_portSpin->setRange(0, 65535);
    m_portSpin->setSpecialValueText(tr("Any port"));
    m_portSpin->setToolTip(tr("Show only sockets with this local or remote port"));
    connect(m_portSpin, &QSpinBox::valueChanged, this, [this](int port) {
        m_proxy->setPortFilter(port > 0 ? std::optional(static_cast<quint16>(port)) : std::nullopt);
    });
    bar->addWidget(m_portSpin);

    m_filterEdit = new QLineEdit(pane);
    m_filterEdit->setObjectName(QStringLiteral("textFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter: address, port, state…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(
            tr("Show only sockets whose row contains this text (%1)")
                    .arg(m_findAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &SocketFilterProxyModel::setTextFilter);
    connect(m_findAction, &QAction::triggered, m_filterEdit, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    bar->addWidget(m_filterEdit, 1);

    auto *wholeHost = new QToolButton(pane);
    wholeHost->setDefaultAction(m_wholeHostAction);
    wholeHost->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addWidget(wholeHost);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    return pane;
}

void MainWindow::copySelectedRows()
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    if (rows.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(TableExporter::toText(*m_proxy, rows));
    statusBar()->showMessage(tr("%n row(s) copied", nullptr, static_cast<int>(rows.size())), 3000);
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
    if (!SafeFileWriter::write(
                path,
                (csv ? TableExporter::toCsv(*m_proxy) : TableExporter::toText(*m_proxy)).toUtf8(),
                &error)) {
        m_log.append(EventSeverity::Error, error);
        QMessageBox::warning(this, tr("Export Table"), error);
        return;
    }
    m_log.append(EventSeverity::Info, tr("Table exported to %1").arg(path));
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_exportStateAction);
    fileMenu->addAction(m_exportImageAction);
    fileMenu->addAction(m_copyImageAction);
    fileMenu->addAction(m_exportTableAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_quitAction);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(m_zoomInAction);
    m_viewMenu->addAction(m_zoomOutAction);
    m_viewMenu->addAction(m_zoomResetAction);
    m_viewMenu->addAction(m_fitAction);
    m_viewMenu->addAction(m_showAllAction);
    m_viewMenu->addAction(m_minimapAction);
    m_viewMenu->addAction(m_presentAction);
    createThemeMenu(m_viewMenu->addMenu(tr("&Theme")));
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_findAction);
    m_viewMenu->addAction(m_copyRowsAction);
    m_viewMenu->addAction(m_wholeHostAction);
    m_viewMenu->addAction(m_kernelAction);
    m_viewMenu->addSeparator();

    QMenu *serverMenu = menuBar()->addMenu(tr("&Servers"));
    serverMenu->addAction(m_tcpServerAction);
    serverMenu->addAction(m_acceptAction);
    serverMenu->addSeparator();
    serverMenu->addAction(m_udpServerAction);
    QMenu *clientMenu = menuBar()->addMenu(tr("&Clients"));
    clientMenu->addAction(m_spawnTcpAction);
    clientMenu->addAction(m_spawnTcpManyAction);
    clientMenu->addSeparator();
    clientMenu->addAction(m_spawnUdpAction);
    clientMenu->addAction(m_spawnUdpManyAction);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(m_aboutAction);
    helpMenu->addAction(m_aboutQtAction);
}

void MainWindow::createThemeMenu(QMenu *menu)
{
    menu->setToolTipsVisible(true);
    auto *group = new QActionGroup(this);
    const struct
    {
        Theme theme;
        QString text;
        QString tip;
    } entries[] = {
            {Theme::System, tr("&Follow the Desktop"), tr("The desktop's own colours and style")},
            {Theme::Light, tr("&Light"), tr("Light colours whatever the desktop uses")},
            {Theme::Dark, tr("&Dark"),
             tr("Dark colours whatever the desktop uses: often easier on a projector in a dark "
                "hall")},
    };
    for (const auto &entry : entries) {
        QAction *action = menu->addAction(entry.text);
        action->setObjectName(QStringLiteral("theme-") + themeName(entry.theme));
        action->setToolTip(entry.tip);
        action->setCheckable(true);
        action->setChecked(entry.theme == Theme::System);
        group->addAction(action);
        const Theme theme = entry.theme;
        connect(action, &QAction::triggered, this, [this, theme] {
            m_themes.apply(theme);
            QSettings().setValue(QStringLiteral("view/theme"), themeName(theme));
        });
    }
}

void MainWindow::createDocks()
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
    connect(inspectAction, &QAction::triggered, this, [this] { inspect(m_inspector->socket()); });
    m_viewMenu->addAction(inspectAction);

    auto *tableDock = new QDockWidget(tr("Sockets"), this);
    tableDock->setObjectName(QStringLiteral("socketTableDock"));
    tableDock->setWidget(createTablePane());
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
    for (QAction *action : {m_kernelAction, m_wholeHostAction}) {
        action->setEnabled(false);
        action->setToolTip(why);
    }
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
    m_table->horizontalHeader()->restoreState(
            settings.value(QStringLiteral("table/header")).toByteArray());
    m_protocolCombo->setCurrentIndex(
            qBound(0, settings.value(QStringLiteral("table/protocolFilter")).toInt(),
                   m_protocolCombo->count() - 1));
    m_minimapAction->setChecked(settings.value(QStringLiteral("view/minimap"), true).toBool());
    const Theme theme = themeFromName(settings.value(QStringLiteral("view/theme")).toString());
    if (theme != Theme::System) {
        m_themes.apply(theme);
        if (auto *action = findChild<QAction *>(QStringLiteral("theme-") + themeName(theme)))
            action->setChecked(true);
    }
}

void MainWindow::saveSettings() const
{
    m_serverPanel->saveSettings();
    QSettings settings;
    // Presentation mode is for this lecture only: remember the window as it was before.
    settings.setValue(QStringLiteral("window/geometry"),
                      m_presentAction->isChecked() ? m_geometryBeforePresentation : saveGeometry());
    settings.setValue(QStringLiteral("window/state"), m_presentAction->isChecked()
                                                              ? m_stateBeforePresentation
                                                              : saveState(kWindowStateVersion));
    settings.setValue(QStringLiteral("table/header"), m_table->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("table/protocolFilter"), m_protocolCombo->currentIndex());
    settings.setValue(QStringLiteral("view/minimap"), m_minimapAction->isChecked());
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
    m_leavePresentationAction->setEnabled(on);
    m_view->fitToWindow(); // the whole diagram, as large as the screen allows
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::setTcpServerState(bool listening, bool accepting, const QString &endpoint)
{
    m_serverPanel->setTcpState(listening, accepting, endpoint);
    m_tcpServerAction->setChecked(listening);
    m_tcpServerAction->setText(listening ? tr("Stop TCP &Server") : tr("Start TCP &Server"));
    m_acceptAction->setEnabled(listening);
    m_acceptAction->setChecked(listening && !accepting);
}

void MainWindow::setUdpServerState(bool bound, const QString &endpoint)
{
    m_serverPanel->setUdpState(bound, endpoint);
    m_udpServerAction->setChecked(bound);
    m_udpServerAction->setText(bound ? tr("Stop &UDP Server") : tr("Start &UDP Server"));
}

void MainWindow::setDescriptorInfo(const QString &text)
{
    m_serverPanel->setDescriptorInfo(text);
}

void MainWindow::setSocketActionProvider(std::function<SocketActions(SocketId)> provider)
{
    m_actionProvider = std::move(provider);
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

void MainWindow::inspect(SocketId id)
{
    if (id != InvalidSocketId)
        m_inspector->setSocket(id);
    m_inspectorDock->show();
    m_inspectorDock->raise();
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

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_scene)
        m_scene->setThemePalette(palette()); // follow the desktop's light or dark theme
}

void MainWindow::syncTableFromDiagram()
{
    if (m_syncingSelection)
        return;
    const QList<SocketId> ids = m_scene->selectedSockets();
    if (!ids.isEmpty())
        m_inspector->setSocket(ids.constFirst());
    m_syncingSelection = true;
    m_table->clearSelection();
    for (SocketId id : ids) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(m_model->rowOf(id), 0));
        if (!index.isValid())
            continue;
        m_table->selectionModel()->select(index,
                                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        m_table->scrollTo(index);
    }
    m_syncingSelection = false;
}

void MainWindow::syncDiagramFromTable()
{
    if (m_syncingSelection)
        return;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (!rows.isEmpty())
        m_inspector->setSocket(rows.first().data(SocketTableModel::SocketIdRole).value<SocketId>());
    m_syncingSelection = true;
    m_scene->selectSocket(
            rows.isEmpty() ? InvalidSocketId
                           : rows.first().data(SocketTableModel::SocketIdRole).value<SocketId>());
    if (SocketItem *item
        = rows.isEmpty()
                  ? nullptr
                  : m_scene->itemFor(
                          rows.first().data(SocketTableModel::SocketIdRole).value<SocketId>()))
        m_view->ensureVisible(item);
    m_syncingSelection = false;
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
    if (m_proxy->rowCount() != total)
        text += tr(" · %1 shown").arg(m_proxy->rowCount());
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

void MainWindow::showAbout()
{
    QMessageBox::about(
            this, tr("About SocketScope"),
            tr("<h3>SocketScope %1</h3><p>Makes client-server sockets visible: real TCP and UDP "
               "endpoints on this machine, with the kernel's own view beside Qt's.</p>"
               "<p>Licensed under the MIT licence.</p>")
                    .arg(QCoreApplication::applicationVersion()));
}

} // namespace SocketScope
