// SPDX-License-Identifier: MIT
#include "scenariorunner.h"

#include "kernelcounters.h"
#include "networkcommands.h"
#include "socketregistry.h"

#include <QTcpServer>

namespace SocketScope {

namespace {

// Often enough that a headless run of the tour takes seconds, rarely enough to stay cheap.
constexpr int TickMs = 25;
// How long a socket may take to be ready for what a step does with it (a client connecting).
constexpr int SocketReadyTimeoutMs = 5000;

} // namespace

ScenarioRunner::ScenarioRunner(NetworkCommands &commands, SocketRegistry &live,
                               std::function<void()> refresh, QObject *parent)
    : QObject(parent), m_commands(commands), m_refresh(std::move(refresh)), m_sockets(live)
{
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (m_waiting == Waiting::Action)
            waitTick();
        else if (m_waiting == Waiting::Expectations)
            checkTick();
    });
}

void ScenarioRunner::setScenario(const Scenario &scenario)
{
    m_scenario = scenario;
    m_nextStep = 0;
    m_sockets.clear();
}

void ScenarioRunner::setPortOverrides(std::optional<quint16> tcp, std::optional<quint16> udp)
{
    m_tcpPortOverride = tcp;
    m_udpPortOverride = udp;
}

void ScenarioRunner::restart()
{
    m_tick.stop();
    m_waiting = Waiting::Nothing;
    m_running = false;
    m_commands.closeEverything(tr("Start the scenario again, on fresh sockets"));
    m_sockets.clear();
    m_nextStep = 0;
    m_lastTcpPort = m_lastUdpPort = 0;
}

void ScenarioRunner::runNextStep()
{
    if (m_running || m_nextStep >= m_scenario.steps.size())
        return;
    m_running = true;
    m_outcome = StepOutcome();
    m_outcome.index = m_nextStep;
    m_action = 0;
    m_countersAtStart = KernelCounters::read();
    Q_EMIT stepStarted(m_nextStep);
    runActions();
}

void ScenarioRunner::runActions()
{
    const ScenarioStep &step = currentStep();
    while (m_action < step.actions.size() && m_outcome.failures.isEmpty()) {
        const ScenarioAction &action = step.actions.at(m_action);
        Q_EMIT actionStarted(m_nextStep, static_cast<int>(m_action), action.describe());
        m_waited.start();
        if (!perform(action)) {
            m_waiting = Waiting::Action;
            m_tick.start();
            return;
        }
        ++m_action;
    }
    m_waiting = Waiting::Expectations;
    m_waited.start();
    m_tick.start();
    checkTick();
}

bool ScenarioRunner::perform(const ScenarioAction &action)
{
    using K = ScenarioActionKind;
    switch (action.kind) {
    case K::StartTcpServer:
    case K::StartUdpServer:
        startServer(action);
        return true;
    case K::StopTcpServer:
        m_commands.stopTcpServer();
        return true;
    case K::StopUdpServer:
        m_commands.stopUdpServer();
        return true;
    case K::PauseAccepting:
    case K::ResumeAccepting:
        m_commands.setTcpAccepting(action.kind == K::ResumeAccepting);
        return true;
    case K::SetUdpDelay:
        if (const NetErrorInfo error = m_commands.setUdpProcessingDelay(action.delayMs);
            error.isError())
            m_outcome.failures << error.message;
        return true;
    case K::SetTcpModel:
        m_commands.setTcpModel(*action.model);
        return true;
    case K::SetUdpModel:
        m_commands.setUdpModel(*action.udpModel);
        return true;
    case K::SpawnTcpClients:
    case K::SpawnUdpClients:
        spawn(action);
        return true;
    case K::ConnectToClosedPort:
        connectToClosedPort();
        return true;
    case K::SocketAction:
        return socketAction(action);
    case K::WaitUntil: {
        const ScenarioCheck check = m_sockets.check(action.until, m_countersAtStart);
        if (check.unknowable) {
            m_outcome.notes << tr("Not waited for: %1 (this machine gives no kernel view)")
                                       .arg(action.until.text());
            return true;
        }
        return check.passed;
    }
    case K::Wait:
        return m_waited.elapsed() >= action.ms;
    }
    return true;
}

void ScenarioRunner::startServer(const ScenarioAction &action)
{
    const bool tcp = action.kind == ScenarioActionKind::StartTcpServer;
    const quint16 previous = tcp ? m_lastTcpPort : m_lastUdpPort;
    if (action.previousPort && previous == 0) {
        m_outcome.failures << tr(R"(%1: "port": "previous", but no %2 server ran before it)")
                                      .arg(action.path,
                                           tcp ? QStringLiteral("TCP") : QStringLiteral("UDP"));
        return;
    }
    const std::optional<quint16> override = tcp ? m_tcpPortOverride : m_udpPortOverride;
    const quint16 port
            = action.previousPort ? previous : override.value_or(static_cast<quint16>(action.port));
    NetErrorInfo error;
    if (tcp) {
        if (action.model)
            m_commands.setTcpModel(*action.model);
        TcpServerConfig config;
        config.address = action.address;
        config.port = port;
        config.backlog = action.backlog;
        config.behaviour = action.behaviour;
        config.reuseAddress = action.reuseAddress;
        error = m_commands.startTcpServer(config);
        if (!error.isError())
            m_lastTcpPort = m_commands.ask(
                    [](NetworkEngine &net) { return net.tcpServerEndpoint().port; });
    } else {
        if (action.udpModel)
            m_commands.setUdpModel(*action.udpModel);
        UdpServerConfig config;
        config.address = action.address;
        config.port = port;
        config.behaviour = action.behaviour;
        config.processingDelayMs = action.delayMs;
        error = m_commands.startUdpServer(config);
        if (!error.isError())
            m_lastUdpPort = m_commands.ask(
                    [](NetworkEngine &net) { return net.udpServerEndpoint().port; });
    }
    if (action.expectError)
        expectedFailure(action, error);
    else if (error.isError())
        m_outcome.failures << error.message;
}

