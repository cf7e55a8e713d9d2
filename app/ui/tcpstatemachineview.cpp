// SPDX-License-Identifier: MIT
#include "tcpstatemachineview.h"

#include "diagrampalette.h"
#include "eventjournal.h"
#include "pacer.h"
#include "socketregistry.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace SocketScope {

namespace {

struct StateBox
{
    SocketState state;
    const char *label;
    QPointF at; // centre, as a fraction of the diagram's width and height
    bool end = false; // the CLOSED a connection ends in (bottom right), not the one it starts in
};

// The layout of RFC 793's figure 6: opening at the top, the two closing paths below.
constexpr StateBox kBoxes[] = {
        {SocketState::Close, "CLOSED", {0.50, 0.05}},
        {SocketState::Listen, "LISTEN", {0.50, 0.20}},
        {SocketState::SynRecv, "SYN_RCVD", {0.16, 0.36}},
        {SocketState::SynSent, "SYN_SENT", {0.84, 0.36}},
        {SocketState::Established, "ESTABLISHED", {0.50, 0.50}},
        {SocketState::FinWait1, "FIN_WAIT_1", {0.16, 0.65}},
        {SocketState::CloseWait, "CLOSE_WAIT", {0.84, 0.65}},
        {SocketState::FinWait2, "FIN_WAIT_2", {0.16, 0.81}},
        {SocketState::Closing, "CLOSING", {0.50, 0.74}},
        {SocketState::LastAck, "LAST_ACK", {0.84, 0.81}},
        {SocketState::TimeWait, "TIME_WAIT", {0.50, 0.94}},
        {SocketState::Close, "CLOSED", {0.84, 0.95}, true},
};

struct Transition
{
    SocketState from;
    SocketState to;
    const char *label; // the call, or the segment received / sent
    bool toEnd = false; // into the CLOSED a connection ends in
};

constexpr Transition kTransitions[] = {
        {SocketState::Close, SocketState::Listen, "listen()"},
        {SocketState::Close, SocketState::SynSent, "connect() / SYN"},
        {SocketState::Listen, SocketState::SynRecv, "SYN / SYN+ACK"},
        {SocketState::SynSent, SocketState::SynRecv, "SYN / ACK"},
        {SocketState::SynRecv, SocketState::Established, "ACK"},
        {SocketState::SynSent, SocketState::Established, "SYN+ACK / ACK"},
        {SocketState::Established, SocketState::FinWait1, "close() / FIN"},
        {SocketState::Established, SocketState::CloseWait, "FIN / ACK"},
        {SocketState::FinWait1, SocketState::FinWait2, "ACK"},
        {SocketState::FinWait1, SocketState::Closing, "FIN / ACK"},
        {SocketState::FinWait2, SocketState::TimeWait, "FIN / ACK"},
        {SocketState::Closing, SocketState::TimeWait, "ACK"},
        {SocketState::CloseWait, SocketState::LastAck, "close() / FIN"},
        {SocketState::LastAck, SocketState::Close, "ACK", true},
        {SocketState::TimeWait, SocketState::Close, "2 MSL timeout", true},
        {SocketState::SynSent, SocketState::Close, "close()"},
        {SocketState::Listen, SocketState::Close, "close()"},
};

const StateBox *boxOf(SocketState state, bool end = false)
{
    for (const StateBox &box : kBoxes) {
        if (box.state == state && box.end == (end && state == SocketState::Close))
            return &box;
    }
    return nullptr;
}

bool isTransition(SocketState from, SocketState to)
{
    return std::any_of(std::begin(kTransitions), std::end(kTransitions),
                       [from, to](const Transition &t) { return t.from == from && t.to == to; });
}

// Where a line from a box's centre towards `towards` leaves the box.
QPointF edgeOf(const QRectF &box, const QPointF &towards)
{
    const QPointF c = box.center();
    const QPointF d = towards - c;
    if (d.isNull())
        return c;
    const double sx = d.x() != 0 ? (box.width() / 2) / std::abs(d.x()) : 1e9;
    const double sy = d.y() != 0 ? (box.height() / 2) / std::abs(d.y()) : 1e9;
    return c + d * std::min(sx, sy);
}

void drawArrow(QPainter &painter, const QPointF &from, const QPointF &to, const QColor &colour,
               double width, Qt::PenStyle style)
{
    painter.setPen(QPen(colour, width, style, Qt::RoundCap));
    painter.drawLine(from, to);
    const double angle = std::atan2(to.y() - from.y(), to.x() - from.x());
    const double size = 5 + width * 1.5;
    QPainterPath head;
    head.moveTo(to);
    head.lineTo(to - QPointF(std::cos(angle - 0.45) * size, std::sin(angle - 0.45) * size));
    head.lineTo(to - QPointF(std::cos(angle + 0.45) * size, std::sin(angle + 0.45) * size));
    head.closeSubpath();
    painter.fillPath(head, colour);
}

} // namespace

