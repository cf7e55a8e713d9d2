// SPDX-License-Identifier: MIT
#include "udpserverendpoint.h"

#include "eventlog.h"
#include "netlogging.h"
#include "netutil.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QUdpSocket>

namespace SocketScope {

namespace {

// With no delay, how many datagrams one event-loop turn handles before it lets the UI
// paint; the rest follow on the next turn.
// Read everything the kernel holds within Qt's readyRead whenever possible: Qt 6.4 stops
// announcing new datagrams once a batch was finished outside that slot (seen here: the
// server went deaf after the first 64 of 100). A socket's default receive buffer holds a
// few hundred small datagrams, so one turn normally drains it.
constexpr int DatagramsPerTurn = 4096;

} // namespace

UdpServerEndpoint::UdpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_log(log),
      m_socket(new QUdpSocket(this)),
      m_behaviour(makeBehaviour(Behaviour::Echo))
{
    m_processing.setParent(this);
    m_processing.setSingleShot(true);
    connect(&m_processing, &QTimer::timeout, this, [this] {
        finishCurrent();
        processNext();
    });
    connect(m_socket, &QUdpSocket::readyRead, this, [this] {
        // While busy, Qt's readyRead is ignored on purpose: the datagram stays in the
        // kernel queue until the current one is done.
        if (!m_busy)
            processNext();
    });
}

UdpServerEndpoint::~UdpServerEndpoint()
{
    m_socket->disconnect(this);
    if (m_id != InvalidSocketId) {
        m_registry.markClosed(m_id);
        m_registry.remove(m_id);
    }
}

NetErrorInfo UdpServerEndpoint::start(const UdpServerConfig &config)
{
    if (isBound())
        stop();
    if (config.processingDelayMs < 0 || config.processingDelayMs > MaxProcessingDelayMs)
        return fail({NetError::InvalidInput,
                     tr("The processing delay must be between 0 and %1 ms, not %2.")
                             .arg(MaxProcessingDelayMs)
                             .arg(config.processingDelayMs)});
    if (NetErrorInfo check = checkBindAddress(config.address); check.isError())
        return fail(check);

    m_config = config;
    setBehaviour(config.behaviour);
    // DontShareAddress: Qt's default sets SO_REUSEADDR, with which Linux lets a second UDP
    // socket bind the same port silently, and "port in use" would never be reported.
    if (!m_socket->bind(config.address, config.port, QAbstractSocket::DontShareAddress)) {
        const NetErrorInfo error
                = describeBindError(Protocol::Udp, m_socket->error(), m_socket->errorString(),
                                    config.address, config.port);
        m_socket->abort();
        return fail(error);
    }
    m_endpoint = Endpoint{m_socket->localAddress(), m_socket->localPort()};
    SocketRecord record;
    record.protocol = Protocol::Udp;
    record.role = SocketRole::UdpServer;
    record.local = m_endpoint;
    record.state = SocketState::Unconnected;
    record.program = QCoreApplication::applicationName();
    m_id = m_registry.add(record);
    m_busy = false;
    m_log.append(EventSeverity::Info,
                 tr("UDP server bound to %1 (%2, processing delay %3 ms).")
                         .arg(m_endpoint.toString(), behaviourName(config.behaviour))
                         .arg(config.processingDelayMs),
                 m_id);
    Q_EMIT boundChanged(true);
    // Datagrams may have arrived between bind() and here.
    processNext();
    return {};
}

void UdpServerEndpoint::stop()
{
    if (!isBound())
        return;
    m_processing.stop();
    m_busy = false;
    m_current = QNetworkDatagram();
    m_socket->close();
    m_registry.markClosed(m_id);
    m_registry.remove(m_id);
    m_log.append(EventSeverity::Info,
                 tr("UDP server on %1 closed; datagrams still queued in it are gone.")
                         .arg(m_endpoint.toString()),
                 m_id);
    m_id = InvalidSocketId;
    Q_EMIT boundChanged(false);
}

bool UdpServerEndpoint::isBound() const
{
    return m_socket->state() == QAbstractSocket::BoundState;
}

bool UdpServerEndpoint::setProcessingDelay(int ms)
{
    if (ms < 0 || ms > MaxProcessingDelayMs)
        return false;
    m_config.processingDelayMs = ms;
    return true;
}

void UdpServerEndpoint::setBehaviour(Behaviour behaviour)
{
    if (m_behaviour && m_behaviour->kind() == behaviour)
        return;
    m_behaviour = makeBehaviour(behaviour);
    m_config.behaviour = behaviour;
}

void UdpServerEndpoint::processNext()
{
    m_busy = true;
    for (int i = 0; i < DatagramsPerTurn; ++i) {
        if (!isBound() || !m_socket->hasPendingDatagrams()) {
            m_busy = false;
            return;
        }
        m_current = m_socket->receiveDatagram();
        if (!m_current.isValid())
            continue;
        m_registry.recordTraffic(
                m_id, TrafficDirection::Received, m_current.data().size(),
                Endpoint{m_current.senderAddress(), static_cast<quint16>(m_current.senderPort())},
                true);
        if (m_config.processingDelayMs > 0) {
            m_processing.start(m_config.processingDelayMs);
            return;
        }
        finishCurrent();
    }
    // More may be waiting: continue on the next turn of the event loop.
    QTimer::singleShot(0, this, [this] {
        if (m_busy && !m_processing.isActive())
            processNext();
    });
}

void UdpServerEndpoint::finishCurrent()
{
    if (!m_current.isValid())
        return;
    const Endpoint sender{m_current.senderAddress(), static_cast<quint16>(m_current.senderPort())};
    const qint64 size = m_current.data().size();
    if (const std::optional<QByteArray> reply = m_behaviour->onDatagram(m_current.data())) {
        const qint64 written = m_socket->writeDatagram(*reply, sender.address, sender.port);
        if (written >= 0)
            m_registry.recordTraffic(m_id, TrafficDirection::Sent, written, sender, true);
        else
            m_log.append(
                    EventSeverity::Warning,
                    tr("Reply to %1 not sent: %2").arg(sender.toString(), m_socket->errorString()),
                    m_id);
    }
    m_current = QNetworkDatagram();
    ++m_processed;
    Q_EMIT datagramProcessed(sender, size);
}

NetErrorInfo UdpServerEndpoint::fail(NetErrorInfo error)
{
    m_log.append(EventSeverity::Error, error.message);
    qCInfo(lcNet) << "UDP server:" << error.message;
    Q_EMIT errorOccurred(error);
    return error;
}

} // namespace SocketScope
