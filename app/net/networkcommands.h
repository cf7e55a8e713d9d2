// SPDX-License-Identifier: MIT
#pragma once

#include "networkengine.h"
#include "socketaction.h"
#include "threadcall.h"

#include <QObject>

#include <type_traits>

namespace SocketScope {

class EventLog;

// What a lecturer can ask the network to do, from the window or from a scenario: each
// command is journaled in the user's words (LogKind::UserCommand) before it is done, then
// run in the engine's own thread, and its result returned. The window and the scenario
// runner both go through here, so a scenario does exactly what the same clicks would do.
class NetworkCommands : public QObject
{
    Q_OBJECT
public:
    NetworkCommands(NetworkEngine &engine, EventLog &log, QObject *parent = nullptr);

    NetErrorInfo startTcpServer(const TcpServerConfig &config);
    void stopTcpServer();
    void setTcpAccepting(bool accepting);
    NetErrorInfo startUdpServer(const UdpServerConfig &config);
    void stopUdpServer();
    NetErrorInfo setUdpProcessingDelay(int ms);
    void setTcpModel(ConcurrencyModel model);
    void setUdpModel(UdpModel model);
    void setTcpBehaviour(Behaviour behaviour);
    void setUdpBehaviour(Behaviour behaviour);
    SpawnResult spawnTcpClients(int count, const TcpSpawnOptions &options = {});
    SpawnResult spawnUdpClients(int count, const UdpSpawnOptions &options = {});
    // `text` for the sends, `number` the burst's count or the period in ms.
    NetErrorInfo perform(SocketId id, SocketAction action, const QString &text = {},
                         int number = 0);
    void closeAllClients();
    // A fresh start: every socket of ours closed, both servers stopped (one journal line).
    void closeEverything(const QString &why);

    // A question for the engine, answered in its thread (no journal line: nothing changes).
    template<typename F>
    auto ask(F &&f) -> std::invoke_result_t<F, NetworkEngine &>
    {
        return callInThreadOf(&m_engine, [this, &f] { return f(m_engine); });
    }

    static QString actionText(SocketAction action);

private:
    void journal(const QString &text, SocketId socket = InvalidSocketId);

    NetworkEngine &m_engine;
    EventLog &m_log;
};

} // namespace SocketScope
