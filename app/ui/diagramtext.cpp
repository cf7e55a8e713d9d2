// SPDX-License-Identifier: MIT
#include "diagramtext.h"

#include "sockettablemodel.h" // udpRecvQMeaning()

namespace SocketScope {

SocketCard DiagramText::card(const SocketRecord &record)
{
    SocketCard card;
    card.protocol
            = record.protocol == Protocol::Tcp ? QStringLiteral("TCP") : QStringLiteral("UDP");
    card.state = record.effectiveState();
    card.stateText = stateName(card.state);
    card.kernelOnly = heldByNoProgram(record);
    card.otherProgram = record.role == SocketRole::ExternalPeer;
    const qint64 pid = record.ownerPid();
    QString detail = pid ? QStringLiteral("pid %1").arg(pid) : QString();
    if (record.protocol == Protocol::Tcp && (record.bytesSent || record.bytesReceived))
        detail += QStringLiteral(" · ↑%1 ↓%2")
                          .arg(byteCountText(record.bytesSent),
                               byteCountText(record.bytesReceived));
    if (record.protocol == Protocol::Udp && (record.datagramsSent || record.datagramsReceived))
        detail += QStringLiteral(" · %1 sent · %2 received")
                          .arg(record.datagramsSent)
                          .arg(record.datagramsReceived);
    // The kernel's timer: TIME_WAIT's countdown is the part worth reading off a slide.
    if (record.kernel && record.kernel->timerMs >= 0 && card.state == SocketState::TimeWait)
        detail += tr(" · %1 s left").arg((record.kernel->timerMs + 999) / 1000);
    card.detail = detail;

    const QString local = record.local.toString();
    if (record.remote) {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral(", "),
                           record.remote->toString(), QStringLiteral("}")};
        // On the server side (accepted TCP sockets, a UDP server's connected ones) the remote
        // end is what differs between its sockets; on a client, its own ephemeral port is.
        const bool serverSide
                = record.role == SocketRole::TcpServerSide || record.role == SocketRole::UdpServer;
        card.highlightPart = serverSide ? 3 : 1;
    } else if (record.protocol == Protocol::Tcp) {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral(", "), QStringLiteral("*:*"),
                           QStringLiteral("}")};
    } else {
        card.tupleParts = {QStringLiteral("{"), local, QStringLiteral("}")};
    }
    return card;
}

QString DiagramText::tooltip(const SocketRecord &record)
{
    QString tip = QStringLiteral("<b>%1</b> %2<br/>local %3<br/>remote %4<br/>")
                          .arg(protocolName(record.protocol).toUpper(), roleName(record.role),
                               record.local.toString(),
                               record.remote ? record.remote->toString() : QStringLiteral("*:*"));
    tip += tr("state (Qt): %1").arg(stateName(record.state));
    if (record.kernel)
        tip += tr("<br/>state (kernel): %1<br/>Recv-Q %2 · Send-Q %3 · inode %4")
                       .arg(stateName(record.kernel->state))
                       .arg(record.kernel->recvQ)
                       .arg(record.kernel->sendQ)
                       .arg(record.kernel->inode);
    if (record.kernel && record.protocol == Protocol::Udp)
        tip += QStringLiteral("<br/>") + udpRecvQMeaning().toHtmlEscaped();
    if (record.kernel && record.kernel->tcpInfo)
        tip += QStringLiteral("<br/>TCP_INFO: ") + tcpInfoText(*record.kernel->tcpInfo);
    if (record.kernel && !record.kernel->sharedWith.isEmpty())
        tip += QStringLiteral("<br/><b>") + sharedPortText(*record.kernel).toHtmlEscaped()
               + QStringLiteral("</b>");
    if (record.protocol == Protocol::Udp && !record.remote)
        tip += tr("<br/>UDP has no connection: this one socket takes datagrams from every "
                  "sender, and each datagram carries its sender's address.");
    if (heldByNoProgram(record))
        tip += tr("<br/><i>Only the kernel holds this socket; no program has it open.</i>");
    else if (record.role == SocketRole::ExternalPeer)
        tip += tr("<br/><i>Another program's socket: that program holds it, not SocketScope.</i>");
    tip += tr("<br/>sent %1 · received %2")
                   .arg(byteCountText(record.bytesSent), byteCountText(record.bytesReceived));
    if (!record.activity.isEmpty())
        tip += QStringLiteral("<br/>") + record.activity.toHtmlEscaped();
    return tip;
}

bool DiagramText::heldByNoProgram(const SocketRecord &record)
{
    return record.kernelOnly && record.role != SocketRole::ExternalPeer;
}

