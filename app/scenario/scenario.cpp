// SPDX-License-Identifier: MIT
#include "scenario.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::Scenario", text);
}

} // namespace

QString SocketRef::text() const
{
    switch (kind) {
    case Kind::Listener:
        return QStringLiteral("listener");
    case Kind::UdpServer:
        return QStringLiteral("udp-server");
    case Kind::TcpClient:
        return QStringLiteral("tcp-client %1").arg(number);
    case Kind::UdpClient:
        return QStringLiteral("udp-client %1").arg(number);
    case Kind::Accepted:
        return QStringLiteral("accepted %1").arg(number);
    }
    return {};
}

std::optional<SocketRef> SocketRef::parse(const QString &text)
{
    const QString key = text.simplified();
    if (key == QLatin1String("listener"))
        return SocketRef{Kind::Listener, 0};
    if (key == QLatin1String("udp-server"))
        return SocketRef{Kind::UdpServer, 0};
    static const QRegularExpression numbered(
            QStringLiteral("^(tcp-client|udp-client|accepted) ([1-9][0-9]{0,4})$"));
    const QRegularExpressionMatch match = numbered.match(key);
    if (!match.hasMatch())
        return std::nullopt;
    const QString name = match.captured(1);
    const Kind kind = name == QLatin1String("tcp-client")   ? Kind::TcpClient
                      : name == QLatin1String("udp-client") ? Kind::UdpClient
                                                            : Kind::Accepted;
    return SocketRef{kind, match.captured(2).toInt()};
}

QString SocketRef::grammar()
{
    return tr("\"listener\", \"udp-server\", \"tcp-client N\", \"udp-client N\" or "
              "\"accepted N\" (the server's socket for TCP client N), N counting from 1");
}

QString SocketCondition::text() const
{
    switch (kind) {
    case Kind::State:
        return tr("%1 is in %2").arg(socket.text(), stateName(state));
    case Kind::Gone:
        return tr("%1 is gone").arg(socket.text());
    case Kind::BytesReceived:
        return tr("%1 has received %2 bytes").arg(socket.text()).arg(amount);
    case Kind::DatagramsReceived:
        return tr("%1 has received %2 datagrams").arg(socket.text()).arg(amount);
    case Kind::Count: {
        QStringList what;
        if (protocol)
            what << protocolName(*protocol).toUpper();
        what << (role ? roleName(*role) : tr("socket"));
        if (countState)
            what << tr("in %1").arg(stateName(*countState));
        return tr("%1 × %2").arg(amount).arg(what.join(QLatin1Char(' ')));
    }
    case Kind::CounterIncrease:
        return tr("the kernel's %1 rose by at least %2").arg(counter).arg(amount);
    }
    return {};
}

QString ScenarioAction::describe() const
{
    switch (kind) {
    case ScenarioActionKind::StartTcpServer:
        return tr("start the TCP server");
    case ScenarioActionKind::StopTcpServer:
        return tr("stop the TCP server");
    case ScenarioActionKind::PauseAccepting:
        return tr("pause accepting");
    case ScenarioActionKind::ResumeAccepting:
        return tr("resume accepting");
    case ScenarioActionKind::StartUdpServer:
        return tr("start the UDP server");
    case ScenarioActionKind::StopUdpServer:
        return tr("stop the UDP server");
    case ScenarioActionKind::SetUdpDelay:
        return tr("let the UDP server take %1 ms per datagram").arg(delayMs);
    case ScenarioActionKind::SetTcpModel:
        return tr("serve TCP by %1")
                .arg(concurrencyModelName(model.value_or(ConcurrencyModel::EventLoop)));
    case ScenarioActionKind::SetUdpModel:
        return tr("UDP model %1").arg(udpModelName(udpModel.value_or(UdpModel::Single)));
    case ScenarioActionKind::SpawnTcpClients:
        return tr("spawn %1 TCP client(s)").arg(count);
    case ScenarioActionKind::SpawnUdpClients:
        return tr("spawn %1 UDP client(s)").arg(count);
    case ScenarioActionKind::ConnectToClosedPort:
        return tr("connect to a port nobody listens on");
    case ScenarioActionKind::SocketAction:
        return tr("%1 on %2").arg(actionName(socketAction), socket.text());
    case ScenarioActionKind::WaitUntil:
        return tr("wait until %1").arg(until.text());
    case ScenarioActionKind::Wait:
        return tr("wait %1 ms").arg(ms);
    }
    return {};
}

QString ScenarioAction::actionName(SocketAction action)
{
    switch (action) {
    case SocketAction::SendText:
        return QStringLiteral("send");
    case SocketAction::SendBurst:
        return QStringLiteral("burst");
    case SocketAction::HalfClose:
        return QStringLiteral("half-close");
    case SocketAction::Close:
        return QStringLiteral("close");
    case SocketAction::Abort:
        return QStringLiteral("abort");
    case SocketAction::StartPeriodic:
    case SocketAction::StopPeriodic:
        break;
    }
    return {};
}

} // namespace SocketScope
