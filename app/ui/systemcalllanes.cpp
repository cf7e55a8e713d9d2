// SPDX-License-Identifier: MIT
#include "systemcalllanes.h"

#include "diagrampalette.h"
#include "eventjournal.h"
#include "pacer.h"
#include "socketregistry.h"

#include <QCoreApplication>
#include <QPainter>

#include <algorithm>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::SystemCallLanesView", text);
}

// Lanes by call, in the order they first appear.
class LaneList
{
public:
    void add(const QString &call, const QString &qtCall, const SocketEvent &event,
             quint64 count = 1, const QString &note = {})
    {
        auto it = std::find_if(m_lanes.begin(), m_lanes.end(),
                               [&call](const SystemCallLane &lane) { return lane.call == call; });
        if (it == m_lanes.end()) {
            m_lanes.append({call, qtCall, {}, 0, {}, 0});
            it = m_lanes.end() - 1;
        }
        it->qtCall = qtCall;
        it->note = note;
        it->count += count;
        it->last = event.wallTime;
        it->lastSeq = event.seq;
    }
    QList<SystemCallLane> take() { return std::move(m_lanes); }

private:
    QList<SystemCallLane> m_lanes;
};

void addCreation(LaneList &lanes, const SocketEvent &event)
{
    const SocketRecord &record = *event.record;
    switch (record.role) {
    case SocketRole::TcpListener: {
        const QString qt = QStringLiteral("QTcpServer::listen()");
        lanes.add(QStringLiteral("socket(SOCK_STREAM)"), qt, event);
        lanes.add(QStringLiteral("bind()"), qt, event);
        lanes.add(QStringLiteral("listen()"), qt, event);
        break;
    }
    case SocketRole::TcpServerSide:
        lanes.add(QStringLiteral("accept()"), QStringLiteral("QTcpServer::nextPendingConnection()"),
                  event, 1,
                  tr("on the listener: the kernel's new socket for this client, same local "
                     "port"));
        break;
    case SocketRole::TcpClient: {
        const QString qt = QStringLiteral("QTcpSocket::connectToHost()");
        lanes.add(QStringLiteral("socket(SOCK_STREAM)"), qt, event);
        lanes.add(QStringLiteral("connect()"), qt, event, 1,
                  tr("sends the SYN; the kernel picks the local port"));
        break;
    }
    case SocketRole::UdpServer:
        lanes.add(QStringLiteral("socket(SOCK_DGRAM)"),
                  tr("SocketScope's own ::socket(), then QUdpSocket::setSocketDescriptor()"),
                  event);
        lanes.add(QStringLiteral("bind()"), tr("SocketScope's own ::bind()"), event);
        break;
    case SocketRole::UdpClient: {
        const QString qt = QStringLiteral("QUdpSocket::bind()");
        lanes.add(QStringLiteral("socket(SOCK_DGRAM)"), qt, event);
        lanes.add(QStringLiteral("bind()"), qt, event);
        break;
    }
    default:
        break; // another program's socket, or one only the kernel has
    }
}

void addTraffic(LaneList &lanes, const SocketEvent &event, bool connectedUdp)
{
    const bool sent = event.direction == TrafficDirection::Sent;
    if (event.protocol == Protocol::Tcp) {
        lanes.add(sent ? QStringLiteral("write()") : QStringLiteral("read()"),
                  sent ? QStringLiteral("QTcpSocket::write()")
                       : QStringLiteral("QTcpSocket::read()"),
                  event, event.count);
    } else if (sent) {
        lanes.add(connectedUdp ? QStringLiteral("write()") : QStringLiteral("sendto()"),
                  connectedUdp ? QStringLiteral("QUdpSocket::write()")
                               : QStringLiteral("QUdpSocket::writeDatagram()"),
                  event, event.count, tr("to %1").arg(event.peer.toString()));
    } else {
        lanes.add(QStringLiteral("recvfrom()"), QStringLiteral("QUdpSocket::receiveDatagram()"),
                  event, event.count,
                  tr("from %1: the sender's address comes with each datagram")
                          .arg(event.peer.toString()));
    }
}

