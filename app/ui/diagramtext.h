// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QCoreApplication>
#include <QStringList>

namespace SocketScope {

// Everything a socket card shows, computed from a record. Items only paint it.
struct SocketCard
{
    QString caption; // "client 3", "server socket (accepted)"
    QString detail; // "pid 4211 · 12 B sent · 12 B received"
    QString protocol; // "TCP" / "UDP"
    QStringList tupleParts; // "{", "127.0.0.1:9877", ", ", "127.0.0.1:51234", "}"
    int highlightPart = -1; // the part that tells this socket apart from its neighbours
    SocketState state = SocketState::Unknown;
    QString stateText;
    bool kernelOnly = false; // no program holds it (drawn dashed)
    bool otherProgram = false; // another program holds it, e.g. a student's nc (drawn dotted)
    bool operator==(const SocketCard &other) const = default;
};

// Every word the diagram writes: card captions and numbers, tooltips, section titles and
// notes, datagram labels. One place, so the picture, its tooltips and its exports agree and
// the layout only decides where the words go.
class DiagramText
{
    // The scene's translation context, kept when the words moved here.
    Q_DECLARE_TR_FUNCTIONS(SocketScope::DiagramScene)
public:
    // The card without its caption (the caption depends on the socket's place in the picture).
    static SocketCard card(const SocketRecord &record);
    static QString tooltip(const SocketRecord &record);
    // Only the kernel holds it: no program at all. Another program's socket (ExternalPeer) is
    // kernel-only to us, since Qt does not have it, but its program does.
    static bool heldByNoProgram(const SocketRecord &record);
    // The legend's key to the outlines, in the words the cards are drawn by.
    static QString outlineLegend();

    // Captions. `number` is the client's number in order of appearance.
    static QString listenerCaption();
    static QString tcpClientCaption(const SocketRecord &record, int number, bool compact = false);
    // A kernel-only client socket outlived the client that closed it (TIME_WAIT): it gets no
    // client number, which belongs to a program, not to the kernel.
    static bool tcpClientTakesNumber(const SocketRecord &record);
    static QString serverSideCaption(const SocketRecord &record, bool inChildProcess);
    // What the box around a worker-held socket says when hovered (empty: no box).
    static QString workerBoxTooltip(const SocketRecord &record, bool inChildProcess);
    static QString udpServerCaption(bool compact = false);
    static QString udpConnectedCaption(const SocketRecord &record);
    static QString udpClientCaption(const SocketRecord &record, int number);
    static bool udpClientTakesNumber(const SocketRecord &record);
    // A TCP socket's only activity line is the flow-control pause: short on the card, in
    // full in tooltip and inspector.
    static QString withFlowControlNote(const QString &caption, const SocketRecord &record);

    // The lines under the UDP server's socket.
    struct UdpServerNotes
    {
        QString queue; // the kernel's receive queue
        QString activity; // what the server is handling now
    };
    static UdpServerNotes udpServerNotes(const SocketRecord &record, bool compact = false);
    static QString udpServerNote();

    // Section titles and notes.
    static QString hostTitle(const QHostAddress &address, bool compact = false);
    static QString tcpSummary(const SocketRecord *listener, qsizetype listeners,
                              qsizetype serverSideSockets);
    static QString tcpClientsTitle();
    static QString tcpServerTitle(qsizetype inChildren, qsizetype inThreads);
    static QString noListener();
    static QString connectNote();
    static QString moreConnections(qsizetype hidden);
    static QString fewerConnections();
    static QString portSharing(const Endpoint &listening);
    // Compact (the hall's large text), the short form fits the half-width frame.
    static QString tcpServerFrameTitle(qsizetype inChildren, bool compact = false);
    // What the parent process holds while children serve clients: the listener (if there is
    // one) and `inParent` accepted sockets of its own (served before the children, or by
    // threads).
    static QString tcpServerFrameNote(qsizetype inChildren, qsizetype inParent, bool hasListener,
                                      qint64 pid);
    static QString udpClientsTitle();
    static QString udpServerTitle(bool connectedSockets = false);
    static QString udpConnectedNote();
    static QString noUdpServer();
    static QString udpServerFrameTitle();
    static QString udpServerFrameNote(qint64 pid);
    static QString moreUdpClients(qsizetype hidden);
    // A whole section folded into one line, when the picture at the hall's text size has no
    // room for it beside the section the moment is about.
    static QString tcpSectionFolded(const SocketRecord *listener, qsizetype connections);
    static QString udpSectionFolded(const SocketRecord *server, qsizetype clients);

    // What a datagram in flight carries beside it: its sender's port, or where a reply goes.
    static QString datagramLabel(bool isReply, quint16 port);
    static QString datagramRouteTooltip();
};

} // namespace SocketScope