QList<StatePathStep> statePathOf(const EventJournal &journal, SocketId socket, quint64 upToSeq)
{
    QList<StatePathStep> path;
    if (journal.isEmpty() || socket == InvalidSocketId)
        return path;
    QSet<SocketId> followed{socket};
    std::optional<SocketRecord> current;
    QHash<SocketId, SocketRecord> records;
    // The moment before the journal's first event may already hold the socket.
    if (const auto start = journal.snapshotAt(journal.firstSeq() - 1)) {
        for (const SocketRecord &record : *start)
            records.insert(record.id, record);
    }
    const auto note = [&path](SocketState state, const SocketEvent &event, StateSource source) {
        if (state == SocketState::Unknown || state == SocketState::Unconnected)
            return;
        if (!path.isEmpty() && path.constLast().state == state
            && source != StateSource::KernelTrace)
            return;
        path.append({state, event.wallTime, event.monotonicNs, source});
    };
    QString followedTuple;
    const auto tupleOf = [](Protocol protocol, const Endpoint &local,
                            const std::optional<Endpoint> &remote) -> QString {
        return protocolName(protocol) + local.toString()
               + (remote ? remote->toString() : QString());
    };
    for (const SocketEvent &event : journal.range(journal.firstSeq(), upToSeq)) {
        if (event.createsSocket()) {
            SocketRecord record = *event.record;
            record.id = event.socket;
            // The kernel's record of the same connection after ours closed (TIME_WAIT).
            if (!followed.contains(event.socket) && !followedTuple.isEmpty()
                && tupleOf(record.protocol, record.local, record.remote) == followedTuple)
                followed.insert(event.socket);
            records.insert(event.socket, record);
            if (followed.contains(event.socket)) {
                followedTuple = tupleOf(record.protocol, record.local, record.remote);
                note(record.effectiveState(), event,
                     record.kernel ? StateSource::KernelPoll : StateSource::Qt);
            }
            continue;
        }
        auto it = records.find(event.socket);
        if (it == records.end())
            continue;
        if (event.kind == EventKind::Removed) {
            records.erase(it);
            continue;
        }
        const SocketState before = it->effectiveState();
        applyEvent(event, *it);
        if (!followed.contains(event.socket))
            continue;
        followedTuple = tupleOf(it->protocol, it->local, it->remote);
        const bool traced
                = event.kind == EventKind::StateChanged && event.source == StateSource::KernelTrace;
        if (traced) // history or news, a traced step is a step of the path
            note(event.to, event, StateSource::KernelTrace);
        else if (it->effectiveState() != before)
            note(it->effectiveState(), event,
                 event.kind == EventKind::StateChanged ? event.source : StateSource::Qt);
    }
    std::stable_sort(path.begin(), path.end(), [](const StatePathStep &a, const StatePathStep &b) {
        return a.monotonicNs < b.monotonicNs;
    });
    // Qt's CLOSE (the program let go of its socket) is no TCP state when the kernel carries
    // the connection on (FIN_WAIT2 -> TIME_WAIT): it stays only as the path's last word.
    for (qsizetype i = path.size() - 2; i >= 0; --i) {
        if (path.at(i).state == SocketState::Close && path.at(i).source == StateSource::Qt)
            path.removeAt(i);
    }
    for (qsizetype i = path.size() - 1; i > 0; --i) {
        if (path.at(i).state != path.at(i - 1).state)
            continue;
        // One state seen twice: the traced step is when it began.
        if (path.at(i).source == StateSource::KernelTrace
            && path.at(i - 1).source != StateSource::KernelTrace)
            path.removeAt(i - 1);
        else
            path.removeAt(i);
    }
    return path;
}

TcpStateMachineView::TcpStateMachineView(const EventJournal &journal,
                                         const SocketRegistry &presented, const Pacer *pacer,
                                         QWidget *parent)
    : QWidget(parent), m_journal(journal), m_presented(presented), m_pacer(pacer)
{
    setObjectName(QStringLiteral("tcpStateMachine"));
    setMinimumSize(320, 180);
    // Repaints follow what the window shows: the presented registry, never a timer.
    connect(&presented, &SocketRegistry::socketChanged, this, [this](SocketId id) {
        if (id == m_socket)
            update();
    });
    connect(&presented, &SocketRegistry::socketAdded, this, qOverload<>(&QWidget::update));
    connect(&presented, &SocketRegistry::socketRemoved, this, qOverload<>(&QWidget::update));
}

