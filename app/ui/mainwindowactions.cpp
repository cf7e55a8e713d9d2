// SPDX-License-Identifier: MIT
#include "mainwindowactions.h"

#include "diagramminimap.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "serverpanel.h"
#include "textscale.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QToolBar>

namespace SocketScope {

MainWindowActions::MainWindowActions(ServerPanel &servers, DiagramView &view, DiagramScene &scene,
                                     TextScale &textScale, QWidget *window)
    : QObject(window)
{
    createServerActions(servers);
    createFileActions();
    createViewActions(view, scene);
    createTextActions(view, textScale);
    createWindowActions(window);
}

QAction *MainWindowActions::create(const QString &text, const QString &icon)
{
    return icon.isEmpty() ? new QAction(text, this)
                          : new QAction(QIcon::fromTheme(icon), text, this);
}

void MainWindowActions::createServerActions(ServerPanel &servers)
{
    // Plain actions whose text says what they do: a checkmark beside "Stop TCP Server" would
    // read as "stopped". The state comes back from the network (setTcpServerState).
    m_tcpServer = create(tr("Start TCP &Server"), QStringLiteral("network-server"));
    m_tcpServer->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_tcpServer->setToolTip(tr("Start or stop the TCP server's listening socket"));
    connect(m_tcpServer, &QAction::triggered, this, [this, &servers] {
        if (m_tcpListening)
            Q_EMIT servers.tcpStopRequested();
        else
            Q_EMIT servers.tcpStartRequested(servers.tcpSettings());
    });
    m_accept = create(tr("&Pause Accepting"), QStringLiteral("media-playback-pause"));
    m_accept->setCheckable(true);
    m_accept->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_accept->setToolTip(tr("Stop calling accept(): new connections wait in the kernel's "
                            "accept queue until you resume"));
    connect(m_accept, &QAction::triggered, this, [this, &servers](bool pause) {
        m_accept->setChecked(!pause);
        Q_EMIT servers.tcpAcceptingRequested(!pause);
    });
    m_udpServer = create(tr("Start &UDP Server"), QStringLiteral("network-workgroup"));
    m_udpServer->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_udpServer->setToolTip(tr("Start or stop the UDP server's socket"));
    connect(m_udpServer, &QAction::triggered, this, [this, &servers] {
        if (m_udpBound)
            Q_EMIT servers.udpStopRequested();
        else
            Q_EMIT servers.udpStartRequested(servers.udpSettings());
    });
    m_spawnTcp = create(tr("+ TCP Client"), QStringLiteral("list-add"));
    m_spawnTcp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
    m_spawnTcp->setToolTip(tr("Open one TCP client that connects to the server "
                              "(or double-click the listening socket)"));
    connect(m_spawnTcp, &QAction::triggered, this, [this] { Q_EMIT spawnTcpClientsRequested(1); });
    m_spawnUdp = create(tr("+ UDP Client"), QStringLiteral("list-add"));
    m_spawnUdp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_U));
    m_spawnUdp->setToolTip(tr("Open one UDP client that sends to the UDP server "
                              "(or double-click the UDP server's socket)"));
    connect(m_spawnUdp, &QAction::triggered, this, [this] { Q_EMIT spawnUdpClientsRequested(1); });
    m_spawnTcpMany = create(tr("Spawn N TCP Clients"));
    m_spawnTcpMany->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    m_spawnTcpMany->setToolTip(tr("Open as many TCP clients as set in the Servers panel"));
    connect(m_spawnTcpMany, &QAction::triggered, this,
            [this, &servers] { Q_EMIT spawnTcpClientsRequested(servers.spawnCount()); });
    m_spawnUdpMany = create(tr("Spawn N UDP Clients"));
    m_spawnUdpMany->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    m_spawnUdpMany->setToolTip(tr("Open as many UDP clients as set in the Servers panel"));
    connect(m_spawnUdpMany, &QAction::triggered, this,
            [this, &servers] { Q_EMIT spawnUdpClientsRequested(servers.spawnCount()); });
}

void MainWindowActions::createFileActions()
{
    m_exportState = create(tr("&Export State…"), QStringLiteral("document-save-as"));
    m_exportState->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportState->setToolTip(
            tr("Save every socket and event as JSON (the same format as --export-state)"));
    m_exportImage = create(tr("Export &Image…"), QStringLiteral("image-x-generic"));
    m_exportImage->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_exportImage->setToolTip(tr("Save the whole diagram as PNG or SVG"));
    m_copyImage = create(tr("&Copy Diagram"), QStringLiteral("edit-copy"));
    m_copyImage->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyImage->setToolTip(tr("Copy the whole diagram to the clipboard as an image"));
}