void ScenarioRunner::expectedFailure(const ScenarioAction &action, const NetErrorInfo &error)
{
    if (error.error == *action.expectError) {
        m_outcome.notes << tr("Failed as expected: %1").arg(error.message);
        return;
    }
    m_outcome.failures << (error.isError()
                                   ? tr("%1 was to fail with %2, but failed otherwise: %3")
                                             .arg(action.describe(),
                                                  netErrorCode(*action.expectError), error.message)
                                   : tr("%1 was to fail with %2, but it succeeded")
                                             .arg(action.describe(),
                                                  netErrorCode(*action.expectError)));
}

void ScenarioRunner::spawn(const ScenarioAction &action)
{
    SpawnResult result;
    if (action.kind == ScenarioActionKind::SpawnTcpClients) {
        TcpSpawnOptions options;
        options.client.localAddress = action.from;
        result = m_commands.spawnTcpClients(action.count, options);
        m_sockets.addClients(Protocol::Tcp, result.ids);
    } else {
        UdpSpawnOptions options;
        options.client.localAddress = action.from;
        options.client.connected = action.connected;
        result = m_commands.spawnUdpClients(action.count, options);
        m_sockets.addClients(Protocol::Udp, result.ids);
    }
    if (!result.complete())
        m_outcome.failures << result.stopReason.message;
}

void ScenarioRunner::connectToClosedPort()
{
    // A port free this moment: bound by nobody, so the kernel answers the SYN with a RST.
    quint16 port = 0;
    {
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, 0))
            port = probe.serverPort();
    }
    if (port == 0) {
        m_outcome.failures << tr("Found no free port to connect to.");
        return;
    }
    TcpSpawnOptions options;
    options.server = Endpoint{QHostAddress(QHostAddress::LocalHost), port};
    const SpawnResult result = m_commands.spawnTcpClients(1, options);
    m_sockets.addClients(Protocol::Tcp, result.ids);
    if (!result.complete())
        m_outcome.failures << result.stopReason.message;
}

bool ScenarioRunner::socketAction(const ScenarioAction &action)
{
    if (const QString unknown = m_sockets.unknownReason(action.socket); !unknown.isEmpty()) {
        m_outcome.failures << tr("%1: %2").arg(action.path, unknown);
        return true;
    }
    const SocketRecord *record = m_sockets.find(action.socket);
    if (!record)
        return false; // not there yet: an accepted socket the server has not taken
    const SocketId id = record->id;
    const SocketActions available
            = m_commands.ask([id](NetworkEngine &net) { return net.availableActions(id); });
    if (!available.testFlag(action.socketAction))
        return false; // not ready: a client still connecting
    if (const NetErrorInfo error
        = m_commands.perform(id, action.socketAction, action.text, action.number);
        error.isError())
        m_outcome.failures << error.message;
    return true;
}

void ScenarioRunner::waitTick()
{
    m_refresh();
    m_sockets.learnTuples();
    const ScenarioAction &action = currentStep().actions.at(m_action);
    if (perform(action)) {
        m_tick.stop();
        m_waiting = Waiting::Nothing;
        ++m_action;
        runActions();
        return;
    }
    const int timeout = action.kind == ScenarioActionKind::WaitUntil ? action.timeoutMs
                        : action.kind == ScenarioActionKind::Wait    ? action.ms + 1000
                                                                     : SocketReadyTimeoutMs;
    if (m_waited.elapsed() < timeout)
        return;
    m_tick.stop();
    if (action.kind == ScenarioActionKind::WaitUntil) {
        const ScenarioCheck check = m_sockets.check(action.until, m_countersAtStart);
        m_outcome.failures << tr("Waited %1 s for %2; %3")
                                      .arg(action.timeoutMs / 1000.0)
                                      .arg(action.until.text(), check.actual);
    } else {
        const SocketRecord *record = m_sockets.find(action.socket);
        m_outcome.failures << (record ? tr("%1 could not %2 within %3 s: it is in %4")
                                                .arg(action.socket.text(),
                                                     ScenarioAction::actionName(
                                                             action.socketAction))
                                                .arg(SocketReadyTimeoutMs / 1000)
                                                .arg(stateName(record->effectiveState()))
                                      : tr("%1 did not appear within %2 s")
                                                .arg(action.socket.text())
                                                .arg(SocketReadyTimeoutMs / 1000));
    }
    // The rest of the step's actions are not run; its expectations still say what is there.
    m_action = currentStep().actions.size();
    runActions();
}

void ScenarioRunner::checkTick()
{
    m_refresh();
    m_sockets.learnTuples();
    QList<ScenarioCheck> checks;
    bool settled = true;
    for (const SocketCondition &condition : currentStep().expectations) {
        checks << m_sockets.check(condition, m_countersAtStart);
        settled = settled && (checks.last().passed || checks.last().unknowable);
    }
    m_outcome.checks = checks;
    if (settled || m_waited.elapsed() >= m_settleTimeoutMs)
        finishStep();
}

void ScenarioRunner::finishStep()
{
    m_tick.stop();
    m_waiting = Waiting::Nothing;
    bool passed = m_outcome.failures.isEmpty();
    for (const ScenarioCheck &check : std::as_const(m_outcome.checks))
        passed = passed && (check.passed || check.unknowable);
    m_outcome.passed = passed;
    ++m_nextStep;
    m_running = false;
    Q_EMIT stepFinished(m_outcome);
}

} // namespace SocketScope
