// SPDX-License-Identifier: MIT
#include "diagramlayout.h"

#include "diagramtext.h"

#include <utility>

namespace SocketScope {

namespace {

// Scene geometry, in scene units (pixels at 100 % zoom).
constexpr qreal kHostLeft = 20;
constexpr qreal kHostWidth = 1560;
constexpr qreal kLeftX = 48;
constexpr qreal kCardWidth = 470;
constexpr qreal kServerFrameX = 740;
constexpr qreal kServerFrameWidth = 820;
constexpr qreal kServerCardX = 760;
constexpr qreal kServerCardWidth = 520;
// How wide a card may grow for a long tuple: the client column up to shortly before the
// server's frame, the server's cards up to the host's edge (minus the accept queue's room).
constexpr qreal kMaxCardWidth = kServerFrameX - kLeftX - 40;
constexpr qreal kMaxServerCardWidth = kHostLeft + kHostWidth - kServerCardX - 140;
constexpr qreal kRowPitch = DiagramLayout::RowPitch;
constexpr qreal kCardHeight = DiagramLayout::CardHeight;

using Layout = DiagramLayout;

// Fills one plan, top to bottom: the host's title, the TCP section, the UDP section, the
// legend and the host's frame around them all.
class PlanBuilder
{
public:
    PlanBuilder(const QList<const SocketRecord *> &records, const Layout::Options &options)
        : m_options(options)
    {
        m_plan.sections = Layout::classify(records, options.ownPid);
    }

    Layout::Plan build()
    {
        measureColumns();
        qreal y = placeHostTitle(40);
        y = placeTcp(y + 40);
        y = placeUdp(y);
        m_plan.legendPos = QPointF(kLeftX - 8, y);
        y += 50;
        frame(QStringLiteral("host"), Layout::FrameKind::Host,
              QRectF(kHostLeft, 20, kHostWidth, y - 20), QString(), QString());
        m_plan.sceneRect = QRectF(0, 0, kHostLeft * 2 + kHostWidth, y + 20);
        return std::move(m_plan);
    }

private:
    const Layout::Sections &sections() const { return m_plan.sections; }
    const SocketRecord *firstListener() const
    {
        return sections().listeners.isEmpty() ? nullptr : sections().listeners.first();
    }
    qsizetype shownOf(qsizetype count) const
    {
        return m_options.showAll ? count : qMin<qsizetype>(count, m_options.collapseLimit);
    }
    int number(const SocketRecord &record) const
    {
        return m_options.clientNumber ? m_options.clientNumber(record.id, record.protocol) : 0;
    }

    qreal need(const SocketRecord &record) const
    {
        return m_options.cardWidth ? m_options.cardWidth(record) : 0;
    }
    // Each column of cards is as wide as its widest shown card needs (one right edge for the
    // connection lines to start from), at least the default and at most what fits.
    void measureColumns()
    {
        m_clientWidth = kCardWidth;
        m_serverSideWidth = kServerCardWidth - 30;
        m_serverWidth = kServerCardWidth;
        if (!m_options.cardWidth)
            return;
        const QList<Layout::Row> &rows = sections().tcpRows;
        for (qsizetype i = 0; i < shownOf(rows.size()); ++i) {
            if (const SocketRecord *left = rows.at(i).left)
                m_clientWidth = qMax(m_clientWidth, need(*left));
            if (const SocketRecord *right = rows.at(i).right)
                m_serverSideWidth = qMax(m_serverSideWidth, need(*right));
        }
        const QList<const SocketRecord *> &udpClients = sections().udpClients;
        for (qsizetype i = 0; i < shownOf(udpClients.size()); ++i)
            m_clientWidth = qMax(m_clientWidth, need(*udpClients.at(i)));
        for (const SocketRecord *connected : sections().udpConnected)
            m_serverSideWidth = qMax(m_serverSideWidth, need(*connected));
        for (const auto *list : {&sections().listeners, &sections().udpServers}) {
            for (const SocketRecord *server : *list)
                m_serverWidth = qMax(m_serverWidth, need(*server));
        }
        m_clientWidth = qMin(m_clientWidth, kMaxCardWidth);
        m_serverSideWidth = qMin(m_serverSideWidth, kMaxServerCardWidth - 30);
        m_serverWidth = qMin(qMax(m_serverWidth, m_serverSideWidth + 30), kMaxServerCardWidth);
    }

    void text(const QString &key, const QString &content, const QPointF &pos,
              Layout::TextStyle style, bool alignRight = false)
    {
        m_plan.texts.append({key, content, pos, style, alignRight});
    }
    void card(const SocketRecord &record, const QPointF &pos, qreal width, const QString &caption,
              bool raised = false)
    {
        m_plan.cards.append({record.id, pos, width, caption, raised});
    }
    void frame(const QString &key, Layout::FrameKind kind, const QRectF &rect, const QString &title,
               const QString &note, const QString &toolTip = QString())
    {
        m_plan.frames.append({key, kind, rect, title, note, toolTip});
    }

