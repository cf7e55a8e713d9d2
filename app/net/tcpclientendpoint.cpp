// SPDX-License-Identifier: MIT
#include "tcpclientendpoint.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QTcpSocket>

#include <utility>

namespace SocketScope {

TcpClientEndpoint::TcpClientEndpoint(SocketRegistry &registry, EventLog &log, Endpoint server,
                                     TcpClientOptions options, QObject *parent)
    : TcpConnection(new QTcpSocket, registry, log, parent),
      m_server(std::move(server)),
      m_options(std::move(options))
{ }

NetErrorInfo TcpClientEndpoint::open()
{
    if (m_id != InvalidSocketId)
        return {NetError::InvalidInput, tr("This client is already open."), m_id};
    if (m_server.address.isNull() || m_server.port == 0)
        return {NetError::InvalidInput,
                tr("No server to connect to: give an address and a port from 1 to 65535.")};

    if (m_options.localAddress || m_options.localPort != 0) {
        const QHostAddress local = m_options.localAddress.value_or(
                m_server.address.protocol() == QAbstractSocket::IPv6Protocol
                        ? QHostAddress(QHostAddress::AnyIPv6)
                        : QHostAddress(QHostAddress::AnyIPv4));
        if (NetErrorInfo check = checkBindAddress(local); check.isError())
            return check;
        // DontShareAddress: without it, Qt sets SO_REUSEADDR and two clients could be
        // bound to one port until connect() fails late and confusingly.
        if (!m_socket->bind(local, m_options.localPort, QAbstractSocket::DontShareAddress)) {
            NetErrorInfo error
                    = describeBindError(Protocol::Tcp, m_socket->error(), m_socket->errorString(),
                                        local, m_options.localPort);
            m_socket->abort();
            return error;
        }
    }

    SocketRecord record;
    record.protocol = Protocol::Tcp;
    record.role = SocketRole::TcpClient;
    record.local = Endpoint{m_socket->localAddress(), m_socket->localPort()};
    record.remote = m_server;
    record.state = SocketState::SynSent;
    record.program = QCoreApplication::applicationName();
    m_id = m_registry.add(record);

    connect(m_socket, &QTcpSocket::connected, this, &TcpClientEndpoint::onConnected);
    attach(m_id);
    // A literal address makes Qt call socket() and connect() right here, so running out of
    // descriptors (and on loopback sometimes a refusal) shows up before connectToHost()
    // returns. Those are returned, not logged: the caller reports them once.
    m_quiet = true;
    m_socket->connectToHost(m_server.address, m_server.port);
    m_quiet = false;
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        NetErrorInfo error = describeSocketError();
        finish();
        m_id = InvalidSocketId; // nothing of this client is left in the registry
        return error;
    }
    if (m_socket->state() == QAbstractSocket::ConnectingState) {
        // The kernel chose the ephemeral port at connect(); show it while SYN_SENT.
        if (const std::optional<Endpoint> local
            = localEndpointOf(descriptorWhileConnecting(*m_socket)))
            m_registry.update(m_id, [&local](SocketRecord &r) { r.local = *local; });
    }
    return {};
}

void TcpClientEndpoint::onConnected()
{
    const Endpoint local{m_socket->localAddress(), m_socket->localPort()};
    m_registry.update(m_id, [&local](SocketRecord &record) {
        record.local = local;
        record.state = SocketState::Established;
    });
    m_log.append(EventSeverity::Info,
                 tr("Connected %1 -> %2 (ephemeral port %3).")
                         .arg(local.toString(), m_server.toString())
                         .arg(local.port),
                 m_id);
    Q_EMIT connected(m_id);
}

} // namespace SocketScope
