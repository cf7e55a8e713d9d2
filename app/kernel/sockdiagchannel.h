// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

struct mnl_socket; // libmnl, only touched in the .cpp
struct nlmsghdr;

namespace SocketScope {

// The NETLINK_SOCK_DIAG socket NetlinkSocketSource talks to the kernel through, and nothing
// else: opened (and bound to a port id of the kernel's choosing) on first use, given a
// receive timeout so a broken kernel cannot hang the probe, and closed after an error, since
// it may still hold the rest of a dump. What to ask and how to read the answers are the
// source's and InetDiag's; this only moves datagrams, and only the kernel's: a datagram from
// anyone else sent to our port id is skipped.
class SockDiagChannel
{
public:
    SockDiagChannel();
    ~SockDiagChannel();
    SockDiagChannel(const SockDiagChannel &) = delete;
    SockDiagChannel &operator=(const SockDiagChannel &) = delete;

    // Opens the socket unless it is open; false (with *error) when the kernel refuses.
    bool open(QString *error);
    // Drops the socket; the next open() starts on a fresh one.
    void close();
    // The port id the kernel answers to (0 while closed).
    quint32 portId() const { return m_socket ? m_portId : 0; }
    // The sequence number for the next request (the kernel copies it into its answer).
    quint32 nextSequence() { return ++m_seq; }

    // Sends one request; false with errno set. The socket must be open.
    bool send(const nlmsghdr &message);
    // Waits for the kernel's next datagram; false with errno set (a truncated datagram is
    // ENOSPC). *datagram stays valid until the next receive(). The socket must be open.
    bool receive(QByteArrayView *datagram);

private:
    ::mnl_socket *m_socket = nullptr;
    quint32 m_portId = 0;
    quint32 m_seq = 0;
    QByteArray m_buffer;
};

} // namespace SocketScope
