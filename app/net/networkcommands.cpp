// SPDX-License-Identifier: MIT
#include "networkcommands.h"

#include "eventlog.h"

namespace SocketScope {

namespace {

QString portText(quint16 port)
{
    return port == 0 ? NetworkCommands::tr("any free port")
                     : NetworkCommands::tr("port %1").arg(port);
}

} // namespace

NetworkCommands::NetworkCommands(NetworkEngine &engine, EventLog &log, QObject *parent)
    : QObject(parent), m_engine(engine), m_log(log)
{ }

QString NetworkCommands::actionText(SocketAction action)
{
    switch (action) {
    case SocketAction::SendText:
        return tr("Send text");
    case SocketAction::SendBurst:
        return tr("Send a burst of datagrams");
    case SocketAction::StartPeriodic:
        return tr("Start sending periodically");
    case SocketAction::StopPeriodic:
        return tr("Stop sending periodically");
    case SocketAction::HalfClose:
        return tr("Half-close (shutdown write)");
    case SocketAction::Close:
        return tr("Close");
    case SocketAction::Abort:
        return tr("Abort (RST)");
    }
    return {};
}

void NetworkCommands::journal(const QString &text, SocketId socket)
{
    LogEvent line;
    line.socket = socket;
    line.message = text;
    line.kind = LogKind::UserCommand;
    m_log.append(line);
}

NetErrorInfo NetworkCommands::startTcpServer(const TcpServerConfig &config)
{
    journal(tr("Start the TCP server on %1, %2, backlog %3, %4%5")
                    .arg(config.address.toString(), portText(config.port))
                    .arg(config.backlog)
                    .arg(behaviourName(config.behaviour),
                         config.reuseAddress ? QString() : tr(", SO_REUSEADDR off")));
    return ask([&](NetworkEngine &net) { return net.startTcpServer(config); });
}

void NetworkCommands::stopTcpServer()
{
    journal(tr("Stop the TCP server"));
    ask([](NetworkEngine &net) { net.stopTcpServer(); });
}

void NetworkCommands::setTcpAccepting(bool accepting)
{
    journal(accepting ? tr("Resume accepting") : tr("Pause accepting"));
    ask([accepting](NetworkEngine &net) { net.setTcpAccepting(accepting); });
}

NetErrorInfo NetworkCommands::startUdpServer(const UdpServerConfig &config)
{
    journal(tr("Start the UDP server on %1, %2, %3")
                    .arg(config.address.toString(), portText(config.port),
                         behaviourName(config.behaviour)));
    return ask([&](NetworkEngine &net) { return net.startUdpServer(config); });
}

void NetworkCommands::stopUdpServer()
{
    journal(tr("Stop the UDP server"));
    ask([](NetworkEngine &net) { net.stopUdpServer(); });
}

NetErrorInfo NetworkCommands::setUdpProcessingDelay(int ms)
{
    return ask([ms](NetworkEngine &net) { return net.setUdpProcessingDelay(ms); });
}

void NetworkCommands::setTcpModel(ConcurrencyModel model)
{
    ask([model](NetworkEngine &net) { net.setTcpModel(model); });
}

void NetworkCommands::setUdpModel(UdpModel model)
{
    ask([model](NetworkEngine &net) { net.setUdpModel(model); });
}

void NetworkCommands::setTcpBehaviour(Behaviour behaviour)
{
    ask([behaviour](NetworkEngine &net) { net.setTcpBehaviour(behaviour); });
}

void NetworkCommands::setUdpBehaviour(Behaviour behaviour)
{
    ask([behaviour](NetworkEngine &net) { net.setUdpBehaviour(behaviour); });
}

SpawnResult NetworkCommands::spawnTcpClients(int count, const TcpSpawnOptions &options)
{
    journal(count == 1 ? tr("Spawn a TCP client") : tr("Spawn %1 TCP clients").arg(count));
    return ask([&](NetworkEngine &net) { return net.spawnTcpClients(count, options); });
}

SpawnResult NetworkCommands::spawnUdpClients(int count, const UdpSpawnOptions &options)
{
    journal(count == 1 ? tr("Spawn a UDP client") : tr("Spawn %1 UDP clients").arg(count));
    return ask([&](NetworkEngine &net) { return net.spawnUdpClients(count, options); });
}

NetErrorInfo NetworkCommands::perform(SocketId id, SocketAction action, const QString &text,
                                      int number)
{
    journal(tr("%1 on socket #%2").arg(actionText(action)).arg(id), id);
    return ask([&](NetworkEngine &net) {
        switch (action) {
        case SocketAction::SendText:
            return net.sendText(id, text);
        case SocketAction::SendBurst:
            return net.sendBurst(id, number, text);
        case SocketAction::StartPeriodic:
            return net.startPeriodic(id, number, text);
        case SocketAction::StopPeriodic:
            return net.stopPeriodic(id);
        case SocketAction::HalfClose:
            return net.halfClose(id);
        case SocketAction::Close:
            return net.close(id);
        case SocketAction::Abort:
            return net.abort(id);
        }
        return NetErrorInfo{};
    });
}

void NetworkCommands::closeAllClients()
{
    journal(tr("Close every client"));
    ask([](NetworkEngine &net) { net.closeAllClients(); });
}

void NetworkCommands::closeEverything(const QString &why)
{
    journal(why);
    ask([](NetworkEngine &net) { net.closeEverything(); });
}

} // namespace SocketScope
