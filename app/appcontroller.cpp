// SPDX-License-Identifier: MIT
#include "appcontroller.h"

#include "eventlog.h"
#include "mainwindow.h"
#include "netinput.h"
#include "networkengine.h"
#include "threadcall.h"

#include <QMessageBox>
#include <QPushButton>

namespace SocketScope {

AppController::AppController(NetworkEngine &engine, EventLog &log, MainWindow &window,
                             QObject *parent)
    : QObject(parent), m_engine(engine), m_log(log), m_window(window), m_commands(engine, log)
{
    ServerPanel *panel = window.serverPanel();
    connect(panel, &ServerPanel::tcpStartRequested, this, &AppController::startTcpServer);
    connect(panel, &ServerPanel::tcpStopRequested, &m_commands, &NetworkCommands::stopTcpServer);
    connect(panel, &ServerPanel::tcpAcceptingRequested, &m_commands,
            &NetworkCommands::setTcpAccepting);
    connect(panel, &ServerPanel::udpStartRequested, this, &AppController::startUdpServer);
    connect(panel, &ServerPanel::udpStopRequested, &m_commands, &NetworkCommands::stopUdpServer);
    connect(panel, &ServerPanel::udpDelayChanged, this,
            [this](int ms) { report(m_commands.setUdpProcessingDelay(ms), tr("UDP server")); });
    connect(panel, &ServerPanel::tcpBehaviourChanged, this, [this](const QString &name) {
        if (const auto behaviour = behaviourFromName(name))
            m_commands.setTcpBehaviour(*behaviour);
    });
    connect(panel, &ServerPanel::udpBehaviourChanged, this, [this](const QString &name) {
        if (const auto behaviour = behaviourFromName(name))
            m_commands.setUdpBehaviour(*behaviour);
    });
    panel->setTcpModel(
            concurrencyModelName(onEngine([](NetworkEngine &net) { return net.tcpModel(); })));
    panel->setUdpModel(udpModelName(onEngine([](NetworkEngine &net) { return net.udpModel(); })));
    connect(panel, &ServerPanel::holdCloseWaitChanged, &engine, &NetworkEngine::setHoldCloseWait);
    connect(panel, &ServerPanel::tcpModelChanged, this, [this](const QString &name) {
        if (const auto model = concurrencyModelFromName(name))
            m_commands.setTcpModel(*model);
    });
    connect(panel, &ServerPanel::udpModelChanged, this, [this](const QString &name) {
        if (const auto model = udpModelFromName(name))
            m_commands.setUdpModel(*model);
    });
    connect(&window, &MainWindow::spawnTcpClientsRequested, this, &AppController::spawnTcp);
    connect(&window, &MainWindow::spawnUdpClientsRequested, this, &AppController::spawnUdp);
    connect(&window, &MainWindow::socketActionRequested, this, &AppController::performAction);
    window.setSocketActionProvider([this](SocketId id) {
        return onEngine([&](NetworkEngine &net) { return net.availableActions(id); });
    });

    connect(&engine, &NetworkEngine::tcpServerChanged, this, &AppController::refreshServerState);
    connect(&engine, &NetworkEngine::udpServerChanged, this, &AppController::refreshServerState);
    // Counting descriptors lists /proc/self/fd: once per burst of client changes is plenty.
    m_descriptorTimer.setSingleShot(true);
    m_descriptorTimer.setInterval(250);
    connect(&m_descriptorTimer, &QTimer::timeout, this, &AppController::refreshDescriptors);
    connect(&engine, &NetworkEngine::clientsChanged, &m_descriptorTimer,
            qOverload<>(&QTimer::start));
    refreshServerState();
    refreshDescriptors();
}

bool AppController::startTcpServer(const TcpServerSettings &settings)
{
    const Parsed<QHostAddress> address = parseAddress(settings.address);
    if (!address.ok()) {
        report(NetErrorInfo(NetError::InvalidInput, address.error), tr("TCP server"));
        return false;
    }
    const Parsed<Behaviour> behaviour = parseBehaviour(settings.behaviour);
    TcpServerConfig config;
    config.address = *address.value;
    config.port = static_cast<quint16>(qBound(0, settings.port, 65535));
    config.backlog = settings.backlog;
    config.behaviour = behaviour.value.value_or(Behaviour::Echo);
    const NetErrorInfo error = m_commands.startTcpServer(config);
    if (error.error == NetError::PortInUse && error.suggestedPort) {
        offerNextPort(error, true);
        return false;
    }
    report(error, tr("TCP server"));
    if (error.isError())
        return false;
    warnIfExposed(onEngine([](NetworkEngine &net) { return net.tcpServerEndpoint(); }).address,
                  tr("TCP server"));
    return true;
}

bool AppController::startUdpServer(const UdpServerSettings &settings)
{
    const Parsed<QHostAddress> address = parseAddress(settings.address);
    if (!address.ok()) {
        report(NetErrorInfo(NetError::InvalidInput, address.error), tr("UDP server"));
        return false;
    }
    UdpServerConfig config;
    config.address = *address.value;
    config.port = static_cast<quint16>(qBound(0, settings.port, 65535));
    config.behaviour = parseBehaviour(settings.behaviour).value.value_or(Behaviour::Echo);
    config.processingDelayMs = settings.delayMs;
    const NetErrorInfo error = m_commands.startUdpServer(config);
    if (error.error == NetError::PortInUse && error.suggestedPort) {
        offerNextPort(error, false);
        return false;
    }
    report(error, tr("UDP server"));
    if (error.isError())
        return false;
    warnIfExposed(onEngine([](NetworkEngine &net) { return net.udpServerEndpoint(); }).address,
                  tr("UDP server"));
    return true;
}

void AppController::warnIfExposed(const QHostAddress &address, const QString &what)
{
    if (address.isLoopback())
        return;
    // Loopback is the default for a reason: a lecture hall's network is not ours to serve.
    m_log.append(EventSeverity::Warning,
                 tr("%1 on %2 is reachable from other machines, not only this one. Use "
                    "127.0.0.1 unless you mean to expose it.")
                         .arg(what, address.toString()));
}

void AppController::spawnTcp(int count)
{
    report(m_commands.spawnTcpClients(count).stopReason, tr("TCP clients"));
}

void AppController::spawnUdp(int count)
{
    report(m_commands.spawnUdpClients(count).stopReason, tr("UDP clients"));
}

void AppController::performAction(SocketId id, SocketAction action, const QString &text, int number)
{
    report(m_commands.perform(id, action, text, number), tr("Socket action"));
}

void AppController::refreshServerState()
{
    struct ServerState
    {
        bool listening = false;
        bool accepting = false;
        Endpoint tcp;
        bool bound = false;
        Endpoint udp;
    };
    // One hop into the network thread for all of it.
    const ServerState state = onEngine([](NetworkEngine &net) {
        return ServerState{net.isTcpListening(), net.isTcpAccepting(), net.tcpServerEndpoint(),
                           net.isUdpBound(), net.udpServerEndpoint()};
    });
    m_window.setTcpServerState(state.listening, state.accepting, state.tcp.toString());
    m_window.setUdpServerState(state.bound, state.udp.toString());
}

void AppController::refreshDescriptors()
{
    m_window.setDescriptorInfo(
            onEngine([&](NetworkEngine &net) { return net.descriptorBudget(); }).describe());
}

void AppController::report(const NetErrorInfo &error, const QString &title)
{
    // The engine has logged it already; the window's status bar shows every logged error.
    if (!error.isError())
        return;
    Q_EMIT failed(error.message);
    if (!m_interactive)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, title, error.message, QMessageBox::Ok,
                                &m_window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // not exec(): the sockets keep being served while the message is up
}

void AppController::offerNextPort(const NetErrorInfo &error, bool tcp)
{
    const quint16 port = *error.suggestedPort;
    Q_EMIT failed(error.message);
    if (!m_interactive)
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tcp ? tr("TCP server") : tr("UDP server"),
                                error.message, QMessageBox::Cancel, &m_window);
    QPushButton *use = box->addButton(tr("Use Port %1").arg(port), QMessageBox::AcceptRole);
    box->setDefaultButton(use);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, use, port, tcp] {
        if (box->clickedButton() != use)
            return;
        ServerPanel *panel = m_window.serverPanel();
        if (tcp) {
            TcpServerSettings settings = panel->tcpSettings();
            settings.port = port;
            panel->setTcpSettings(settings);
            startTcpServer(settings);
        } else {
            UdpServerSettings settings = panel->udpSettings();
            settings.port = port;
            panel->setUdpSettings(settings);
            startUdpServer(settings);
        }
    });
    box->open();
}

} // namespace SocketScope
