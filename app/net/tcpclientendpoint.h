// SPDX-License-Identifier: MIT
#pragma once

#include "tcpconnection.h"

#include <QElapsedTimer>
#include <QHostAddress>

#include <functional>
#include <optional>

namespace SocketScope {

struct TcpClientOptions
{
    // Bind before connecting, to show that a client's port can be chosen too. Without
    // them the kernel picks the address by route and an ephemeral port.
    std::optional<QHostAddress> localAddress;
    quint16 localPort = 0;
    // How long a connect waits for the server's SYN-ACK before the client gives up, closes
    // its one socket and says why. 0: no limit of ours, the kernel's SYN retries end it
    // (ETIMEDOUT once net.ipv4.tcp_syn_retries resends got no answer). Unset: the engine's
    // setting (NetworkEngine::setConnectTimeout).
    std::optional<int> connectTimeoutSeconds;
};

// Long enough for the backlog demo (clients wait in SYN_SENT while the lecturer talks).
inline constexpr int DefaultConnectTimeoutSeconds = 120;
inline constexpr int MaxConnectTimeoutSeconds = 3600;

// A TCP client socket we open. It is in the registry from the moment connect() is issued
// (SYN_SENT) and becomes ESTABLISHED when the handshake completes.
class TcpClientEndpoint : public TcpConnection
{
    Q_OBJECT
public:
    TcpClientEndpoint(SocketRegistry &registry, EventLog &log, Endpoint server,
                      TcpClientOptions options = {}, QObject *parent = nullptr);

    // Creates the socket and starts connecting. Failures the kernel reports at once (no
    // descriptor left, local port taken) come back here and no record is left behind;
    // failures of the handshake (refused) arrive later through errorOccurred + finished.
    NetErrorInfo open();
    const Endpoint &server() const { return m_server; }
    // What the owner knows about why the server does not answer (e.g. "its accept queue is
    // full"), asked when this client gives up; empty when it knows nothing more.
    void setNoAnswerExplanation(std::function<QString()> explain)
    {
        m_explainNoAnswer = std::move(explain);
    }

Q_SIGNALS:
    void connected(SocketScope::SocketId id);

protected:
    NetErrorInfo describeSocketError() const override;

private:
    void onConnected();
    void onConnectTimeout();
    // Qt's own 30 s connect timer would close this socket and, with it, the tuple the diagram
    // shows; the one socket must live until the kernel or our timeout ends it.
    void stopQtConnectTimer();
    // "client #3 {127.0.0.1:41234, 127.0.0.1:9877}", from the record: Qt forgets the port
    // of a socket that failed to connect.
    QString named() const;
    qint64 secondsWaited() const;

    Endpoint m_server;
    TcpClientOptions m_options;
    QTimer m_connectTimer;
    QElapsedTimer m_connecting;
    bool m_connectedOnce = false;
    std::function<QString()> m_explainNoAnswer;
};

} // namespace SocketScope
