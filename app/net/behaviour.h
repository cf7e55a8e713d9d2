// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace SocketScope {

// The classic test services, so nc, socat or a student's own client can talk to us.
enum class Behaviour {
    Echo, // RFC 862: send back whatever arrives
    Discard, // RFC 863: read and throw away
    Daytime, // RFC 867: one line with the date, then (TCP) close
};

QString behaviourName(Behaviour behaviour); // "echo", "discard", "daytime"
std::optional<Behaviour> behaviourFromName(const QString &name);

// What a TCP server-side connection should do next.
struct TcpReaction
{
    QByteArray reply; // bytes to send, may be empty
    bool closeAfterReply = false; // close our side once the reply is written
};

// A server's behaviour as a small strategy: the endpoints own the sockets and report to
// the registry; a behaviour only decides what to answer. That keeps the protocols
// testable without sockets and lets the user switch them while the server runs.
class ServerBehaviour
{
public:
    virtual ~ServerBehaviour() = default;
    virtual Behaviour kind() const = 0;
    // A TCP connection was accepted.
    virtual TcpReaction onTcpConnected() const = 0;
    // Bytes arrived on a TCP connection.
    virtual TcpReaction onTcpData(const QByteArray &data) const = 0;
    // A datagram arrived; the answer goes back to its sender, nullopt means no answer.
    virtual std::optional<QByteArray> onDatagram(const QByteArray &datagram) const = 0;
};

class EchoBehaviour final : public ServerBehaviour
{
public:
    Behaviour kind() const override { return Behaviour::Echo; }
    TcpReaction onTcpConnected() const override { return {}; }
    TcpReaction onTcpData(const QByteArray &data) const override { return {data, false}; }
    std::optional<QByteArray> onDatagram(const QByteArray &datagram) const override
    {
        return datagram;
    }
};

class DiscardBehaviour final : public ServerBehaviour
{
public:
    Behaviour kind() const override { return Behaviour::Discard; }
    TcpReaction onTcpConnected() const override { return {}; }
    TcpReaction onTcpData(const QByteArray &) const override { return {}; }
    std::optional<QByteArray> onDatagram(const QByteArray &) const override { return std::nullopt; }
};

class DaytimeBehaviour final : public ServerBehaviour
{
public:
    using Clock = std::function<QDateTime()>;
    // The clock is injectable so tests can check the exact line.
    explicit DaytimeBehaviour(Clock clock = {});

    Behaviour kind() const override { return Behaviour::Daytime; }
    // RFC 867 on TCP: send the line as soon as the connection is there, then close; what
    // the client sends is ignored.
    TcpReaction onTcpConnected() const override { return {dateLine(), true}; }
    TcpReaction onTcpData(const QByteArray &) const override { return {}; }
    // On UDP any datagram, whatever it holds, is answered with the line.
    std::optional<QByteArray> onDatagram(const QByteArray &) const override { return dateLine(); }

    // The RFC leaves the syntax open; we use its suggested form, in English whatever the
    // locale: "Tuesday, February 22, 1982 17:37:43 CET\r\n".
    QByteArray dateLine() const;

private:
    Clock m_clock;
};

std::unique_ptr<ServerBehaviour> makeBehaviour(Behaviour behaviour);

} // namespace SocketScope