QString DiagramText::outlineLegend()
{
    // Short: it shares one line with the state pills.
    return tr("highlight = what differs · dashed = kernel only · dotted = another program");
}

QString DiagramText::listenerCaption()
{
    return tr("listening socket");
}

bool DiagramText::tcpClientTakesNumber(const SocketRecord &record)
{
    return record.role != SocketRole::ExternalPeer && !record.kernelOnly;
}

QString DiagramText::tcpClientCaption(const SocketRecord &record, int number, bool compact)
{
    if (record.role == SocketRole::ExternalPeer)
        return record.program.isEmpty() ? tr("external client") : record.program;
    if (record.kernelOnly) // compact, beside a TIME_WAIT badge in half the width
        return compact ? tr("closed, kernel only") : tr("closed client (kernel only)");
    return tr("client %1").arg(number);
}

QString DiagramText::serverSideCaption(const SocketRecord &record, bool inChildProcess)
{
    // The worker that holds the socket gets a box of its own, as in the textbook figure.
    if (inChildProcess) // its pid: what ss -p shows as the owner, beside the parent's
        return tr("child process %1").arg(record.pid);
    if (record.threadId != 0)
        return tr("worker thread %1").arg(record.threadId);
    if (!record.kernelOnly)
        return tr("accepted socket");
    // Kernel-only on the server side: completed by the kernel but not yet accepted, or left
    // behind after the server's socket was closed.
    const bool queued = record.effectiveState() == SocketState::SynRecv
                        || record.effectiveState() == SocketState::Established;
    return queued ? tr("in the accept queue (kernel only)") : tr("closed (kernel only)");
}

QString DiagramText::workerBoxTooltip(const SocketRecord &record, bool inChildProcess)
{
    if (inChildProcess)
        return tr("its own process");
    if (record.threadId != 0)
        return tr("a thread of the server process");
    return {};
}

QString DiagramText::udpServerCaption(bool compact)
{
    return compact ? tr("its one UDP socket") : tr("the server's one UDP socket");
}

QString DiagramText::udpConnectedCaption(const SocketRecord &record)
{
    // Short enough for the card's width with any IPv4 peer.
    return tr("connected to %1")
            .arg(record.remote ? record.remote->toString() : QStringLiteral("*:*"));
}

bool DiagramText::udpClientTakesNumber(const SocketRecord &record)
{
    return record.role == SocketRole::UdpClient;
}

QString DiagramText::udpClientCaption(const SocketRecord &record, int number)
{
    if (record.role == SocketRole::UdpClient)
        return tr("udp client %1").arg(number);
    return record.program.isEmpty() ? tr("external sender") : record.program;
}

QString DiagramText::withFlowControlNote(const QString &caption, const SocketRecord &record)
{
    if (record.protocol != Protocol::Tcp || record.activity.isEmpty())
        return caption;
    return tr("%1 · paused").arg(caption);
}

DiagramText::UdpServerNotes DiagramText::udpServerNotes(const SocketRecord &record, bool compact)
{
    UdpServerNotes notes;
    // Recv-Q of a UDP socket is the datagrams' kernel memory: a payload reading would be false.
    if (compact) // the half-width frame
        notes.queue
                = record.kernel
                          ? tr("Recv-Q %1 B: kernel memory, not payload").arg(record.kernel->recvQ)
                          : tr("every client's datagrams arrive here");
    else
        notes.queue = record.kernel ? tr("receive queue (kernel Recv-Q): %1 B of kernel memory, "
                                         "not payload")
                                              .arg(record.kernel->recvQ)
                                    : tr("datagrams from every client arrive at this one socket");
    notes.activity = record.activity;
    // Another program on this very port is worth more than what the server does right now.
    if (record.kernel && !record.kernel->sharedWith.isEmpty()) {
        const QString shared = tr("port shared with %1 (SO_REUSEPORT): the kernel splits arrivals")
                                       .arg(record.kernel->sharedWith);
        notes.activity
                = record.activity.isEmpty() ? shared : shared + QLatin1Char('\n') + record.activity;
    }
    return notes;
}

QString DiagramText::udpServerNote()
{
    return tr("identified by its local address only — netstat shows no state for it");
}

QString DiagramText::hostTitle(const QHostAddress &address, bool compact)
{
    if (compact) // beside the server's frame, in the client column's width
        return address.isLoopback() ? tr("Host %1 (loopback)").arg(address.toString())
                                    : tr("Host (this machine)");
    return address.isLoopback() ? tr("Host %1 (this machine, loopback)").arg(address.toString())
                                : tr("Host (this machine)");
}

