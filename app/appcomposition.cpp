// SPDX-License-Identifier: MIT
#include "appcomposition.h"

#include "diagramscene.h"
#include "playbackbar.h"
#include "socketinspector.h"
#include "socketselection.h"
#include "sockettablemodel.h"
#include "systemcalllanes.h"
#include "tcpstatemachineview.h"
#include "textscale.h"
#include "timelinepanel.h"
#include "timelineview.h"

#include <QCoreApplication>
#include <QDockWidget>

namespace SocketScope {

AppComposition::AppComposition()
    : m_journal(m_registry, &m_log),
      m_kernel(m_registry, m_log),
      m_pacer(m_journal, m_presented),
      m_presentationClock(PresentationClock::monotonicNs, &m_pacer),
      m_window(m_presented, m_log),
      m_controller(m_network.engine(), m_log, m_window)
{
    // The journal holds everything from the first line on.
    m_log.append(EventSeverity::Info, QStringLiteral("SocketScope %1 started (pid %2)")
                                              .arg(QCoreApplication::applicationVersion())
                                              .arg(QCoreApplication::applicationPid()));
    // What changes in the network's thread reaches the registry and log once per frame.
    m_network.mirrorInto(m_registry, m_log);
    m_kernel.start();
    m_window.diagramScene()->setPresentationClock(m_presentationClock);
    m_window.socketInspector()->setPresentationClock(m_presentationClock);
    m_window.tableModel()->setWallClock([this] { return m_presentationClock.wallTime(); });
    m_window.showLogOf(m_journal);
    // A row of its own: at 1280x720 beside the main toolbar it would fold away, and the
    // marker that says the picture is behind must never be out of sight.
    m_window.addToolBarBreak();
    m_window.addToolBar(new PlaybackBar(m_pacer, &m_window));
    addDocks();
    QObject::connect(&m_window, &MainWindow::wholeHostRequested, &m_kernel,
                     &KernelLink::setWholeHost);
    QObject::connect(&m_window, &MainWindow::kernelPollingRequested, &m_kernel,
                     &KernelLink::setPolling);
    setKernelViewAvailable(m_kernel.isAvailable());
    if (!m_kernel.isAvailable())
        m_window.setKernelViewUnavailable(m_kernel.unavailableReason());
}

AppComposition::~AppComposition() = default;

void AppComposition::addDocks()
{
    auto *stateMachineDock = new QDockWidget(QObject::tr("TCP State Machine"), &m_window);
    stateMachineDock->setObjectName(QStringLiteral("tcpStateMachineDock"));
    m_stateMachine = new TcpStateMachineView(m_journal, m_presented, &m_pacer, stateMachineDock);
    stateMachineDock->setWidget(m_stateMachine);
    m_stateMachine->setExactTransitions(m_kernel.followsExactTransitions(),
                                        m_kernel.exactTransitionsReason());
    QObject::connect(&m_window.selection(), &SocketSelection::currentChanged, m_stateMachine,
                     &TcpStateMachineView::setSocket);
    m_window.addBottomDock(stateMachineDock, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M),
                           QObject::tr("Show or hide the TCP state machine with the selected "
                                       "socket's state lit and the path it took"));

    auto *systemCallsDock = new QDockWidget(QObject::tr("System Calls"), &m_window);
    systemCallsDock->setObjectName(QStringLiteral("systemCallsDock"));
    m_systemCalls = new SystemCallLanesView(m_journal, m_presented, &m_pacer, systemCallsDock);
    systemCallsDock->setWidget(m_systemCalls);
    QObject::connect(&m_window.selection(), &SocketSelection::currentChanged, m_systemCalls,
                     &SystemCallLanesView::setSocket);
    m_window.addBottomDock(systemCallsDock, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Y),
                           QObject::tr("Show or hide the selected socket's system calls "
                                       "(socket, bind, listen, accept, connect, read, write, "
                                       "close) and the Qt calls that made them"));

    auto *timelineDock = new QDockWidget(QObject::tr("Timeline"), &m_window);
    timelineDock->setObjectName(QStringLiteral("timelineDock"));
    m_timeline = new TimelinePanel(m_journal, &m_pacer, timelineDock);
    timelineDock->setWidget(m_timeline);
    m_timeline->view()->setTextScale(m_window.textScale().value());
    QObject::connect(&m_window.textScale(), &TextScale::changed, m_timeline->view(),
                     &TimelineView::setTextScale);
    m_window.addBottomDock(timelineDock, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
                           QObject::tr("Show or hide the event timeline: one lane per socket, "
                                       "arrows for what crossed; click an event to see then"));
}

void AppComposition::syncNow()
{
    QCoreApplication::sendPostedEvents(&m_registry, QEvent::MetaCall);
    m_network.syncNow(m_registry, m_log);
}

} // namespace SocketScope
