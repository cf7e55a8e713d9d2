// SPDX-License-Identifier: MIT
#pragma once

#include "tcpconnection.h"

#include <QHostAddress>

#include <optional>

namespace SocketScope {

struct TcpClientOptions
{
    // Bind before connecting, to show that a client's port can be chosen too. Without
    // them the kernel picks the address by route and an ephemeral port.
    std::optional<QHostAddress> localAddress;
    quint16 localPort = 0;
};

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

Q_SIGNALS:
    void connected(SocketScope::SocketId id);

private:
    void onConnected();

    Endpoint m_server;
    TcpClientOptions m_options;
};

} // namespace SocketScope
