// SPDX-License-Identifier: MIT
#include "diagramlayout.h"

#include "diagramplanbuilder.h"
#include "diagramtext.h"

#include <algorithm>
#include <utility>

namespace SocketScope {

namespace {

using Layout = DiagramLayout;

// Puts a TCP socket into the row of its connection: a new row, or the free side of the row
// its peer already opened.
void addToRow(const SocketRecord &record, QList<Layout::Row> &rows, QHash<QString, int> &rowOfKey)
{
    const bool rightSide = record.role == SocketRole::TcpServerSide;
    const QString key = Layout::pairKey(record);
    if (const auto found = key.isEmpty() ? rowOfKey.cend() : rowOfKey.constFind(key);
        found != rowOfKey.cend()) {
        const SocketRecord *&slot = rightSide ? rows[*found].right : rows[*found].left;
        if (!slot) {
            slot = &record;
            return;
        }
    }
    Layout::Row row;
    row.key = key;
    (rightSide ? row.right : row.left) = &record;
    if (!key.isEmpty())
        rowOfKey.insert(key, static_cast<int>(rows.size()));
    rows.append(row);
}

} // namespace

DiagramLayout::Sections DiagramLayout::classify(const QList<const SocketRecord *> &records,
                                                qint64 ownPid)
{
    Sections sections;
    QHash<QString, int> rowOfKey;
    for (const SocketRecord *record : records) {
        switch (record->role) {
        case SocketRole::TcpListener:
            sections.listeners.append(record);
            continue;
        case SocketRole::UdpServer:
            // A connected per-client socket has a remote end; the taught one does not.
            (record->remote ? sections.udpConnected : sections.udpServers).append(record);
            continue;
        case SocketRole::UdpClient:
            sections.udpClients.append(record);
            continue;
        default:
            break;
        }
        if (record->protocol == Protocol::Udp) {
            sections.udpClients.append(record);
            continue;
        }
        if (record->role == SocketRole::TcpServerSide) {
            ++sections.serverSideSockets;
            if (isInChildProcess(*record, ownPid))
                ++sections.inChildProcesses;
            else if (record->threadId != 0)
                ++sections.inThreads;
            // A kernel-only one (in the accept queue, or left in TIME_WAIT) nobody holds.
            if (!isInChildProcess(*record, ownPid) && !record->kernelOnly)
                ++sections.inParent;
        }
        addToRow(*record, sections.tcpRows, rowOfKey);
    }
    return sections;
}

namespace {

bool anyInFocus(const QList<const SocketRecord *> &sockets, const QSet<SocketId> &focus)
{
    return std::any_of(sockets.cbegin(), sockets.cend(),
                       [&focus](const SocketRecord *socket) { return focus.contains(socket->id); });
}

bool tcpInFocus(const DiagramLayout::Sections &sections, const QSet<SocketId> &focus)
{
    return anyInFocus(sections.listeners, focus)
           || std::any_of(sections.tcpRows.cbegin(), sections.tcpRows.cend(),
                          [&focus](const DiagramLayout::Row &row) {
                              return (row.left && focus.contains(row.left->id))
                                     || (row.right && focus.contains(row.right->id));
                          });
}

bool udpInFocus(const DiagramLayout::Sections &sections, const QSet<SocketId> &focus)
{
    return anyInFocus(sections.udpServers, focus) || anyInFocus(sections.udpConnected, focus)
           || anyInFocus(sections.udpClients, focus);
}

} // namespace

DiagramLayout::Plan DiagramLayout::plan(const QList<const SocketRecord *> &records,
                                        const Options &options)
{
    Sections sections = classify(records, options.ownPid);
    DiagramFold fold;
    fold.rowsPerSection = options.collapseLimit;
    if (!isCompact(options) || options.height <= 0 || options.showAll)
        return buildDiagramPlan(std::move(sections), options, fold);
    // As many rows per section as fit the room's height, from the standard fold down to one:
    // the tuples keep their size, the rest goes into "+ N more" (the rows in focus stay).
    // Still too tall at one row each, the section the moment is not about becomes one line;
    // without a focus, the UDP section (a tour tells TCP first).
    const auto fitting = [&](DiagramFold tried) {
        Plan plan;
        for (int rows = Options().collapseLimit; rows >= 1; --rows) {
            tried.rowsPerSection = rows;
            plan = buildDiagramPlan(sections, options, tried);
            if (plan.sceneRect.height() <= options.height)
                break;
        }
        return plan;
    };
    Plan plan = fitting(fold);
    const bool anyTcp = !sections.listeners.isEmpty() || !sections.tcpRows.isEmpty();
    const bool anyUdp = !sections.udpServers.isEmpty() || !sections.udpConnected.isEmpty()
                        || !sections.udpClients.isEmpty();
    if (plan.sceneRect.height() <= options.height || !anyTcp || !anyUdp)
        return plan;
    if (udpInFocus(sections, options.focus) && !tcpInFocus(sections, options.focus))
        fold.foldTcp = true;
    else
        fold.foldUdp = true;
    return fitting(fold);
}

QString DiagramLayout::udpQueueKey(SocketId id)
{
    return QStringLiteral("udp-queue-%1").arg(id);
}

QString DiagramLayout::udpActivityKey(SocketId id)
{
    return QStringLiteral("udp-activity-%1").arg(id);
}

bool DiagramLayout::changesLayout(const SocketRecord &before, const SocketRecord &after)
{
    return before.role != after.role || before.local != after.local || before.remote != after.remote
           || before.kernelOnly != after.kernelOnly
           || before.effectiveState() != after.effectiveState() || before.pid != after.pid
           || before.threadId != after.threadId
           || before.program != after.program
           // A TCP socket's activity (the flow-control pause) is part of its caption.
           || (after.protocol == Protocol::Tcp && before.activity != after.activity);
}

int DiagramLayout::collapseLimitToFit(qreal sceneHeight, qsizetype rowsShown, int sectionsWithRows,
                                      qreal height, int min, int max)
{
    if (sectionsWithRows <= 0)
        return max;
    // The scene's height is what does not depend on rows plus a pitch per row shown. Adding
    // or removing a "+ N more" line moves the estimate towards the same answer, so this
    // settles after one relayout.
    const qreal fixedHeight = sceneHeight - qreal(rowsShown) * RowPitch;
    const qreal rows = (height - fixedHeight) / RowPitch;
    return qBound(min, int(rows / sectionsWithRows), max);
}

bool DiagramLayout::isInChildProcess(const SocketRecord &record, qint64 ownPid)
{
    return record.pid != 0 && record.pid != ownPid;
}

namespace {

// An endpoint as nine UTF-16 units: its address as IPv6 (IPv4 as ::ffff:a.b.c.d, so a
// dual-stack listener's socket pairs with its IPv4 client), then its port. Not for reading:
// the key only has to be equal for the two ends of one connection, and this is built with
// no formatting, which the diagram does for every socket in every frame.
QString endpointKey(const Endpoint &endpoint)
{
    const Q_IPV6ADDR address = endpoint.address.toIPv6Address();
    QString key(9, Qt::Uninitialized);
    QChar *unit = key.data();
    for (int i = 0; i < 16; i += 2)
        *unit++ = QChar(static_cast<char16_t>((address[i] << 8) | address[i + 1]));
    *unit = QChar(static_cast<char16_t>(endpoint.port));
    return key;
}

} // namespace

QString DiagramLayout::pairKey(const SocketRecord &record)
{
    if (!record.remote)
        return {};
    const QString a = endpointKey(record.local);
    const QString b = endpointKey(*record.remote);
    return QChar(record.protocol == Protocol::Tcp ? u'T' : u'U') + qMin(a, b) + qMax(a, b);
}

int ClientNumbering::numberFor(SocketId id, Protocol protocol)
{
    auto it = m_numbers.find(id);
    if (it == m_numbers.end()) {
        int &next = protocol == Protocol::Tcp ? m_nextTcp : m_nextUdp;
        it = m_numbers.insert(id, next++);
    }
    return *it;
}

} // namespace SocketScope
