// SPDX-License-Identifier: MIT
#include "timelineplan.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <functional>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::Timeline", text);
}

QString laneKey(Protocol protocol, const Endpoint &local, const std::optional<Endpoint> &remote)
{
    return protocolName(protocol) + QLatin1Char(' ') + local.toString() + QLatin1Char(' ')
           + (remote ? remote->toString() : QStringLiteral("*"));
}

QString roleTitle(const SocketRecord &record)
{
    if (record.kernelOnly && record.role == SocketRole::TcpServerSide)
        return tr("not yet accepted #%1").arg(record.id);
    switch (record.role) {
    case SocketRole::TcpListener:
        return tr("listener #%1").arg(record.id);
    case SocketRole::TcpServerSide:
        return tr("accepted #%1").arg(record.id);
    case SocketRole::TcpClient:
        return tr("client #%1").arg(record.id);
    case SocketRole::UdpServer:
        return tr("UDP server #%1").arg(record.id);
    case SocketRole::UdpClient:
        return tr("UDP client #%1").arg(record.id);
    case SocketRole::ExternalPeer:
        return tr("other program #%1").arg(record.id);
    }
    return {};
}

QString creationLabel(EventKind kind)
{
    switch (kind) {
    case EventKind::Listening:
        return tr("listen()");
    case EventKind::Accepted:
        return tr("accept()");
    case EventKind::ConnectStarted:
        return tr("connect()");
    case EventKind::Bound:
        return tr("bind()");
    default:
        return tr("in the kernel");
    }
}

class Planner
{
public:
    TimelinePlan plan;

    void openLane(const SocketRecord &record)
    {
        const QString key = laneKey(record.protocol, record.local, record.remote);
        int lane = m_laneByKey.value(key, -1);
        if (lane < 0) {
            lane = int(plan.lanes.size());
            TimelineLane info;
            info.key = key;
            info.title = roleTitle(record);
            info.tuple = record.remote ? record.local.toString() + QStringLiteral(" \u2192 ")
                                                 + record.remote->toString()
                                       : record.local.toString();
            info.protocol = record.protocol;
            info.pid = record.ownerPid();
            plan.lanes.append(info);
            m_laneByKey.insert(key, lane);
            m_openBand.append(-1);
        }
        m_laneOf.insert(record.id, lane);
        m_records.insert(record.id, record);
        setBand(lane, record.effectiveState());
    }

    void add(const SocketEvent &event)
    {
        if (event.isLogLine())
            return;
        if (event.createsSocket()) {
            startColumn(event);
            SocketRecord record = *event.record;
            record.id = event.socket;
            openLane(record);
            const int lane = m_laneOf.value(event.socket);
            plan.lanes[lane].host = event.host;
            plan.marks.append({lane, column(), creationLabel(event.kind)});
            linkCreation(event, lane);
            return;
        }
        auto it = m_records.find(event.socket);
        if (it == m_records.end())
            return;
        const int lane = m_laneOf.value(event.socket);
        if (event.kind == EventKind::Removed) {
            m_records.erase(it);
            // A later socket of the same tuple (TIME_WAIT after the client's close) goes on
            // in this lane; the lane's band ends only if none holds it.
            if (std::none_of(m_records.cbegin(), m_records.cend(),
                             [&](const SocketRecord &r) { return m_laneOf.value(r.id) == lane; })) {
                startColumn(event);
                closeBand(lane);
            }
            return;
        }
        if (it->local != event.local || it->remote != event.remote)
            rekey(lane, event); // connect() bound the client's port: the lane is its tuple
        const SocketState before = it->effectiveState();
        const bool wasOpen = it->isOpen();
        applyEvent(event, *it);
        const SocketState after = it->effectiveState();
        switch (event.kind) {
        case EventKind::Traffic:
            startColumn(event);
            addTraffic(event, lane);
            break;
        case EventKind::FinSent:
        case EventKind::RstSent:
            startColumn(event);
            m_unmatchedEnds[lane].append(column());
            plan.marks.append(
                    {lane, column(), event.kind == EventKind::FinSent ? tr("FIN") : tr("RST")});
            break;
        case EventKind::FinReceived:
        case EventKind::RstReceived:
            startColumn(event);
            addEnd(event, lane);
            break;
        case EventKind::Closed:
            startColumn(event);
            if (wasOpen)
                plan.marks.append({lane, column(), tr("close()")});
            break;
        default:
            if (before == after)
                return; // nothing to draw: no column
            startColumn(event);
            break;
        }
        if (before != after) {
            setBand(lane, after);
            plan.marks.append({lane, column(),
                               stateName(before) + QStringLiteral(" \u2192 ") + stateName(after)});
        }
    }

    void finish()
    {
        // A state that still holds runs on past the newest event, so it reads as going on
        // (and has room for its name).
        for (TimelineBand &band : plan.bands) {
            if (band.toColumn < 0)
                band.toColumn = plan.columns() + TimelinePlan::OpenRunColumns;
        }
    }

private:
    int column() const { return plan.columns() - 1; }

    void rekey(int lane, const SocketEvent &event)
    {
        TimelineLane &info = plan.lanes[lane];
        m_laneByKey.remove(info.key);
        info.key = laneKey(event.protocol, event.local, event.remote);
        info.tuple = event.remote ? event.local.toString() + QStringLiteral(" \u2192 ")
                                            + event.remote->toString()
                                  : event.local.toString();
        m_laneByKey.insert(info.key, lane);
    }