void addSegment(LaneList &lanes, const SocketEvent &event)
{
    switch (event.kind) {
    case EventKind::FinSent:
    case EventKind::RstSent:
        if (event.text.startsWith(QLatin1String("shutdown"))) {
            lanes.add(event.text, tr("::shutdown() on QTcpSocket::socketDescriptor()"), event, 1,
                      tr("FIN sent; this side can still read"));
        } else if (event.text.contains(QLatin1String("SO_LINGER"))) {
            lanes.add(QStringLiteral("close()"),
                      tr("setsockopt(SO_LINGER 0), then QTcpSocket::abort()"), event, 1,
                      tr("RST sent: the connection is dropped, no TIME_WAIT"));
        } else if (!event.text.isEmpty()) {
            lanes.add(QStringLiteral("close()"), QStringLiteral("QTcpSocket::disconnectFromHost()"),
                      event, 1,
                      event.kind == EventKind::RstSent
                              ? tr("unread data in the kernel: close() sends RST")
                              : tr("FIN sent"));
        }
        break;
    case EventKind::FinReceived:
        lanes.add(QStringLiteral("read()"), QStringLiteral("QTcpSocket::read()"), event, 0,
                  tr("returned 0: the peer's FIN, end of its stream"));
        break;
    case EventKind::RstReceived:
        lanes.add(QStringLiteral("read()"), QStringLiteral("QTcpSocket::read()"), event, 0,
                  tr("failed: the peer's RST reset the connection"));
        break;
    default:
        break;
    }
}

} // namespace

QList<SystemCallLane> systemCallLanesOf(const EventJournal &journal, SocketId socket,
                                        quint64 upToSeq)
{
    LaneList lanes;
    if (journal.isEmpty() || socket == InvalidSocketId)
        return {};
    bool connectedUdp = false;
    bool closeSeen = false;
    for (const SocketEvent &event : journal.range(journal.firstSeq(), upToSeq)) {
        if (event.socket != socket)
            continue;
        if (event.createsSocket() && event.record) {
            addCreation(lanes, event);
            connectedUdp = event.record->protocol == Protocol::Udp && event.record->remote;
            continue;
        }
        switch (event.kind) {
        case EventKind::Connected:
            if (event.protocol == Protocol::Udp) {
                connectedUdp = true;
                lanes.add(QStringLiteral("connect()"),
                          QStringLiteral("QUdpSocket::connectToHost()"), event, 1,
                          tr("fixes the peer: no packet is sent"));
            }
            break;
        case EventKind::Traffic:
            addTraffic(lanes, event, connectedUdp);
            break;
        case EventKind::FinSent:
        case EventKind::RstSent:
            closeSeen = closeSeen || !event.text.startsWith(QLatin1String("shutdown"));
            addSegment(lanes, event);
            break;
        case EventKind::FinReceived:
        case EventKind::RstReceived:
            addSegment(lanes, event);
            break;
        case EventKind::Closed:
            // A TCP connection's close() is its FIN or RST above; the others close here.
            if (!closeSeen)
                lanes.add(QStringLiteral("close()"),
                          event.protocol == Protocol::Udp
                                  ? QStringLiteral("QUdpSocket::close()")
                                  : QStringLiteral("QAbstractSocket::close()"),
                          event);
            closeSeen = true;
            break;
        default:
            break;
        }
    }
    return lanes.take();
}

SystemCallLanesView::SystemCallLanesView(const EventJournal &journal,
                                         const SocketRegistry &presented, const Pacer *pacer,
                                         QWidget *parent)
    : QWidget(parent), m_journal(journal), m_presented(presented), m_pacer(pacer)
{
    setObjectName(QStringLiteral("systemCallLanes"));
    setMinimumSize(320, 160);
    // Repaints follow the moment the window shows, never a timer. With a pacer that is its
    // position, which also moves back (a seek restores the presented registry without
    // applying events); without one, the newest event.
    if (pacer) {
        m_followedSeq = pacer->position();
        connect(pacer, &Pacer::positionChanged, this, &SystemCallLanesView::followPosition);
    } else {
        connect(&presented, &SocketRegistry::eventApplied, this, [this](const SocketEvent &event) {
            if (event.socket == m_socket)
                update();
        });
    }
}

void SystemCallLanesView::followPosition(quint64 position)
{
    const quint64 from = qMin(position, m_followedSeq) + 1;
    const quint64 to = qMax(position, m_followedSeq);
    m_followedSeq = position;
    if (m_socket == InvalidSocketId)
        return;
    // Only a step over an event of this socket changes its lanes: live traffic on the other
    // sockets does not rebuild them from the journal once a frame.
    for (quint64 seq = from; seq <= to; ++seq) {
        const SocketEvent *event = m_journal.eventAt(seq);
        if (!event || event->socket == m_socket) {
            update();
            return;
        }
    }
}

