// SPDX-License-Identifier: MIT
#pragma once

#include "scenario.h"
#include "scenariosockets.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

namespace SocketScope {

class NetworkCommands;
class SocketRegistry;

// How one step went: its kernel expectations, and what else was said while it ran.
struct StepOutcome
{
    int index = -1;
    bool passed = false;
    QList<ScenarioCheck> checks;
    QStringList failures; // an action that failed, or did not fail as the step expected
    QStringList notes; // e.g. the real error text of an expected failure
};

// Plays a scenario's steps on real sockets through NetworkCommands, the window's own
// commands, then checks each step's expectations on the live registry with the kernel's
// view merged in. Steps run in order from the first: "tcp-client 2" means the second TCP
// client this run spawned. Everything is asynchronous; the event loop keeps serving.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    // `refresh` brings the live registry up to date: the network's newest batch, and a
    // kernel poll (whose answer may come a little later).
    ScenarioRunner(NetworkCommands &commands, SocketRegistry &live, std::function<void()> refresh,
                   QObject *parent = nullptr);

    void setScenario(const Scenario &scenario);
    const Scenario &scenario() const { return m_scenario; }
    // Ports the command line chose, in place of every fixed port the file names.
    void setPortOverrides(std::optional<quint16> tcp, std::optional<quint16> udp);
    // How long a step's expectations may take to come true after its last action.
    void setSettleTimeout(int ms) { m_settleTimeoutMs = ms; }

    // Runs the next step; stepFinished() follows. Only while not running.
    void runNextStep();
    int stepsRun() const { return m_nextStep; }
    bool isRunning() const { return m_running; }
    // Closes every socket of ours and forgets the clients: the next step is the first again,
    // on fresh sockets.
    void restart();
    const ScenarioSockets &sockets() const { return m_sockets; }

Q_SIGNALS:
    void stepStarted(int index);
    void actionStarted(int step, int action, const QString &description);
    void stepFinished(const SocketScope::StepOutcome &outcome);

private:
    const ScenarioStep &currentStep() const { return m_scenario.steps.at(m_nextStep); }
    void runActions();
    // Runs one action; false when it must be waited for (waitTick() goes on).
    bool perform(const ScenarioAction &action);
    void startServer(const ScenarioAction &action);
    void spawn(const ScenarioAction &action);
    void connectToClosedPort();
    bool socketAction(const ScenarioAction &action);
    void expectedFailure(const ScenarioAction &action, const NetErrorInfo &error);
    void waitTick();
    void checkTick();
    void finishStep();

    NetworkCommands &m_commands;
    std::function<void()> m_refresh;
    ScenarioSockets m_sockets;
    Scenario m_scenario;
    std::optional<quint16> m_tcpPortOverride;
    std::optional<quint16> m_udpPortOverride;
    quint16 m_lastTcpPort = 0;
    quint16 m_lastUdpPort = 0;
    int m_settleTimeoutMs = 3000;

    int m_nextStep = 0;
    bool m_running = false;
    qsizetype m_action = 0;
    StepOutcome m_outcome;
    QHash<QString, quint64> m_countersAtStart;
    QTimer m_tick; // polls a wait, a socket getting ready, or the expectations settling
    QElapsedTimer m_waited;
    enum class Waiting { Nothing, Action, Expectations } m_waiting = Waiting::Nothing;
};

} // namespace SocketScope