void TcpStateMachineView::setSocket(SocketId id)
{
    m_socket = id;
    update();
}

SocketState TcpStateMachineView::litState() const
{
    const QList<StatePathStep> steps = path();
    if (const SocketRecord *record = m_presented.find(m_socket))
        return record->effectiveState();
    return steps.isEmpty() ? SocketState::Unknown : steps.constLast().state;
}

QList<StatePathStep> TcpStateMachineView::path() const
{
    const quint64 upTo = m_pacer ? m_pacer->position() : m_journal.lastSeq();
    if (m_pathSocket != m_socket || m_pathSeq != upTo) {
        m_path = statePathOf(m_journal, m_socket, upTo);
        m_pathSocket = m_socket;
        m_pathSeq = upTo;
    }
    return m_path;
}

QString TcpStateMachineView::note() const
{
    const SocketRecord *record = m_presented.find(m_socket);
    if (m_socket == InvalidSocketId || (!record && path().isEmpty()))
        return tr("Select a TCP socket in the diagram or the table to see its way through the "
                  "states.");
    if (record && record->protocol == Protocol::Udp)
        return tr("UDP has no state machine: a UDP socket is bound (UNCONN) or closed. There is "
                  "no handshake and no connection to tear down; every datagram stands alone.");
    const QList<StatePathStep> steps = path();
    const bool anyTraced = std::any_of(steps.cbegin(), steps.cend(), [](const StatePathStep &step) {
        return step.source == StateSource::KernelTrace;
    });
    if (m_exactFollowed && anyTraced)
        return tr("Exact: the steps marked ✓ are the kernel's own transitions (its "
                  "sock:inet_sock_set_state tracepoint), timed to the microsecond. The tracepoint "
                  "does not follow the time-wait socket a closed connection leaves, so "
                  "TIME_WAIT is what the next poll read.");
    if (m_exactFollowed)
        return tr("The kernel's transitions are followed exactly, but none of this socket's "
                  "were seen (it began before tracing, or is another machine's view).");
    return tr("The path as Qt and the kernel's polls saw it: a state held only between two "
              "polls can be missing (dashed: states passed unseen). %1")
            .arg(m_exactWhyNot);
}

void TcpStateMachineView::setExactTransitions(bool followed, const QString &whyNot)
{
    m_exactFollowed = followed;
    m_exactWhyNot = whyNot;
    update();
}

void TcpStateMachineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const DiagramPalette palette = DiagramPalette::fromPalette(this->palette());
    painter.fillRect(rect(), palette.background);
    const QRectF area = QRectF(rect()).adjusted(8, 8, -8, -8);
    const double listWidth = qMin(220.0, area.width() * 0.34);
    const QRectF diagram(area.left(), area.top(), area.width() - listWidth - 8, area.height() - 44);
    QFont small = font();
    small.setPointSizeF(qMax(6.5, small.pointSizeF() * 0.8));
    QFont boxFont = font();
    boxFont.setBold(true);
    boxFont.setPointSizeF(qMax(7.0, small.pointSizeF()));

    const QList<StatePathStep> steps = path();
    const SocketRecord *record = m_presented.find(m_socket);
    const bool udp = record && record->protocol == Protocol::Udp;
    const SocketState lit = udp ? SocketState::Unknown : litState();
    const QSizeF boxSize(qBound(74.0, diagram.width() * 0.2, 130.0),
                         qBound(20.0, diagram.height() * 0.07, 30.0));
    const auto rectOf = [&](SocketState state, bool end = false) {
        const StateBox *box = boxOf(state, end);
        const QPointF c(diagram.left() + box->at.x() * diagram.width(),
                        diagram.top() + box->at.y() * diagram.height());
        return QRectF(c - QPointF(boxSize.width() / 2, boxSize.height() / 2), boxSize);
    };
    const auto pathHas = [&steps](SocketState from, SocketState to) {
        for (qsizetype i = 1; i < steps.size(); ++i) {
            if (steps.at(i - 1).state == from && steps.at(i).state == to)
                return true;
        }
        return false;
    };
    const QColor accent(0xD5, 0x5E, 0x00);

    // Every transition, the path's own ones in the accent colour.
    painter.setFont(small);
    for (const Transition &t : kTransitions) {
        const QRectF a = rectOf(t.from);
        const QRectF b = rectOf(t.to, t.toEnd);
        QPointF from = edgeOf(a, b.center());
        QPointF to = edgeOf(b, a.center());
        // A pair of opposite transitions (CLOSED <-> LISTEN) side by side, not on one line.
        if (isTransition(t.to, t.from)) {
            const QPointF d = to - from;
            const double length = std::hypot(d.x(), d.y());
            const QPointF normal = length > 0 ? QPointF(-d.y(), d.x()) * (7 / length) : QPointF();
            from += normal;
            to += normal;
        }
        const bool taken = pathHas(t.from, t.to);
        drawArrow(painter, from, to, taken ? accent : palette.border, taken ? 2.6 : 1.0,
                  Qt::SolidLine);
        painter.setPen(taken ? accent : palette.mutedText);
        const QPointF mid = (from + to) / 2;
        const double side
                = isTransition(t.to, t.from) ? (t.from == SocketState::Close ? -34 : 34) : 0;
        painter.drawText(QRectF(mid.x() - 60 + side, mid.y() - 8, 120, 16), Qt::AlignCenter,
                         tr(t.label));
    }
    // Steps the path took that are no single transition: states passed between two polls.
    for (qsizetype i = 1; i < steps.size(); ++i) {
        const SocketState from = steps.at(i - 1).state;
        const SocketState to = steps.at(i).state;
        if (isTransition(from, to) || !boxOf(from) || !boxOf(to))
            continue;
        const QRectF a = rectOf(from);
        const QRectF b = rectOf(to, true);
        drawArrow(painter, edgeOf(a, b.center()), edgeOf(b, a.center()), accent, 2.0, Qt::DashLine);
    }
    // The states.
    // A connection that has ended is lit in the CLOSED it ended in.
    const bool ended = steps.size() > 1;
    for (const StateBox &box : kBoxes) {
        const QRectF r = rectOf(box.state, box.end);
        const bool isLit
                = box.state == lit && (box.state != SocketState::Close || box.end == ended);
        painter.setPen(QPen(isLit ? accent : palette.border, isLit ? 3 : 1));
        painter.setBrush(isLit ? palette.stateColour(box.state) : palette.boxFill);
        painter.drawRoundedRect(r, 6, 6);
        painter.setFont(boxFont);
        painter.setPen(isLit ? palette.stateTextColour(box.state) : palette.text);
        painter.drawText(r, Qt::AlignCenter, QString::fromLatin1(box.label));
    }
    // Step numbers beside the states the path reached.
    painter.setFont(small);
    for (qsizetype i = 0; i < steps.size(); ++i) {
        if (!boxOf(steps.at(i).state))
            continue;
        const QRectF r = rectOf(steps.at(i).state, i > 0);
        const QPointF at = r.topRight() + QPointF(i % 2 ? -18.0 : -4.0, -6.0);
        painter.setPen(Qt::NoPen);
        painter.setBrush(accent);
        painter.drawEllipse(at, 8, 8);
        painter.setPen(Qt::white);
        painter.drawText(QRectF(at.x() - 8, at.y() - 8, 16, 16), Qt::AlignCenter,
                         QString::number(i + 1));
    }

    // The path as a list, with times and who saw each step.
    const QRectF list(area.right() - listWidth, area.top(), listWidth, diagram.height());
    painter.setPen(palette.text);
    QFont title = small;
    title.setBold(true);
    painter.setFont(title);
    painter.drawText(list.topLeft() + QPointF(0, 12),
                     record             ? tr("Socket #%1").arg(record->id)
                     : !steps.isEmpty() ? tr("Socket #%1 (closed)").arg(m_socket)
                                        : tr("No socket selected"));
    painter.setFont(small);
    double y = list.top() + 32;
    for (qsizetype i = 0; i < steps.size() && y < list.bottom(); ++i, y += 16) {
        const StatePathStep &step = steps.at(i);
        painter.setPen(palette.text);
        // A traced step is timed to the µs from the path's first step; the others to the ms.
        const bool exact = step.source == StateSource::KernelTrace;
        const QString when
                = exact && i > 0 ? QStringLiteral("+%1 ms").arg(
                          double(step.monotonicNs - steps.first().monotonicNs) / 1e6, 0, 'f', 3)
                                 : step.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        painter.drawText(QPointF(list.left(), y),
                         QStringLiteral("%1. %2  %3  %4%5")
                                 .arg(i + 1)
                                 .arg(when, stateName(step.state), stateSourceName(step.source),
                                      exact ? QStringLiteral(" ✓") : QString()));
    }
    painter.setPen(palette.mutedText);
    painter.drawText(QRectF(area.left(), area.bottom() - 40, area.width(), 40),
                     Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignBottom, note());
}

} // namespace SocketScope