    void startColumn(const SocketEvent &event)
    {
        plan.columnSeq.append(event.seq);
        plan.columnNs.append(event.monotonicNs);
    }

    void setBand(int lane, SocketState state)
    {
        const int open = m_openBand.at(lane);
        const int at = qMax(0, plan.columns() - 1);
        if (open >= 0) {
            if (plan.bands.at(open).state == state)
                return;
            plan.bands[open].toColumn = at;
        }
        m_openBand[lane] = int(plan.bands.size());
        plan.bands.append({lane, at, -1, state});
    }

    void closeBand(int lane)
    {
        const int open = m_openBand.at(lane);
        if (open >= 0)
            plan.bands[open].toColumn = plan.columns();
        m_openBand[lane] = -1;
    }

    int laneWhere(const std::function<bool(const SocketRecord &)> &matches) const
    {
        for (auto it = m_records.cbegin(); it != m_records.cend(); ++it) {
            if (matches(*it))
                return m_laneOf.value(it.key(), -1);
        }
        return -1;
    }

    void linkCreation(const SocketEvent &event, int lane)
    {
        const SocketRecord &record = m_records[event.socket];
        if (event.kind == EventKind::ConnectStarted && record.remote) {
            const Endpoint server = *record.remote;
            const int listener = laneWhere([&](const SocketRecord &r) {
                return r.role == SocketRole::TcpListener && r.local.port == server.port;
            });
            plan.arrows.append(
                    {TimelineArrow::Kind::Connect, lane, listener, column(), column(), tr("SYN")});
        } else if (event.kind == EventKind::Accepted) {
            const int listener = laneWhere([&](const SocketRecord &r) {
                return r.role == SocketRole::TcpListener && r.local.port == record.local.port;
            });
            if (listener >= 0)
                // Unlabelled: the new socket's own mark says accept().
                plan.arrows.append({TimelineArrow::Kind::Accept, listener, lane, column(), column(),
                                    QString()});
        }
    }

    void addTraffic(const SocketEvent &event, int lane)
    {
        const QString size = event.count > 1 ? tr("%1 B in %2").arg(event.bytes).arg(event.count)
                                             : tr("%1 B").arg(event.bytes);
        const auto kind
                = event.datagram ? TimelineArrow::Kind::Datagram : TimelineArrow::Kind::Data;
        if (event.direction == TrafficDirection::Sent) {
            m_unmatchedSends[lane].append(column());
            return;
        }
        const SocketRecord &receiver = m_records[event.socket];
        // Who sent it: the lane whose tuple is ours reversed; failing that, an unconnected
        // socket at the peer's address (a UDP server answering). By lane, not by socket: the
        // sender may be gone by now (a daytime server closes right after its line).
        int sender = m_laneByKey.value(laneKey(receiver.protocol, event.peer, receiver.local), -1);
        if (sender < 0)
            sender = m_laneByKey.value(laneKey(receiver.protocol, event.peer, std::nullopt), -1);
        if (sender >= 0 && receiver.protocol == Protocol::Tcp && !m_unmatchedSends.contains(sender))
            sender = -1; // a listener sends nothing: no lane of ours sent this
        int from = column();
        if (sender >= 0 && !m_unmatchedSends.value(sender).isEmpty())
            from = m_unmatchedSends[sender].takeFirst();
        plan.arrows.append({kind, sender, lane, from, column(), size});
    }

    // A FIN or RST that arrived: from the peer's lane (the tuple reversed), from the moment
    // that lane sent it if we saw that, else from nowhere we know (another program's end).
    void addEnd(const SocketEvent &event, int lane)
    {
        const SocketRecord &receiver = m_records[event.socket];
        const int sender = receiver.remote ? m_laneByKey.value(
                                   laneKey(receiver.protocol, *receiver.remote, receiver.local), -1)
                                           : -1;
        int from = column();
        if (sender >= 0 && !m_unmatchedEnds.value(sender).isEmpty())
            from = m_unmatchedEnds[sender].takeFirst();
        const bool fin = event.kind == EventKind::FinReceived;
        plan.arrows.append({fin ? TimelineArrow::Kind::Fin : TimelineArrow::Kind::Rst, sender, lane,
                            from, column(), fin ? tr("FIN") : tr("RST")});
    }

    QHash<QString, int> m_laneByKey;
    QHash<SocketId, int> m_laneOf;
    QHash<SocketId, SocketRecord> m_records;
    QList<int> m_openBand; // per lane: the index of its open band, -1 when none
    QHash<int, QList<int>> m_unmatchedSends; // per lane: columns of sends not yet received
    QHash<int, QList<int>> m_unmatchedEnds; // per lane: columns of FIN/RST not yet seen
};

} // namespace

int TimelinePlan::columnOf(quint64 seq) const
{
    const auto it = std::upper_bound(columnSeq.cbegin(), columnSeq.cend(), seq);
    return it == columnSeq.cbegin() ? -1 : int(std::distance(columnSeq.cbegin(), it)) - 1;
}

TimelinePlan planTimeline(const QList<SocketRecord> &start, const QList<SocketEvent> &events)
{
    Planner planner;
    for (const SocketRecord &record : start)
        planner.openLane(record);
    for (const SocketEvent &event : events)
        planner.add(event);
    planner.finish();
    return std::move(planner.plan);
}

} // namespace SocketScope
