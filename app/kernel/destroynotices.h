// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"
#include "socketevent.h"

#include <QObject>

#include <memory>
#include <optional>

class QSocketNotifier;

namespace SocketScope {

class SocketRegistry;

// What a destroy notice about `record` says, as an event to apply (nullopt: nothing to say).
// The kernel sends the notice when it frees a full socket, always in CLOSE; whether that is
// the connection's end depends on where it was: from LISTEN, CLOSE_WAIT or LAST_ACK no path
// leads to TIME_WAIT, so the socket has closed; from ESTABLISHED, FIN_WAIT1/2 or CLOSING a
// time-wait socket may carry the connection on (the next poll says), so only the final
// TCP_INFO counters are taken. A UDP socket simply ends.
std::optional<SocketEvent> eventForDestroyNotice(const SocketRecord &record,
                                                 const KernelSocket &notice, qint64 monotonicNs);

// Listens to sock_diag's destroy notifications (netlink groups SKNLGRP_INET_TCP_DESTROY,
// ..._UDP_DESTROY and their IPv6 twins), which need no privilege, so a socket's end is
// caught with its final counters the moment the kernel frees it, between two polls.
class DestroyNoticeFollower : public QObject
{
    Q_OBJECT
public:
    explicit DestroyNoticeFollower(SocketRegistry &registry, QObject *parent = nullptr);
    ~DestroyNoticeFollower() override;

    bool isListening() const { return m_fd >= 0; }
    QString error() const { return m_error; } // why it is not listening
    // Reads every notice waiting now (also done when the socket signals data).
    void drain();
    quint64 noticeCount() const { return m_notices; } // notices about our sockets

Q_SIGNALS:
    // One of our sockets ended: a poll now shows what, if anything, carries on.
    void socketEnded();

private:
    void handle(const KernelSocket &notice);

    SocketRegistry &m_registry;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QString m_error;
    quint64 m_notices = 0;
};

} // namespace SocketScope
