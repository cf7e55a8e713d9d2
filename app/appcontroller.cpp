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

namespace {

QString portText(int port)
{
    return port == 0 ? AppController::tr("any free port") : AppController::tr("port %1").arg(port);
}

QString socketActionText(SocketAction action)
{
    switch (action) {
    case SocketAction::SendText:
        return AppController::tr("Send text");
    case SocketAction::SendBurst:
        return AppController::tr("Send a burst of datagrams");
    case SocketAction::StartPeriodic:
        return AppController::tr("Start sending periodically");
    case SocketAction::StopPeriodic:
        return AppController::tr("Stop sending periodically");
    case SocketAction::HalfClose:
        return AppController::tr("Half-close (shutdown write)");
    case SocketAction::Close:
        return AppController::tr("Close");
    case SocketAction::Abort:
        return AppController::tr("Abort (RST)");
    }
    return {};
}

} // namespace

template<typename F>
auto AppController::onEngine(F &&f) -> std::invoke_result_t<F, NetworkEngine &>
{
    return callInThreadOf(&m_engine, [this, &f] { return f(m_engine); });
}

AppController::AppController(NetworkEngine &engine, EventLog &log, MainWindow &window,
                             QObject *parent)
    : QObject(parent), m_engine(engine), m_log(log), m_window(window)
{
    ServerPanel *panel = window.serverPanel();
    connect(panel, &ServerPanel::tcpStartRequested, this, &AppController::startTcpServer);
    connect(panel, &ServerPanel::tcpStopRequested, this, [this] {
        command(tr("Stop the TCP server"));
        onEngine([](NetworkEngine &net) { net.stopTcpServer(); });
    });
    connect(panel, &ServerPanel::tcpAcceptingRequested, this, [this](bool accepting) {
        command(accepting ? tr("Resume accepting") : tr("Pause accepting"));
        onEngine([accepting](NetworkEngine &net) { net.setTcpAccepting(accepting); });
    });
    connect(panel, &ServerPanel::udpStartRequested, this, &AppController::startUdpServer);
    connect(panel, &ServerPanel::udpStopRequested, this, [this] {
        command(tr("Stop the UDP server"));
        onEngine([](NetworkEngine &net) { net.stopUdpServer(); });
    });
    connect(panel, &ServerPanel::udpDelayChanged, this, [this](int ms) {
        report(onEngine([&](NetworkEngine &net) { return net.setUdpProcessingDelay(ms); }),
               tr("UDP server"));
    });
    connect(panel, &ServerPanel::tcpBehaviourChanged, this, [this](const QString &name) {
        if (const auto behaviour = behaviourFromName(name))
            onEngine([&](NetworkEngine &net) { return net.setTcpBehaviour(*behaviour); });
    });
    connect(panel, &ServerPanel::udpBehaviourChanged, this, [this](const QString &name) {
        if (const auto behaviour = behaviourFromName(name))
            onEngine([&](NetworkEngine &net) { return net.setUdpBehaviour(*behaviour); });
    });
    panel->setTcpModel(
            concurrencyModelName(onEngine([](NetworkEngine &net) { return net.tcpModel(); })));
    panel->setUdpModel(udpModelName(onEngine([](NetworkEngine &net) { return net.udpModel(); })));
    connect(panel, &ServerPanel::holdCloseWaitChanged, &engine, &NetworkEngine::setHoldCloseWait);
    connect(panel, &ServerPanel::tcpModelChanged, this, [this](const QString &name) {
        if (const auto model = concurrencyModelFromName(name))
            onEngine([&](NetworkEngine &net) { return net.setTcpModel(*model); });
    });
    connect(panel, &ServerPanel::udpModelChanged, this, [this](const QString &name) {
        if (const auto model = udpModelFromName(name))
            onEngine([&](NetworkEngine &net) { return net.setUdpModel(*model); });
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

void AppController::command(const QString &text, SocketId socket)
{
    LogEvent line;
    line.socket = socket;
    line.message = text;
    line.kind = LogKind::UserCommand;
    m_log.append(line);
}

bool AppController::startTcpServer(const TcpServerSettings &settings)
{
    command(tr("Start the TCP server on %1, %2, backlog %3, %4")
                    .arg(settings.address, portText(settings.port))
                    .arg(settings.backlog)
                    .arg(settings.behaviour));
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
    const NetErrorInfo error
            = onEngine([&](NetworkEngine &net) { return net.startTcpServer(config); });
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
    command(tr("Start the UDP server on %1, %2, %3")
                    .arg(settings.address, portText(settings.port), settings.behaviour));
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
    const NetErrorInfo error
            = onEngine([&](NetworkEngine &net) { return net.startUdpServer(config); });
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
    command(count == 1 ? tr("Spawn a TCP client") : tr("Spawn %1 TCP clients").arg(count));
    const SpawnResult result
            = onEngine([&](NetworkEngine &net) { return net.spawnTcpClients(count); });
    report(result.stopReason, tr("TCP clients"));
}

void AppController::spawnUdp(int count)
{
    command(count == 1 ? tr("Spawn a UDP client") : tr("Spawn %1 UDP clients").arg(count));
    const SpawnResult result
            = onEngine([&](NetworkEngine &net) { return net.spawnUdpClients(count); });
    report(result.stopReason, tr("UDP clients"));
}

void AppController::performAction(SocketId id, SocketAction action, const QString &text, int number)
{
    command(tr("%1 on socket #%2").arg(socketActionText(action)).arg(id), id);
    NetErrorInfo error;
    switch (action) {
    case SocketAction::SendText:
        error = onEngine([&](NetworkEngine &net) { return net.sendText(id, text); });
        break;
    case SocketAction::SendBurst:
        error = onEngine([&](NetworkEngine &net) { return net.sendBurst(id, number, text); });
        break;
    case SocketAction::StartPeriodic:
        error = onEngine([&](NetworkEngine &net) { return net.startPeriodic(id, number, text); });
        break;
    case SocketAction::StopPeriodic:
        error = onEngine([&](NetworkEngine &net) { return net.stopPeriodic(id); });
        break;
    case SocketAction::HalfClose:
        error = onEngine([&](NetworkEngine &net) { return net.halfClose(id); });
        break;
    case SocketAction::Close:
        error = onEngine([&](NetworkEngine &net) { return net.close(id); });
        break;
    case SocketAction::Abort:
        error = onEngine([&](NetworkEngine &net) { return net.abort(id); });
        break;
    }
    report(error, tr("Socket action"));
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
