// SPDX-License-Identifier: MIT
#include "udpclientendpoint.h"

#include "eventlog.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QNetworkDatagram>
#include <QUdpSocket>

#include <cerrno>
#include <utility>

namespace SocketScope {

namespace {

constexpr int MaxRepliesPerTurn = 256;

} // namespace

UdpClientEndpoint::UdpClientEndpoint(SocketRegistry &registry, EventLog &log, Endpoint server,
                                     UdpClientOptions options, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_socket(new QUdpSocket(this)),
      m_server(std::move(server)),
      m_options(std::move(options))
{
    useNoProxy(*m_socket);
    m_periodic.setParent(this);
    connect(&m_periodic, &QTimer::timeout, this, [this] {
        QByteArray payload = m_periodicText;
        payload.replace("%n", QByteArray::number(++m_counter));
        if (sendDatagram(payload).isError())
            stopPeriodic();
    });
    connect(m_socket, &QUdpSocket::readyRead, this, &UdpClientEndpoint::onReadyRead);
    connect(m_socket, &QUdpSocket::errorOccurred, this, &UdpClientEndpoint::onError);
}

UdpClientEndpoint::~UdpClientEndpoint()
{
    m_socket->disconnect(this);
    if (m_id != InvalidSocketId) {
        m_registry.markClosed(m_id);
        m_registry.remove(m_id);
    }
}

NetErrorInfo UdpClientEndpoint::open()
{
    if (m_id != InvalidSocketId)
        return {NetError::InvalidInput, tr("This client is already open."), m_id};
    if (m_server.address.isNull() || m_server.port == 0)
        return {NetError::InvalidInput,
                tr("No server to send to: give an address and a port from 1 to 65535.")};
    const bool v6 = m_server.address.protocol() == QAbstractSocket::IPv6Protocol;
    const bool explicitLocal = m_options.localAddress || m_options.localPort != 0;
    // Towards a loopback server, bind to loopback: the socket's address is then the very
    // source address the server reads from each datagram, which is the point being taught.
    const QHostAddress defaultLocal
            = m_server.address.isLoopback()
                      ? m_server.address
                      : QHostAddress(v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4);
    const QHostAddress local = m_options.localAddress.value_or(defaultLocal);
    if (NetErrorInfo check = checkBindAddress(local); check.isError())
        return check;

    // Unconnected sockets bind first so they have a port (and a record) before the first
    // sendto(); connected ones let connect() pick the source address by route.
    if (explicitLocal || !m_options.connected) {
        if (!m_socket->bind(local, m_options.localPort, QAbstractSocket::DontShareAddress)) {
            NetErrorInfo error
                    = describeBindError(Protocol::Udp, m_socket->error(), m_socket->errorString(),
                                        local, m_options.localPort);
            m_socket->abort();
            return error;
        }
    }
    if (m_options.connected) {
        m_socket->connectToHost(m_server.address, m_server.port);
        if (m_socket->state() != QAbstractSocket::ConnectedState) {
            NetErrorInfo error{netErrorFromSocketError(m_socket->error()), m_socket->errorString()};
            if (error.error == NetError::OutOfDescriptors)
                error.message = tr("No socket for a new UDP client: this process is out of "
                                   "file descriptors (EMFILE).");
            m_socket->abort();
            return error;
        }
    }

    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpClient;
    record.local = Endpoint{m_socket->localAddress(), m_socket->localPort()};
    if (m_options.connected)
        record.remote = m_server;
    // Linux shows a connected UDP socket as ESTAB, though no handshake happened.
    record.state = m_options.connected ? SocketState::Established : SocketState::Unconnected;
    record.program = QCoreApplication::applicationName();
    m_id = m_registry.add(record);
    m_log.append(EventSeverity::Info,
                 m_options.connected
                         ? tr("UDP client %1 connected to %2 (no handshake: connect() only "
                              "fixes the peer).")
                                   .arg(record.local.toString(), m_server.toString())
                         : tr("UDP client bound to %1, sends to %2 with sendto().")
                                   .arg(record.local.toString(), m_server.toString()),
                 m_id);
    return {};
}

void UdpClientEndpoint::close()
{
    if (m_id == InvalidSocketId)
        return;
    stopPeriodic();
    m_socket->close();
    const SocketId id = m_id;
    m_registry.markClosed(id);
    m_registry.remove(id);
    m_id = InvalidSocketId;
    Q_EMIT finished(id);
}

bool UdpClientEndpoint::isOpen() const
{
    return m_id != InvalidSocketId;
}

NetErrorInfo UdpClientEndpoint::sendDatagram(const QByteArray &payload)
{
    if (!isOpen())
        return {NetError::NotRunning, tr("This UDP client is closed.")};
    m_sending = true;
    const qint64 written = m_options.connected ? m_socket->write(payload)
                                               : m_socket->writeDatagram(payload, m_server.address,
                                                                         m_server.port);
    // Qt leaves some send errors as "unknown" (ECONNREFUSED on a connected socket, from an
    // earlier ICMP port unreachable), so keep the kernel's own answer too.
    const int sendErrno = errno;
    m_sending = false;
    if (written < 0) {
        NetErrorInfo error{netErrorFromSocketError(m_socket->error()), m_socket->errorString(),
                           m_id};
        if (error.error == NetError::Other && sendErrno == ECONNREFUSED)
            error.error = NetError::ConnectionRefused;
        else if (error.error == NetError::Other && sendErrno == EMSGSIZE)
            error.error = NetError::DatagramTooLarge;
        if (payload.size() > maxUdpPayload(m_server.address)
            || error.error == NetError::DatagramTooLarge) {
            error.error = NetError::DatagramTooLarge;
            error.message = tr("A datagram of %1 bytes does not fit into one IP packet (at "
                               "most %2 bytes of payload); the kernel refused it (%3). Send "
                               "less, or use TCP for a stream.")
                                    .arg(payload.size())
                                    .arg(maxUdpPayload(m_server.address))
                                    .arg(m_socket->errorString());
        } else if (error.error == NetError::ConnectionRefused) {
            error.message = tr("The last datagram to %1 came back as ICMP port unreachable: "
                               "nothing is bound there. Start the UDP server.")
                                    .arg(m_server.toString());
        }
        m_log.append(errorLine(error, m_id));
        Q_EMIT errorOccurred(error);
        return error;
    }
    ++m_sent;
    m_registry.recordTraffic(m_id, TrafficDirection::Sent, written, m_server, true);
    return {};
}

NetErrorInfo UdpClientEndpoint::sendBurst(int count, const QByteArray &text)
{
    if (count < 1 || count > MaxBurst)
        return {NetError::InvalidInput,
                tr("A burst is 1 to %1 datagrams, not %2.").arg(MaxBurst).arg(count), m_id};
    for (int i = 0; i < count; ++i) {
        QByteArray payload = text;
        payload.replace("%n", QByteArray::number(++m_counter));
        if (NetErrorInfo error = sendDatagram(payload); error.isError())
            return error;
    }
    return {};
}

NetErrorInfo UdpClientEndpoint::startPeriodic(int intervalMs, const QByteArray &text)
{
    if (!isOpen())
        return {NetError::NotRunning, tr("This UDP client is closed.")};
    if (NetErrorInfo error = checkPeriodicInterval(intervalMs, m_id); error.isError())
        return error;
    if (text.isEmpty())
        return {NetError::InvalidInput, tr("Type the text to send."), m_id};
    m_periodicText = text;
    m_periodic.start(intervalMs);
    return {};
}

void UdpClientEndpoint::stopPeriodic()
{
    m_periodic.stop();
}

SocketActions UdpClientEndpoint::availableActions() const
{
    if (!isOpen())
        return {};
    return SocketAction::SendText | SocketAction::SendBurst | SocketAction::Close
           | (isPeriodic() ? SocketAction::StopPeriodic : SocketAction::StartPeriodic);
}

void UdpClientEndpoint::onReadyRead()
{
    for (int i = 0; i < MaxRepliesPerTurn; ++i) {
        QNetworkDatagram datagram;
        if (m_socket->hasPendingDatagrams())
            datagram = m_socket->receiveDatagram();
        else if (i == 0) // nothing read this turn: read once, or Qt's notifier stays off
            datagram = rearmReadNotification(*m_socket);
        else
            break;
        if (!datagram.isValid()) {
            if (i == 0)
                break;
            continue;
        }
        ++m_replies;
        const Endpoint sender{datagram.senderAddress(),
                              static_cast<quint16>(datagram.senderPort())};
        m_registry.recordTraffic(m_id, TrafficDirection::Received, datagram.data().size(), sender,
                                 true);
        Q_EMIT replyReceived(sender, datagram.data());
    }
    // Replies beyond the bound wait for the next readyRead, which Qt emits while any remain.
}

void UdpClientEndpoint::onError()
{
    if (!isOpen() || m_sending)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    // Send errors are reported by sendDatagram(); what remains are errors on reading,
    // chiefly ICMP port unreachable on a connected socket. A read that found nothing
    // (EAGAIN, see rearmReadNotification) is no error.
    if (error == QAbstractSocket::DatagramTooLargeError || error == QAbstractSocket::TemporaryError)
        return;
    NetErrorInfo info{netErrorFromSocketError(error), m_socket->errorString(), m_id};
    if (info.error == NetError::ConnectionRefused)
        info.message = tr("%1 answered with ICMP port unreachable: no UDP socket is bound "
                          "there. Start the UDP server.")
                               .arg(m_server.toString());
    m_log.append(errorLine(info, m_id));
    Q_EMIT errorOccurred(info);
}

} // namespace SocketScope
