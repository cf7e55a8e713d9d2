// SPDX-License-Identifier: MIT
#include "tcpclientendpoint.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QFile>
#include <QTcpSocket>
#include <QTimer>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <utility>

namespace SocketScope {

TcpClientEndpoint::TcpClientEndpoint(SocketRegistry &registry, EventLog &log, Endpoint server,
                                     TcpClientOptions options, QObject *parent)
    : TcpConnection(new QTcpSocket, registry, log, parent),
      m_server(std::move(server)),
      m_options(std::move(options))
{
    m_connectTimer.setParent(this);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &TcpClientEndpoint::onConnectTimeout);
}

namespace {

// The kernel's own limit on a connect: SYNs it sends again before ETIMEDOUT.
int synRetries()
{
    QFile file(QStringLiteral("/proc/sys/net/ipv4/tcp_syn_retries"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const int retries = file.readAll().trimmed().toInt(&ok);
    return ok ? retries : -1;
}

} // namespace

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
        stopQtConnectTimer();
        m_connecting.start();
        const int timeout = m_options.connectTimeoutSeconds.value_or(DefaultConnectTimeoutSeconds);
        if (timeout > 0)
            m_connectTimer.start(timeout * 1000);
    }
    return {};
}

void TcpClientEndpoint::stopQtConnectTimer()
{
    // Qt's timer is the socket's only direct QTimer child (ours are children of this
    // object). Not public API: if a later Qt hides it, Qt gives up after 30 s again and
    // describeSocketError() says that it was Qt's timer.
    const auto timers = m_socket->findChildren<QTimer *>(Qt::FindDirectChildrenOnly);
    for (QTimer *timer : timers)
        timer->stop();
}

QString TcpClientEndpoint::named() const
{
    const SocketRecord *record = m_registry.find(m_id);
    const Endpoint local = record ? record->local : Endpoint{};
    return tr("Client #%1 {%2, %3}").arg(m_id).arg(local.toString(), m_server.toString());
}

qint64 TcpClientEndpoint::secondsWaited() const
{
    return m_connecting.isValid() ? (m_connecting.elapsed() + 500) / 1000 : 0;
}

void TcpClientEndpoint::onConnectTimeout()
{
    if (isFinished() || m_socket->state() != QAbstractSocket::ConnectingState)
        return;
    // The kernel's view of the wait: still SYN_SENT, and how often it sent the SYN again.
    QString retries;
    tcp_info info{};
    socklen_t length = sizeof info;
    const qintptr fd = descriptorWhileConnecting(*m_socket);
    if (fd >= 0 && ::getsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_INFO, &info, &length) == 0
        && info.tcpi_state == TCP_SYN_SENT)
        retries = info.tcpi_total_retrans == 1 ? tr(" (the kernel sent its SYN once more)")
                                               : tr(" (the kernel sent its SYN %1 more times)")
                                                         .arg(info.tcpi_total_retrans);
    const QString why = m_explainNoAnswer ? m_explainNoAnswer() : QString();
    const NetErrorInfo error{
            NetError::ConnectGaveUp,
            tr("%1 gave up after %2 s in SYN_SENT: no SYN-ACK came back%3. %4 The socket is "
               "closed; to wait longer, start with --connect-timeout (0 = the kernel's own "
               "limit).")
                    .arg(named())
                    .arg(secondsWaited())
                    .arg(retries, why.isEmpty()
                                          ? tr("The server accepted no connection in that time.")
                                          : why),
            m_id};
    report(error);
    // A socket in SYN_SENT closes without a segment: nothing goes to the server.
    m_quiet = true;
    m_socket->abort();
    m_quiet = false;
    finish();
}

NetErrorInfo TcpClientEndpoint::describeSocketError() const
{
    if (m_connecting.isValid() && !m_connectedOnce) {
        // The kernel's SYN retries ran out: connect() failed with ETIMEDOUT, which Qt words
        // as "Connection timed out" under NetworkError.
        const QAbstractSocket::SocketError error = m_socket->error();
        if (error == QAbstractSocket::NetworkError
            && m_socket->errorString()
                       == QCoreApplication::translate("QNativeSocketEngine",
                                                      "Connection timed out")) {
            const int retries = synRetries();
            return {NetError::TimedOut,
                    tr("%1 gave up after %2 s: the kernel timed out the connect (ETIMEDOUT): "
                       "no SYN-ACK came back to its SYN and the resends it allows "
                       "(net.ipv4.tcp_syn_retries = %3).")
                            .arg(named())
                            .arg(secondsWaited())
                            .arg(retries >= 0 ? QString::number(retries) : tr("several")),
                    m_id};
        }
        if (error == QAbstractSocket::SocketTimeoutError)
            return {NetError::ConnectGaveUp,
                    tr("%1 gave up after %2 s: Qt's own connect timer ended the wait.")
                            .arg(named())
                            .arg(secondsWaited()),
                    m_id};
    }
    return TcpConnection::describeSocketError();
}

void TcpClientEndpoint::onConnected()
{
    m_connectTimer.stop();
    m_connectedOnce = true;
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