void MainWindowActions::createViewActions(DiagramView &view, DiagramScene &scene)
{
    m_zoomIn = create(tr("Zoom &In"), QStringLiteral("zoom-in"));
    // Ctrl+= and Ctrl+- size the text (as in a browser); the zoom keeps Ctrl++ (with Shift,
    // or the keypad's +), Ctrl+Shift+- and Ctrl+wheel.
    m_zoomIn->setShortcut(QKeySequence::ZoomIn);
    connect(m_zoomIn, &QAction::triggered, &view, &DiagramView::zoomIn);
    m_zoomOut = create(tr("Zoom &Out"), QStringLiteral("zoom-out"));
    m_zoomOut->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Minus),
                             QKeySequence(Qt::CTRL | Qt::Key_Underscore)});
    connect(m_zoomOut, &QAction::triggered, &view, &DiagramView::zoomOut);
    m_zoomReset = create(tr("&Actual Size"), QStringLiteral("zoom-original"));
    m_zoomReset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(m_zoomReset, &QAction::triggered, &view, &DiagramView::resetZoom);
    m_fit = create(tr("&Fit to Window"), QStringLiteral("zoom-fit-best"));
    m_fit->setToolTip(tr("Show the whole diagram; it stays fitted as sockets come and go "
                         "(Ctrl+0 does this too, and sets the text back to normal size)"));
    connect(m_fit, &QAction::triggered, &view, &DiagramView::fitToWindow);
    m_showAll = create(tr("Show &All Connections"));
    m_showAll->setCheckable(true);
    m_showAll->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_showAll->setToolTip(tr("Draw every connection instead of folding the rest into "
                             "\"+ N more\""));
    connect(m_showAll, &QAction::toggled, &scene, &DiagramScene::setShowAll);
    m_minimap = create(tr("&Minimap"));
    m_minimap->setObjectName(QStringLiteral("minimapAction"));
    m_minimap->setCheckable(true);
    m_minimap->setChecked(true);
    m_minimap->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_minimap->setToolTip(tr("While zoomed in, show the whole diagram small in the "
                             "corner; click or drag in it to move the view"));
    connect(m_minimap, &QAction::toggled, view.minimap(), &DiagramMinimap::setWanted);

    m_wholeHost = create(tr("Whole Host"));
    m_wholeHost->setObjectName(QStringLiteral("wholeHostAction"));
    m_wholeHost->setCheckable(true);
    m_wholeHost->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_wholeHost->setToolTip(tr("List every TCP and UDP socket on this machine, not only "
                               "those on SocketScope's ports"));
    m_kernel = create(tr("Read the &Kernel"));
    m_kernel->setCheckable(true);
    m_kernel->setChecked(true);
    m_kernel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_kernel->setToolTip(tr("Poll the kernel's socket table ten times a second; untick to "
                            "freeze the kernel's view"));
    m_copyRows = create(tr("Copy &Rows"), QStringLiteral("edit-copy"));
    m_copyRows->setShortcut(QKeySequence::Copy);
    m_copyRows->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copyRows->setToolTip(tr("Copy the selected table rows as netstat-like text"));
    m_exportTable = create(tr("Export &Table…"));
    m_exportTable->setToolTip(tr("Save the table, as filtered, as CSV or text"));
}

void MainWindowActions::createTextActions(DiagramView &view, TextScale &textScale)
{
    m_largerText = create(tr("&Larger Text"), QStringLiteral("format-font-size-more"));
    m_largerText->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Equal));
    m_largerText->setToolTip(tr("Write the diagram and the timeline larger, up to 3x, for "
                                "the back of a hall (remembered)"));
    connect(m_largerText, &QAction::triggered, &textScale, &TextScale::stepUp);
    m_smallerText = create(tr("S&maller Text"), QStringLiteral("format-font-size-less"));
    m_smallerText->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    connect(m_smallerText, &QAction::triggered, &textScale, &TextScale::stepDown);
    m_normalText = create(tr("&Normal Text Size"));
    m_normalText->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    m_normalText->setToolTip(tr("Text back to 1x, the whole diagram fitted to the window"));
    connect(m_normalText, &QAction::triggered, &view, [&view, &textScale] {
        textScale.reset();
        view.fitToWindow();
    });
}

void MainWindowActions::createWindowActions(QWidget *window)
{
    m_quit = create(tr("&Quit"), QStringLiteral("application-exit"));
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, window, &QWidget::close);

    m_find = create(tr("&Filter…"), QStringLiteral("edit-find"));
    m_find->setShortcut(QKeySequence::Find);
    m_find->setToolTip(tr("Show only sockets whose row contains the text"));

    m_present = create(tr("&Presentation Mode"), QStringLiteral("view-fullscreen"));
    m_present->setCheckable(true);
    m_present->setShortcut(QKeySequence(Qt::Key_F11));
    m_present->setToolTip(tr("Only the diagram, full screen and as large as it fits, for "
                             "the back row of a lecture hall (F11 or Esc to leave)"));
    // Esc leaves, but never enters: it must stay free for closing menus and dialogs.
    m_leavePresentation = create(tr("Leave Presentation Mode"));
    m_leavePresentation->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leavePresentation->setEnabled(false);
    window->addAction(m_leavePresentation);
    connect(m_leavePresentation, &QAction::triggered, m_present,
            [this] { m_present->setChecked(false); });

    m_about = create(tr("&About SocketScope"));
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, window, [window] {
        QMessageBox::about(
                window, tr("About SocketScope"),
                tr("<h3>SocketScope %1</h3><p>Makes client-server sockets visible: real TCP "
                   "and UDP endpoints on this machine, with the kernel's own view beside "
                   "Qt's.</p><p>Licensed under the MIT licence.</p>")
                        .arg(QCoreApplication::applicationVersion()));
    });
    m_aboutQt = create(tr("About &Qt"));
    m_aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindowActions::fillToolBar(QToolBar *toolBar) const
{
    toolBar->addAction(m_tcpServer);
    toolBar->addAction(m_accept);
    toolBar->addAction(m_spawnTcp);
    toolBar->addSeparator();
    toolBar->addAction(m_udpServer);
    toolBar->addAction(m_spawnUdp);
    toolBar->addSeparator();
    toolBar->addAction(m_fit);
    toolBar->addAction(m_present);
    toolBar->addAction(m_exportImage);
}