void SystemCallLanesView::setSocket(SocketId id)
{
    if (id == m_socket)
        return;
    m_socket = id;
    update();
}

quint64 SystemCallLanesView::shownSeq() const
{
    return m_pacer ? m_pacer->position() : m_journal.lastSeq();
}

QList<SystemCallLane> SystemCallLanesView::lanes() const
{
    const quint64 seq = shownSeq();
    if (m_lanesSocket != m_socket || m_lanesSeq != seq) {
        m_lanes = systemCallLanesOf(m_journal, m_socket, seq);
        m_lanesSocket = m_socket;
        m_lanesSeq = seq;
    }
    return m_lanes;
}

QString SystemCallLanesView::litCall() const
{
    // One event can make several calls (listen() is socket, bind, listen): the last of them.
    QString latest;
    quint64 latestSeq = 0;
    for (const SystemCallLane &lane : lanes()) {
        if (lane.lastSeq >= latestSeq) {
            latestSeq = lane.lastSeq;
            latest = lane.call;
        }
    }
    return latest;
}

void SystemCallLanesView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const DiagramPalette palette = DiagramPalette::fromPalette(this->palette());
    painter.fillRect(rect(), palette.background);
    const QRectF area = QRectF(rect()).adjusted(8, 6, -8, -6);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(font().pointSizeF());
    mono.setBold(true);
    QFont small = font();
    small.setPointSizeF(qMax(6.5, font().pointSizeF() * 0.85));

    const SocketRecord *record = m_presented.find(m_socket);
    const QList<SystemCallLane> all = lanes();
    painter.setPen(palette.text);
    QFont title = font();
    title.setBold(true);
    painter.setFont(title);
    const QString heading
            = m_socket == InvalidSocketId
                      ? tr("Select a socket in the diagram or the table to see the system calls "
                           "that made and used it.")
              : all.isEmpty()
                      ? tr("No system call of ours: this socket is another program's, or one "
                           "only the kernel has (TIME_WAIT, not yet accepted).")
                      : tr("System calls of socket #%1 %2")
                                .arg(m_socket)
                                .arg(record ? QStringLiteral("(%1 \u2194 %2)")
                                                      .arg(record->local.toString(),
                                                           record->remote
                                                                   ? record->remote->toString()
                                                                   : QStringLiteral("*:*"))
                                            : tr("(closed)"));
    painter.drawText(QRectF(area.left(), area.top(), area.width(), 22),
                     Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, heading);
    const QString lit = litCall();
    const double rowHeight = qMax(20.0, QFontMetricsF(mono).height() + 6);
    double y = area.top() + 28;
    const double callWidth = qMin(200.0, area.width() * 0.28);
    const double countWidth = 70;
    for (const SystemCallLane &lane : all) {
        if (y + rowHeight > area.bottom() - 18)
            break;
        const QRectF row(area.left(), y, area.width(), rowHeight - 2);
        const bool isLit = lane.call == lit;
        painter.setPen(isLit ? palette.selection : palette.border);
        painter.setBrush(isLit ? palette.highlight : palette.boxFill);
        painter.drawRoundedRect(row, 4, 4);
        painter.setPen(palette.text);
        painter.setFont(mono);
        painter.drawText(
                row.adjusted(8, 0, 0, 0)
                        .intersected(QRectF(row.left() + 8, row.top(), callWidth, row.height())),
                Qt::AlignLeft | Qt::AlignVCenter, lane.call);
        painter.setFont(small);
        painter.drawText(
                QRectF(row.left() + 8 + callWidth, row.top(), countWidth, row.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                lane.count > 1 ? QStringLiteral("\u00d7%1").arg(lane.count)
                               : lane.last.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")));
        painter.setPen(palette.mutedText);
        const QString rest = lane.note.isEmpty()
                                     ? lane.qtCall
                                     : lane.qtCall + QStringLiteral(" \u2014 ") + lane.note;
        painter.drawText(QRectF(row.left() + 16 + callWidth + countWidth, row.top(),
                                row.width() - callWidth - countWidth - 24, row.height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetricsF(small).elidedText(
                                 rest, Qt::ElideRight, row.width() - callWidth - countWidth - 24));
        y += rowHeight;
    }
    painter.setPen(palette.mutedText);
    painter.setFont(small);
    painter.drawText(QRectF(area.left(), area.bottom() - 16, area.width(), 16),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     tr("The calls SocketScope's code made for this socket, from the journal; "
                        "the latest is lit. read()/write() count what was recorded, not every "
                        "syscall Qt made."));
}

} // namespace SocketScope
