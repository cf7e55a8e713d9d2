// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "neterror.h"
#include "socketrecord.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class EventLog;
class SocketRegistry;
class TcpConnection;

inline constexpr quint16 DefaultServerPort = 9877;

struct TcpServerConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = DefaultServerPort; // 0: the kernel picks a free one
    int backlog = 50; // listen(2) backlog: connections the kernel queues until we accept
    Behaviour behaviour = Behaviour::Echo;
};

// The TCP listener and the sockets it accepted. The listener and each accepted socket are
// separate registry records; the accepted ones share the listener's local address and port
// and differ by the remote end, exactly as the kernel keeps them.
class TcpServerEndpoint : public QObject
{
    Q_OBJECT
public:
    TcpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~TcpServerEndpoint() override;

    // Listens (restarting if it already does). Errors are logged, emitted and returned.
    NetErrorInfo start(const TcpServerConfig &config);
    // Closes the listening socket only: connections it accepted stay established.
    void stop();
    bool isListening() const;
    // Pausing leaves the listener open, so the kernel keeps completing handshakes and the
    // accept queue fills up to the backlog, visible as the listener's Recv-Q.
    void setAccepting(bool accepting);
    bool isAccepting() const { return m_accepting; }

    Endpoint endpoint() const { return m_endpoint; } // the bound port, also when 0 was asked
    SocketId listenerId() const { return m_listenerId; }
    const TcpServerConfig &config() const { return m_config; }
    void setBehaviour(Behaviour behaviour);
    Behaviour behaviour() const { return m_behaviour->kind(); }
    void setClosedLinger(int ms) { m_closedLingerMs = ms; }

    TcpConnection *connection(SocketId id) const { return m_connections.value(id); }
    QList<SocketId> connectionIds() const { return m_connections.keys(); }
    qsizetype connectionCount() const { return m_connections.size(); }

Q_SIGNALS:
    void listeningChanged(bool listening);
    void acceptingChanged(bool accepting);
    void accepted(SocketScope::SocketId id);
    void connectionFinished(SocketScope::SocketId id);
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    void onNewConnection();
    void adopt(QTcpSocket *socket);
    void apply(TcpConnection *connection, const TcpReaction &reaction);
    void onAcceptError();
    NetErrorInfo fail(NetErrorInfo error);

    SocketRegistry &m_registry;
    EventLog &m_log;
    QTcpServer *m_server = nullptr;
    TcpServerConfig m_config;
    Endpoint m_endpoint;
    SocketId m_listenerId = InvalidSocketId;
    std::unique_ptr<ServerBehaviour> m_behaviour;
    QHash<SocketId, TcpConnection *> m_connections;
    int m_closedLingerMs = 0;
    bool m_accepting = false;
    bool m_pausedForDescriptors = false;
};

} // namespace SocketScope