QString DiagramText::tcpSummary(const SocketRecord *listener, qsizetype listeners,
                                qsizetype serverSideSockets)
{
    if (listener)
        return tr("TCP: %1 listening + %2 server-side sockets, all on local port %3")
                .arg(listeners)
                .arg(serverSideSockets)
                .arg(listener->local.port);
    if (serverSideSockets)
        return tr("TCP: no listener; %1 server-side sockets live on").arg(serverSideSockets);
    return {};
}

QString DiagramText::tcpClientsTitle()
{
    return tr("TCP clients");
}

QString DiagramText::tcpServerTitle(qsizetype inChildren, qsizetype inThreads)
{
    if (inChildren)
        return tr("TCP server — a child process per client, each holding one accepted socket");
    if (inThreads)
        return tr("TCP server — one process, a thread per client");
    return tr("TCP server — one process, one listening socket, one accepted socket per client");
}

QString DiagramText::noListener()
{
    return tr("no listening socket: new clients are refused, accepted ones live on");
}

QString DiagramText::connectNote()
{
    return tr("each client's connect() reaches the listener;\naccept() then gives the server a "
              "new socket for it");
}

QString DiagramText::moreConnections(qsizetype hidden)
{
    return tr("+ %1 more connections — click to show all").arg(hidden);
}

QString DiagramText::fewerConnections()
{
    return tr("show fewer connections");
}

QString DiagramText::portSharing(const Endpoint &listening)
{
    return tr("same local %1 — the highlighted remote end tells them apart")
            .arg(listening.toString());
}

QString DiagramText::tcpServerFrameTitle(qsizetype inChildren, bool compact)
{
    if (!inChildren)
        return tr("server process");
    return compact ? tr("server: parent + children")
                   : tr("server: parent process and its children");
}

QString DiagramText::tcpServerFrameNote(qsizetype inChildren, qsizetype inParent, bool hasListener,
                                        qint64 pid)
{
    if (!inChildren)
        return tr("pid %1").arg(pid);
    if (!hasListener)
        return inParent ? tr("parent pid %1 holds no listener and %n accepted socket(s)", nullptr,
                             int(inParent))
                                  .arg(pid)
                        : tr("parent pid %1 holds no socket").arg(pid);
    return inParent ? tr("parent pid %1 holds the listener and %n accepted socket(s)", nullptr,
                         int(inParent))
                              .arg(pid)
                    : tr("parent pid %1 holds only the listener").arg(pid);
}

QString DiagramText::udpClientsTitle()
{
    return tr("UDP clients");
}

QString DiagramText::udpServerTitle(bool connectedSockets)
{
    // Connected UDP: the server holds a socket per client, all on its one local port.
    return connectedSockets
                   ? tr("UDP server — a connected socket per client, all on one local port")
                   : tr("UDP server — one socket, datagrams handled one after another");
}

QString DiagramText::udpConnectedNote()
{
    return tr("same local port: the kernel hands each client's datagrams to the socket "
              "connected to it, by the full 4-tuple");
}

QString DiagramText::noUdpServer()
{
    return tr("no UDP server socket");
}

QString DiagramText::udpServerFrameTitle()
{
    return tr("server process");
}

QString DiagramText::udpServerFrameNote(qint64 pid)
{
    return tr("pid %1 (same process, no children)").arg(pid);
}

QString DiagramText::moreUdpClients(qsizetype hidden)
{
    return tr("+ %1 more UDP clients").arg(hidden);
}

QString DiagramText::tcpSectionFolded(const SocketRecord *listener, qsizetype connections)
{
    const QString what
            = listener ? tr("TCP: listening on %1, %n connection(s)", nullptr, int(connections))
                                 .arg(listener->local.toString())
                       : tr("TCP: %n connection(s)", nullptr, int(connections));
    return tr("%1 — click to show").arg(what);
}

QString DiagramText::udpSectionFolded(const SocketRecord *server, qsizetype clients)
{
    const QString what
            = server ? tr("UDP: one server socket on %1, %n client(s)", nullptr, int(clients))
                               .arg(server->local.toString())
                     : tr("UDP: %n client(s)", nullptr, int(clients));
    return tr("%1 — click to show").arg(what);
}

QString DiagramText::datagramLabel(bool isReply, quint16 port)
{
    return isReply ? tr("reply → :%1").arg(port) : tr("src :%1").arg(port);
}

QString DiagramText::datagramRouteTooltip()
{
    return tr("Datagrams between this client and the server's socket in the last few seconds.\n"
              "UDP keeps no connection: the line is only the route they took, and it fades "
              "when they stop.");
}

} // namespace SocketScope
