// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"
#include "concurrencymodel.h"
#include "neterror.h"
#include "socketrecord.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QNetworkDatagram>
#include <QObject>
#include <QTimer>

#include <memory>

QT_BEGIN_NAMESPACE
class QUdpSocket;
QT_END_NAMESPACE

namespace SocketScope {

class EventLog;
class SocketRegistry;

struct UdpServerConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = DefaultServerPort; // TCP's number too: a different protocol, another socket
    Behaviour behaviour = Behaviour::Echo;
    int processingDelayMs = 0; // 0..MaxProcessingDelayMs
};

// The UDP server: one socket for every client. Datagrams are handled strictly one after
// another, and the next is not even read until the previous one is done, so with a
// processing delay they visibly queue in the kernel (the socket's Recv-Q).
class UdpServerEndpoint : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxProcessingDelayMs = 2000;

    UdpServerEndpoint(SocketRegistry &registry, EventLog &log, QObject *parent = nullptr);
    ~UdpServerEndpoint() override;

    NetErrorInfo start(const UdpServerConfig &config);
    void stop();
    bool isBound() const;
    Endpoint endpoint() const { return m_endpoint; }
    SocketId socketId() const { return m_id; }
    const UdpServerConfig &config() const { return m_config; }

    // Clamped to 0..MaxProcessingDelayMs; returns false (and changes nothing) outside.
    bool setProcessingDelay(int ms);
    int processingDelay() const { return m_config.processingDelayMs; }
    void setBehaviour(Behaviour behaviour);
    Behaviour behaviour() const { return m_behaviour->kind(); }
    quint64 datagramsProcessed() const { return m_processed; }

    // Single: every datagram through the one socket (the taught model). ConnectedPerClient:
    // the server socket carries SO_REUSEPORT, and the first datagram from a new client
    // makes a socket of its own for that client (SO_REUSEPORT, bound to the server's
    // address and port, connect()ed to the client); the kernel then delivers that client's
    // datagrams to it by the full 4-tuple. Changing the model while bound rebinds the
    // server socket on the same port (its queued datagrams are lost, as the log says).
    void setModel(UdpModel model);
    UdpModel model() const { return m_model; }
    // The per-client sockets (ConnectedPerClient), by registry id.
    QList<SocketId> peerSocketIds() const { return m_peerIds.keys(); }
    bool closePeerSocket(SocketId id);
    static constexpr int MaxPeerSockets = 256;
    // A per-client socket that has had no datagram for this long is closed: UDP has no
    // close of its own, and a client that went quiet may be gone.
    void setPeerIdleTimeout(int ms);
    int peerIdleTimeout() const { return m_peerIdleMs; }
    static constexpr int DefaultPeerIdleMs = 60000;

Q_SIGNALS:
    void boundChanged(bool bound);
    // One datagram is done (answered, if the behaviour answers).
    void datagramProcessed(const SocketScope::Endpoint &sender, qint64 size);
    void errorOccurred(const SocketScope::NetErrorInfo &error);

private:
    struct PeerSocket
    {
        QUdpSocket *socket = nullptr;
        SocketId id = InvalidSocketId;
        Endpoint client;
        qint64 lastDatagramMs = 0; // on m_clock
    };
    bool bindMainSocket(const UdpServerConfig &config, QString *error,
                        QAbstractSocket::SocketError *kind);
    // The client's own socket, made on its first datagram; nullptr in Single mode, at the
    // limit, or when the kernel refuses.
    PeerSocket *peerFor(const Endpoint &client);
    void readPeer(PeerSocket *peer);
    void closePeers();
    void closeQuietPeers();
    void processNext();
    void finishCurrent();
    // Answers a datagram as the server socket does: through the sender's own socket in the
    // connected model, else from the server socket to the sender.
    void answer(const QNetworkDatagram &datagram, const Endpoint &sender);
    // What the server is doing now, in the record for the diagram and the inspector.
    void showActivity(const QString &activity);
    NetErrorInfo fail(NetErrorInfo error);

    SocketRegistry &m_registry;
    EventLog &m_log;
    QUdpSocket *m_socket = nullptr;
    QTimer m_processing;
    QNetworkDatagram m_current; // the datagram being processed, valid while busy
    UdpServerConfig m_config;
    Endpoint m_endpoint;
    SocketId m_id = InvalidSocketId;
    std::unique_ptr<ServerBehaviour> m_behaviour;
    QHash<QString, PeerSocket *> m_peers; // by the client's address:port
    QHash<SocketId, PeerSocket *> m_peerIds;
    UdpModel m_model = UdpModel::Single;
    QElapsedTimer m_clock;
    QTimer m_peerSweep;
    int m_peerIdleMs = DefaultPeerIdleMs;
    quint64 m_processed = 0;
    bool m_busy = false;
};

} // namespace SocketScope