    // The host: every socket drawn here lives on this one machine.
    qreal placeHostTitle(qreal y)
    {
        const SocketRecord *listener = firstListener();
        const QHostAddress address
                = listener ? listener->local.address : QHostAddress(QHostAddress::LocalHost);
        text(QStringLiteral("host-title"), DiagramText::hostTitle(address),
             QPointF(kLeftX - 8, y - 8), Layout::TextStyle::Title);
        text(QStringLiteral("host-summary"),
             DiagramText::tcpSummary(listener, sections().listeners.size(),
                                     sections().serverSideSockets),
             QPointF(kHostLeft + kHostWidth - 20, y - 4), Layout::TextStyle::Note, true);
        return y;
    }

    qreal placeTcp(qreal y)
    {
        text(QStringLiteral("tcp-clients-title"), DiagramText::tcpClientsTitle(),
             QPointF(kLeftX - 8, y), Layout::TextStyle::Section);
        text(QStringLiteral("tcp-server-title"),
             DiagramText::tcpServerTitle(sections().inChildProcesses, sections().inThreads),
             QPointF(kServerFrameX, y), Layout::TextStyle::Section);
        const qreal serverTop = y + 28;
        const qreal serverY = placeListeners(serverTop + 34);
        qreal rowY = placeTcpRows(serverTop, serverY);
        rowY = placeFold(rowY);
        const SocketRecord *listener = firstListener();
        if (sections().serverSideSockets > 1 && listener) {
            text(QStringLiteral("port-sharing"), DiagramText::portSharing(listener->local),
                 QPointF(kServerCardX + 30, rowY - 14), Layout::TextStyle::SectionEmphasis);
            rowY += 20;
        }
        const qreal bottom = qMax(rowY, serverY);
        frame(QStringLiteral("tcp-server-process"), Layout::FrameKind::Process,
              QRectF(kServerFrameX, serverTop, kServerFrameWidth, bottom - serverTop + 6),
              DiagramText::tcpServerFrameTitle(sections().inChildProcesses),
              DiagramText::tcpServerFrameNote(sections().inChildProcesses,
                                              listener ? listener->pid : m_options.ownPid));
        return bottom + 30;
    }

    qreal placeListeners(qreal y)
    {
        for (const SocketRecord *listener : sections().listeners) {
            card(*listener, QPointF(kServerCardX, y), m_serverWidth, DiagramText::listenerCaption(),
                 true);
            m_plan.queues.append({listener->id, QPointF(kServerCardX + m_serverWidth + 20,
                                                        y + Layout::CardBoxTop - 6)});
            y += kRowPitch;
        }
        if (sections().listeners.isEmpty()) {
            text(QStringLiteral("no-listener"), DiagramText::noListener(),
                 QPointF(kServerCardX, y + 6), Layout::TextStyle::NoteItalic);
            y += 40;
        }
        return y;
    }

    qreal placeTcpRows(qreal serverTop, qreal rowY)
    {
        const QList<Layout::Row> &rows = sections().tcpRows;
        if (!rows.isEmpty() && firstListener()) {
            m_plan.connectNoteKey = QStringLiteral("connect-note");
            text(m_plan.connectNoteKey, DiagramText::connectNote(),
                 QPointF(kLeftX + 140, serverTop + 30), Layout::TextStyle::Note);
            m_plan.connectArrowTo = firstListener()->id;
        }
        const qsizetype shown = shownOf(rows.size());
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const Layout::Row &row = rows.at(i);
            if (i >= shown) {
                m_plan.hiddenSockets += (row.left ? 1 : 0) + (row.right ? 1 : 0);
                continue;
            }
            if (row.left)
                placeTcpClient(*row.left, rowY);
            if (row.right)
                placeServerSide(*row.right, rowY);
            if (row.left && row.right)
                m_plan.lines.append({row.key, row.left->id, row.right->id});
            rowY += kRowPitch;
        }
        m_plan.rowsShown += shown;
        return rowY;
    }

    void placeTcpClient(const SocketRecord &record, qreal y)
    {
        const int clientNumber = DiagramText::tcpClientTakesNumber(record) ? number(record) : 0;
        card(record, QPointF(kLeftX, y), m_clientWidth,
             DiagramText::withFlowControlNote(DiagramText::tcpClientCaption(record, clientNumber),
                                              record));
    }

    void placeServerSide(const SocketRecord &record, qreal y)
    {
        const bool inChild = Layout::isInChildProcess(record, m_options.ownPid);
        card(record, QPointF(kServerCardX + 30, y), m_serverSideWidth,
             DiagramText::withFlowControlNote(DiagramText::serverSideCaption(record, inChild),
                                              record));
        // The worker that holds the socket gets a box of its own, as in the textbook figure.
        const QString worker = DiagramText::workerBoxTooltip(record, inChild);
        if (!worker.isEmpty())
            frame(QStringLiteral("worker-%1").arg(record.id), Layout::FrameKind::Worker,
                  QRectF(kServerCardX + 20, y - 6, m_serverSideWidth + 20, kCardHeight + 12),
                  QString(), QString(), worker);
    }

