// SPDX-License-Identifier: MIT
#pragma once

#include "neterror.h"
#include "socketrecord.h"
#include "tcpconnection.h" // SocketActions

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <optional>

QT_BEGIN_NAMESPACE
class QUdpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class EventLog;
class SocketRegistry;

struct UdpClientOptions
{
    // Connected UDP: connect() fixes the peer, so send() needs no address and the socket
    // only accepts datagrams from the server. Unconnected: sendto() names it every time.
    bool connected = false;
    std::optional<QHostAddress> localAddress;
    quint16 localPort = 0;
};

class UdpClientEndpoint : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxBurst = 10000;

    UdpClientEndpoint(SocketRegistry &registry, EventLog &log, Endpoint server,
                      UdpClientOptions options = {}, QObject *parent = nullptr);
    ~UdpClientEndpoint() override;

    // Binds (unconnected) or connects (connected) and registers the socket. Errors are
    // returned, not logged: the caller reports them once.
    NetErrorInfo open();
    void close();

    // One datagram. Too large ones are handed to the kernel anyway, which refuses them
    // (EMSGSIZE), so what the user sees is the system's real answer.
    NetErrorInfo sendDatagram(const QByteArray &payload);
    // `count` datagrams at once, numbered with %n in the text. Returns the first error.
    NetErrorInfo sendBurst(int count, const QByteArray &text);
    NetErrorInfo startPeriodic(int intervalMs, const QByteArray &text);
    void stopPeriodic();
    bool isPeriodic() const { return m_periodic.isActive(); }

    SocketId id() const { return m_id; }
    bool isOpen() const;
    bool isConnectedMode() const { return m_options.connected; }
    const Endpoint &server() const { return m_server; }
    quint64 datagramsSent() const { return m_sent; }
    quint64 repliesReceived() const { return m_replies; }
    SocketActions availableActions() const;

Q_SIGNALS:
    void replyReceived(const SocketScope::Endpoint &sender, const QByteArray &data);
    void errorOccurred(const SocketScope::NetErrorInfo &error);
    void finished(SocketScope::SocketId id);

private:
    void onReadyRead();
    void onError();

    SocketRegistry &m_registry;
    EventLog &m_log;
    QUdpSocket *m_socket = nullptr;
    QTimer m_periodic;
    QByteArray m_periodicText;
    Endpoint m_server;
    UdpClientOptions m_options;
    SocketId m_id = InvalidSocketId;
    quint64 m_sent = 0;
    quint64 m_replies = 0;
    quint64 m_counter = 0;
    bool m_sending = false; // sendDatagram() reports its own errors
};

} // namespace SocketScope