QMenu *MainWindowActions::fillMenuBar(QMenuBar *menuBar)
{
    QMenu *fileMenu = menuBar->addMenu(tr("&File"));
    fileMenu->addAction(m_exportState);
    fileMenu->addAction(m_exportImage);
    fileMenu->addAction(m_copyImage);
    fileMenu->addAction(m_exportTable);
    fileMenu->addSeparator();
    fileMenu->addAction(m_quit);

    QMenu *viewMenu = menuBar->addMenu(tr("&View"));
    viewMenu->addAction(m_zoomIn);
    viewMenu->addAction(m_zoomOut);
    viewMenu->addAction(m_zoomReset);
    viewMenu->addAction(m_fit);
    viewMenu->addSeparator();
    viewMenu->addAction(m_largerText);
    viewMenu->addAction(m_smallerText);
    viewMenu->addAction(m_normalText);
    viewMenu->addSeparator();
    viewMenu->addAction(m_showAll);
    viewMenu->addAction(m_minimap);
    viewMenu->addAction(m_present);
    createThemeMenu(viewMenu->addMenu(tr("&Theme")));
    viewMenu->addSeparator();
    viewMenu->addAction(m_find);
    viewMenu->addAction(m_copyRows);
    viewMenu->addAction(m_wholeHost);
    viewMenu->addAction(m_kernel);
    viewMenu->addSeparator();

    QMenu *serverMenu = menuBar->addMenu(tr("&Servers"));
    serverMenu->addAction(m_tcpServer);
    serverMenu->addAction(m_accept);
    serverMenu->addSeparator();
    serverMenu->addAction(m_udpServer);
    QMenu *clientMenu = menuBar->addMenu(tr("&Clients"));
    clientMenu->addAction(m_spawnTcp);
    clientMenu->addAction(m_spawnTcpMany);
    clientMenu->addSeparator();
    clientMenu->addAction(m_spawnUdp);
    clientMenu->addAction(m_spawnUdpMany);

    QMenu *helpMenu = menuBar->addMenu(tr("&Help"));
    helpMenu->addAction(m_about);
    helpMenu->addAction(m_aboutQt);
    return viewMenu;
}

void MainWindowActions::createThemeMenu(QMenu *menu)
{
    menu->setToolTipsVisible(true);
    m_themeGroup = new QActionGroup(this);
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
            {Theme::HighContrast, tr("&High Contrast"),
             tr("Black, white and strong colours, each state still named in its pill: for a "
                "projector that washes colours out")},
    };
    for (const auto &entry : entries) {
        QAction *action = menu->addAction(entry.text);
        action->setObjectName(QStringLiteral("theme-") + themeName(entry.theme));
        action->setToolTip(entry.tip);
        action->setCheckable(true);
        action->setChecked(entry.theme == Theme::System);
        m_themeGroup->addAction(action);
        const Theme theme = entry.theme;
        connect(action, &QAction::triggered, this, [this, theme] {
            m_themes.apply(theme);
            QSettings().setValue(QStringLiteral("view/theme"), themeName(theme));
        });
    }
}

void MainWindowActions::restoreTheme(const QSettings &settings)
{
    const Theme theme = themeFromName(settings.value(QStringLiteral("view/theme")).toString());
    if (theme == Theme::System)
        return;
    m_themes.apply(theme);
    for (QAction *action : m_themeGroup->actions()) {
        if (action->objectName() == QStringLiteral("theme-") + themeName(theme))
            action->setChecked(true);
    }
}

void MainWindowActions::setTcpServerState(bool listening, bool accepting)
{
    m_tcpListening = listening;
    m_tcpServer->setText(listening ? tr("Stop TCP &Server") : tr("Start TCP &Server"));
    m_accept->setEnabled(listening);
    m_accept->setChecked(listening && !accepting);
}

void MainWindowActions::setUdpServerState(bool bound)
{
    m_udpBound = bound;
    m_udpServer->setText(bound ? tr("Stop &UDP Server") : tr("Start &UDP Server"));
}

void MainWindowActions::setKernelViewUnavailable(const QString &why)
{
    for (QAction *action : {m_kernel, m_wholeHost}) {
        action->setEnabled(false);
        action->setToolTip(why);
    }
}

} // namespace SocketScope