    qreal placeFold(qreal y)
    {
        const qsizetype rows = sections().tcpRows.size();
        const qsizetype shown = shownOf(rows);
        const QString key = QStringLiteral("more-rows");
        if (rows > shown)
            text(key, DiagramText::moreConnections(rows - shown), QPointF(kLeftX, y),
                 Layout::TextStyle::FoldTcp);
        else if (m_options.showAll && rows > m_options.collapseLimit)
            text(key, DiagramText::fewerConnections(), QPointF(kLeftX, y),
                 Layout::TextStyle::FoldTcp);
        else
            return y;
        m_plan.foldKey = key;
        return y + 40;
    }

    qreal placeUdp(qreal y)
    {
        text(QStringLiteral("udp-clients-title"), DiagramText::udpClientsTitle(),
             QPointF(kLeftX - 8, y), Layout::TextStyle::Section);
        text(QStringLiteral("udp-server-title"), DiagramText::udpServerTitle(),
             QPointF(kServerFrameX, y), Layout::TextStyle::Section);
        const qreal udpTop = y + 28;
        const qreal serverBottom = placeUdpServers(udpTop + 34);
        frame(QStringLiteral("udp-server-process"), Layout::FrameKind::Process,
              QRectF(kServerFrameX, udpTop, kServerFrameWidth, serverBottom - udpTop),
              DiagramText::udpServerFrameTitle(),
              DiagramText::udpServerFrameNote(m_options.ownPid));
        const qreal clientBottom = placeUdpClients(udpTop + 34);
        m_plan.sectionsWithRows = (sections().tcpRows.isEmpty() ? 0 : 1)
                                  + (sections().udpClients.isEmpty() ? 0 : 1);
        return qMax(clientBottom, serverBottom) + 20;
    }

    qreal placeUdpServers(qreal y)
    {
        for (const SocketRecord *server : sections().udpServers) {
            card(*server, QPointF(kServerCardX, y), m_serverWidth, DiagramText::udpServerCaption());
            text(QStringLiteral("udp-note-%1").arg(server->id), DiagramText::udpServerNote(),
                 QPointF(kServerCardX + 14, y + kCardHeight + 4), Layout::TextStyle::NoteItalic);
            const DiagramText::UdpServerNotes notes = DiagramText::udpServerNotes(*server);
            text(Layout::udpQueueKey(server->id), notes.queue,
                 QPointF(kServerCardX + 14, y + kCardHeight + 24), Layout::TextStyle::Reading);
            if (!notes.activity.isEmpty())
                text(Layout::udpActivityKey(server->id), notes.activity,
                     QPointF(kServerCardX + 14, y + kCardHeight + 44), Layout::TextStyle::Reading);
            y += kCardHeight + 80;
        }
        for (const SocketRecord *connected : sections().udpConnected) {
            card(*connected, QPointF(kServerCardX + 30, y), m_serverSideWidth,
                 DiagramText::udpConnectedCaption(*connected));
            y += kRowPitch;
        }
        if (!sections().udpConnected.isEmpty()) {
            text(QStringLiteral("udp-connected-note"), DiagramText::udpConnectedNote(),
                 QPointF(kServerCardX + 14, y - 10), Layout::TextStyle::NoteItalic);
            y += 24;
        }
        if (sections().udpServers.isEmpty()) {
            text(QStringLiteral("no-udp-server"), DiagramText::noUdpServer(),
                 QPointF(kServerCardX, y + 6), Layout::TextStyle::NoteItalic);
            y += 40;
        }
        return y;
    }

    qreal placeUdpClients(qreal y)
    {
        const QList<const SocketRecord *> &clients = sections().udpClients;
        const qsizetype shown = shownOf(clients.size());
        for (qsizetype i = 0; i < clients.size(); ++i) {
            const SocketRecord &record = *clients.at(i);
            m_plan.udpClientByLocal.insert(record.local.toString(), record.id);
            if (i >= shown) {
                ++m_plan.hiddenSockets;
                continue;
            }
            const int clientNumber = DiagramText::udpClientTakesNumber(record) ? number(record) : 0;
            card(record, QPointF(kLeftX, y), m_clientWidth,
                 DiagramText::udpClientCaption(record, clientNumber));
            y += kRowPitch;
        }
        m_plan.rowsShown += shown;
        if (clients.size() > shown) {
            text(QStringLiteral("more-udp"), DiagramText::moreUdpClients(clients.size() - shown),
                 QPointF(kLeftX, y), Layout::TextStyle::FoldUdp);
            y += 40;
        }
        return y;
    }

    const Layout::Options &m_options;
    Layout::Plan m_plan;
    qreal m_clientWidth = kCardWidth;
    qreal m_serverSideWidth = kServerCardWidth - 30;
    qreal m_serverWidth = kServerCardWidth;
};

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
        }
        addToRow(*record, sections.tcpRows, rowOfKey);
    }
    return sections;
}

DiagramLayout::Plan DiagramLayout::plan(const QList<const SocketRecord *> &records,
                                        const Options &options)
{
    return PlanBuilder(records, options).build();
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
