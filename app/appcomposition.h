// SPDX-License-Identifier: MIT
#pragma once

#include "appcontroller.h"
#include "eventjournal.h"
#include "eventlog.h"
#include "kernellink.h"
#include "mainwindow.h"
#include "networkhost.h"
#include "pacer.h"
#include "presentationclock.h"
#include "socketregistry.h"

namespace SocketScope {

class TcpStateMachineView;
class SystemCallLanesView;
class TimelinePanel;

// The program's parts, wired as the window shows them: the live registry and its log, the
// journal of everything that reached them, the network in its own thread mirrored into
// them, the kernel's view merged in, and the presented registry the pacer keeps at the
// moment the lecturer chose, which the window and its docks (state machine, system calls,
// timeline) read on the presentation clock. main() builds one from the command line; the
// end-to-end tests build the same, so they test the window a lecturer gets.
class AppComposition
{
public:
    AppComposition();
    ~AppComposition();
    AppComposition(const AppComposition &) = delete;
    AppComposition &operator=(const AppComposition &) = delete;

    // The registry the kernel merges into and the state export reads: the truth, always live.
    SocketRegistry &registry() { return m_registry; }
    EventLog &log() { return m_log; }
    EventJournal &journal() { return m_journal; }
    NetworkHost &network() { return m_network; }
    KernelLink &kernel() { return m_kernel; }
    // What every view shows: the journal's newest moment while live, else the one chosen.
    SocketRegistry &presented() { return m_presented; }
    Pacer &pacer() { return m_pacer; }
    PresentationClock &presentationClock() { return m_presentationClock; }
    MainWindow &window() { return m_window; }
    AppController &controller() { return m_controller; }
    TcpStateMachineView &stateMachine() { return *m_stateMachine; }
    SystemCallLanesView &systemCalls() { return *m_systemCalls; }
    TimelinePanel &timeline() { return *m_timeline; }

    // What the network did since the last frame, so that exports and checks see all of it:
    // a batch already posted to this thread that no event loop delivered, then what came
    // after it, in that order.
    void syncNow();

private:
    void addDocks();

    SocketRegistry m_registry;
    EventLog m_log;
    EventJournal m_journal;
    NetworkHost m_network; // its engine also raises the open-file limit for many clients
    KernelLink m_kernel;
    SocketRegistry m_presented;
    Pacer m_pacer;
    PresentationClock m_presentationClock;
    MainWindow m_window;
    AppController m_controller;
    TcpStateMachineView *m_stateMachine = nullptr; // owned by their docks, in the window
    SystemCallLanesView *m_systemCalls = nullptr;
    TimelinePanel *m_timeline = nullptr;
};

} // namespace SocketScope
