// SPDX-License-Identifier: MIT
#pragma once

#include "neterror.h"
#include "networkcommands.h"
#include "serverpanel.h"
#include "socketaction.h"
#include "socketrecord.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <type_traits>

namespace SocketScope {

class EventLog;
class MainWindow;
class NetworkEngine;

// Connects what the user asks for in the window to the network engine, and the engine's
// state back to the window. The only place that knows both the UI and the network.
class AppController : public QObject
{
    Q_OBJECT
public:
    AppController(NetworkEngine &engine, EventLog &log, MainWindow &window,
                  QObject *parent = nullptr);

    // Start the servers with the window's current settings; errors are shown, not fatal.
    bool startTcpServer(const TcpServerSettings &settings);
    bool startUdpServer(const UdpServerSettings &settings);
    // Whether errors pop up as dialogs (desktop) or only go to the log and failed().
    void setInteractive(bool interactive) { m_interactive = interactive; }
    // The commands the window gives the network; scenarios give the same ones.
    NetworkCommands &commands() { return m_commands; }

Q_SIGNALS:
    // Something the user or the command line asked for could not be done; `message` says
    // what and what to do. Emitted at once (the log reaches the window a frame later), so
    // a headless run can print it and end with a non-zero exit code.
    void failed(const QString &message);

private:
    // Calls the engine in its own thread (the app runs it in another) and waits for the answer.
    template<typename F>
    auto onEngine(F &&f) -> std::invoke_result_t<F, NetworkEngine &>
    {
        return m_commands.ask(std::forward<F>(f));
    }
    void spawnTcp(int count);
    void spawnUdp(int count);
    void performAction(SocketId id, SocketAction action, const QString &text, int number);
    void refreshServerState();
    void refreshDescriptors();
    void report(const NetErrorInfo &error, const QString &title);
    // After a successful bind, with the address the server really holds.
    void warnIfExposed(const QHostAddress &address, const QString &what);
    void offerNextPort(const NetErrorInfo &error, bool tcp);

    NetworkEngine &m_engine;
    EventLog &m_log;
    MainWindow &m_window;
    NetworkCommands m_commands;
    QTimer m_descriptorTimer;
    bool m_interactive = true;
};

} // namespace SocketScope
