// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "concurrencymodel.h"
#include "neterror.h"
#include "socketaction.h"
#include "socketrecord.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace SocketScope {

// A socket a scenario names. Its own clients are numbered from 1 in the order it spawned
// them, per protocol; "accepted 2" is the server's socket for TCP client 2.
struct SocketRef
{
    enum class Kind { Listener, UdpServer, TcpClient, UdpClient, Accepted };
    Kind kind = Kind::Listener;
    int number = 0; // clients and accepted sockets only

    QString text() const; // "listener", "udp-server", "tcp-client 2", "accepted 2"
    // Parses text(); nullopt for anything else.
    static std::optional<SocketRef> parse(const QString &text);
    static QString grammar(); // what parse() accepts, for error messages
    bool operator==(const SocketRef &other) const = default;
};

// A fact about the sockets that holds or not: checked on the kernel's view (Qt's where
// this machine gives none) at the end of a step, or awaited by "wait-until".
struct SocketCondition
{
    enum class Kind {
        State, // `socket` is in `state`
        Gone, // neither the program nor the kernel holds `socket` any more
        BytesReceived, // `socket` has received exactly `amount` bytes
        DatagramsReceived, // `socket` has received exactly `amount` datagrams
        Count, // exactly `amount` sockets match role/protocol/state
        CounterIncrease, // the kernel counter `counter` rose by at least `amount` in the step
    };
    Kind kind = Kind::State;
    SocketRef socket;
    SocketState state = SocketState::Unknown;
    quint64 amount = 0;
    std::optional<SocketRole> role; // Count only; unset: any
    std::optional<Protocol> protocol;
    std::optional<SocketState> countState;
    QString counter; // "TcpExt.ListenOverflows": a /proc/net/netstat or /proc/net/snmp field

    QString text() const; // "tcp-client 1 is in TIME_WAIT"
};

enum class ScenarioActionKind {
    StartTcpServer,
    StopTcpServer,
    PauseAccepting,
    ResumeAccepting,
    StartUdpServer,
    StopUdpServer,
    SetUdpDelay,
    SetTcpModel,
    SetUdpModel,
    SpawnTcpClients,
    SpawnUdpClients,
    ConnectToClosedPort, // a TCP client to a port nobody listens on: connection refused
    SocketAction, // send, burst, half-close, close or abort on one socket
    WaitUntil,
    Wait,
};

struct ScenarioAction
{
    ScenarioActionKind kind = ScenarioActionKind::Wait;
    QString path; // "steps[2].actions[0]": where it is in the file

    // servers
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    int port = DefaultServerPort;
    bool previousPort = false; // "port": "previous": the port this server last had
    int backlog = 50;
    bool reuseAddress = true;
    Behaviour behaviour = Behaviour::Echo;
    std::optional<ConcurrencyModel> model;
    std::optional<UdpModel> udpModel;
    int delayMs = 0;

    // clients
    int count = 1;
    std::optional<QHostAddress> from; // the clients' local (loopback) address
    bool connected = false; // UDP clients: connect() to the server

    // one socket
    SocketRef socket;
    SocketAction socketAction = SocketAction::SendText;
    QString text;
    int number = 0; // a burst's count

    // waits
    SocketCondition until;
    int timeoutMs = 5000;
    int ms = 0;

    // The step expects this action to fail with this error ("address-in-use"): failing so
    // is the lesson, and succeeding is what differs.
    std::optional<NetError> expectError;

    QString describe() const; // how the runner words it: "spawn 2 TCP clients"
    // The file's name of a one-socket action ("send", "half-close", ...).
    static QString actionName(SocketAction action);
};

struct ScenarioQuestion
{
    QString text;
    QStringList choices;
    int answer = 0; // index into choices
    QString explanation;
};

struct ScenarioStep
{
    QString path; // "steps[2]"
    QString title;
    QString caption; // a few sentences, shown large
    QList<SocketRef> highlight;
    QList<ScenarioAction> actions;
    QList<SocketCondition> expectations;
    std::optional<ScenarioQuestion> question;
    double speed = 1.0; // presentation speed while the step plays (0.25: slow motion)
};

struct Scenario
{
    static constexpr int SchemaVersion = 1;
    int version = SchemaVersion;
    QString title;
    QString description;
    QList<ScenarioStep> steps;
};

} // namespace SocketScope
