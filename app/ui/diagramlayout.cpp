// SPDX-License-Identifier: MIT
#include "diagramlayout.h"

#include "diagramtext.h"

#include <utility>

namespace SocketScope {

namespace {

constexpr qreal kRowPitch = DiagramLayout::RowPitch;
constexpr qreal kCardHeight = DiagramLayout::CardHeight;
// The accept queue's drawing (AcceptQueueItem), left of the listener in the compact picture.
constexpr qreal kQueueWidth = 170;

// Where the columns go, in scene units (pixels at 100 % zoom): the standard picture, or the
// compact one that fills a narrower room (presentation view at a large text scale).
struct Geometry
{
    qreal hostLeft = 20;
    qreal hostWidth = 1560;
    qreal leftX = 48;
    qreal cardWidth = 470;
    qreal serverFrameX = 740;
    qreal serverFrameWidth = 820;
    qreal serverCardX = 760;
    qreal serverCardWidth = 520;
    qreal indent = 30; // accepted sockets under their listener
    // How wide a card may grow for a long tuple: the client column up to shortly before the
    // server's frame, the server's cards up to the host's edge (minus the accept queue's).
    qreal maxCardWidth = 740 - 48 - 40;
    qreal maxServerCardWidth = 20 + 1560 - 760 - 140;
    bool compact = false;

    static Geometry forWidth(qreal width)
    {
        Geometry g;
        if (width <= 0 || width >= DiagramLayout::StandardWidth)
            return g;
        // Two columns of equal width, a short gap for the connection lines between them.
        g.compact = true;
        g.hostLeft = 4;
        g.hostWidth = width - 8;
        g.leftX = 12;
        g.serverFrameX = qRound(width / 2 + 4);
        g.serverFrameWidth = width - g.hostLeft - 6 - g.serverFrameX;
        g.serverCardX = g.serverFrameX + 6;
        g.serverCardWidth = g.serverFrameWidth - 12;
        g.indent = 0;
        g.cardWidth = g.serverFrameX - 18 - g.leftX;
        g.maxCardWidth = g.cardWidth;
        g.maxServerCardWidth = g.serverCardWidth;
        return g;
    }
};

using Layout = DiagramLayout;

// Fills one plan, top to bottom: the host's title, the TCP section, the UDP section, the
// legend and the host's frame around them all.
class PlanBuilder
{
public:
    PlanBuilder(Layout::Sections sections, const Layout::Options &options, int collapseLimit)
        : m_options(options), m_g(Geometry::forWidth(options.width)), m_limit(collapseLimit)
    {
        m_plan.sections = std::move(sections);
    }

    Layout::Plan build()
    {
        measureColumns();
        qreal y = placeHostTitle(m_g.compact ? 32 : 40);
        y = placeTcp(y + (m_g.compact ? 20 : 40));
        m_plan.udpTop = y;
        y = placeUdp(y);
        m_plan.legendPos = QPointF(m_g.leftX - 8, y);
        m_plan.showLegend = !m_g.compact;
        m_plan.compact = m_g.compact;
        m_plan.collapseLimit = m_limit;
        y += m_g.compact ? 4 : 50;
        frame(QStringLiteral("host"), Layout::FrameKind::Host,
              QRectF(m_g.hostLeft, 20, m_g.hostWidth, y - 20), QString(), QString());
        m_plan.sceneRect = QRectF(0, 0, m_g.hostLeft * 2 + m_g.hostWidth, y + 20);
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
        return m_options.showAll ? count : qMin<qsizetype>(count, m_limit);
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
        m_clientWidth = m_g.cardWidth;
        m_serverSideWidth = m_g.serverCardWidth - m_g.indent;
        m_serverWidth = m_g.serverCardWidth;
        if (!m_options.cardWidth)
            return;
        if (m_g.compact) {
            widenCompactColumns();
            return;
        }
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
        m_clientWidth = qMin(m_clientWidth, m_g.maxCardWidth);
        m_serverSideWidth = qMin(m_serverSideWidth, m_g.maxServerCardWidth - m_g.indent);
        m_serverWidth
                = qMin(qMax(m_serverWidth, m_serverSideWidth + m_g.indent), m_g.maxServerCardWidth);
    }

    // Compact, the columns fill the room, but never cut a tuple: a room too narrow for two
    // whole tuples side by side (3x on a small screen) gets a wider picture, a drag away.
    void widenCompactColumns()
    {
        qreal client = m_g.cardWidth;
        qreal server = m_g.serverCardWidth;
        const QList<Layout::Row> &rows = sections().tcpRows;
        for (qsizetype i = 0; i < shownOf(rows.size()); ++i) {
            if (const SocketRecord *left = rows.at(i).left)
                client = qMax(client, need(*left));
            if (const SocketRecord *right = rows.at(i).right)
                server = qMax(server, need(*right));
        }
        const QList<const SocketRecord *> &udpClients = sections().udpClients;
        for (qsizetype i = 0; i < shownOf(udpClients.size()); ++i)
            client = qMax(client, need(*udpClients.at(i)));
        for (const auto *list :
             {&sections().listeners, &sections().udpServers, &sections().udpConnected}) {
            for (const SocketRecord *socket : *list)
                server = qMax(server, need(*socket));
        }
        if (client > m_g.cardWidth || server > m_g.serverCardWidth) {
            m_g.cardWidth = m_g.maxCardWidth = client;
            m_g.serverCardWidth = m_g.maxServerCardWidth = server;
            m_g.serverFrameX = m_g.leftX + client + 18;
            m_g.serverCardX = m_g.serverFrameX + 6;
            m_g.serverFrameWidth = server + 12;
            m_g.hostWidth = m_g.serverFrameX + m_g.serverFrameWidth + 6 - m_g.hostLeft;
        }
        m_clientWidth = m_g.cardWidth;
        m_serverSideWidth = m_serverWidth = m_g.serverCardWidth;
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
             QPointF(m_g.leftX - 8, y - 8), Layout::TextStyle::Title);
        if (m_g.compact)
            return y; // no room beside the title
        text(QStringLiteral("host-summary"),
             DiagramText::tcpSummary(listener, sections().listeners.size(),
                                     sections().serverSideSockets),
             QPointF(m_g.hostLeft + m_g.hostWidth - 20, y - 4), Layout::TextStyle::Note, true);
        return y;
    }

    qreal placeTcp(qreal y)
    {
        text(QStringLiteral("tcp-clients-title"), DiagramText::tcpClientsTitle(),
             QPointF(m_g.leftX - 8, y), Layout::TextStyle::Section);
        if (!m_g.compact) // compact, the frame's own title says it
            text(QStringLiteral("tcp-server-title"),
                 DiagramText::tcpServerTitle(sections().inChildProcesses, sections().inThreads),
                 QPointF(m_g.serverFrameX, y), Layout::TextStyle::Section);
        const qreal serverTop = y + 28;
        const qreal serverY = placeListeners(serverTop + 34);
        qreal rowY = placeTcpRows(serverTop, serverY);
        rowY = placeFold(rowY);
        const SocketRecord *listener = firstListener();
        if (sections().serverSideSockets > 1 && listener) {
            text(QStringLiteral("port-sharing"), DiagramText::portSharing(listener->local),
                 QPointF(m_g.compact ? m_g.leftX : m_g.serverCardX + m_g.indent, rowY - 14),
                 Layout::TextStyle::SectionEmphasis);
            rowY += 20;
        }
        const qreal bottom = qMax(rowY, serverY);
        m_plan.tcpBottom = bottom + 6;
        frame(QStringLiteral("tcp-server-process"), Layout::FrameKind::Process,
              QRectF(m_g.serverFrameX, serverTop, m_g.serverFrameWidth, bottom - serverTop + 6),
              DiagramText::tcpServerFrameTitle(sections().inChildProcesses),
              DiagramText::tcpServerFrameNote(sections().inChildProcesses, sections().inParent,
                                              listener != nullptr,
                                              listener ? listener->pid : m_options.ownPid));
        return bottom + 30;
    }

    qreal placeListeners(qreal y)
    {
        for (const SocketRecord *listener : sections().listeners) {
            card(*listener, QPointF(m_g.serverCardX, y), m_serverWidth,
                 DiagramText::listenerCaption(), true);
            if (m_g.compact) {
                // Left of the listener, where the client column has nothing before row one.
                m_plan.queues.append({listener->id, QPointF(m_g.serverFrameX - 18 - kQueueWidth,
                                                            y + Layout::CardBoxTop - 6)});
                y += kRowPitch;
                continue;
            }
            m_plan.queues.append({listener->id, QPointF(m_g.serverCardX + m_serverWidth + 20,
                                                        y + Layout::CardBoxTop - 6)});
            y += kRowPitch;
        }
        if (sections().listeners.isEmpty()) {
            text(QStringLiteral("no-listener"), DiagramText::noListener(),
                 QPointF(m_g.serverCardX, y + 6), Layout::TextStyle::NoteItalic);
            y += 40;
        }
        return y;
    }

    qreal placeTcpRows(qreal serverTop, qreal rowY)
    {
        const QList<Layout::Row> &rows = sections().tcpRows;
        if (!rows.isEmpty() && firstListener() && !m_g.compact) {
            m_plan.connectNoteKey = QStringLiteral("connect-note");
            text(m_plan.connectNoteKey, DiagramText::connectNote(),
                 QPointF(m_g.leftX + 140, serverTop + 30), Layout::TextStyle::Note);
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
        card(record, QPointF(m_g.leftX, y), m_clientWidth,
             DiagramText::withFlowControlNote(DiagramText::tcpClientCaption(record, clientNumber),
                                              record));
    }

    void placeServerSide(const SocketRecord &record, qreal y)
    {
        const bool inChild = Layout::isInChildProcess(record, m_options.ownPid);
        card(record, QPointF(m_g.serverCardX + m_g.indent, y), m_serverSideWidth,
             DiagramText::withFlowControlNote(DiagramText::serverSideCaption(record, inChild),
                                              record));
        // The worker that holds the socket gets a box of its own, as in the textbook figure.
        const QString worker = DiagramText::workerBoxTooltip(record, inChild);
        if (!worker.isEmpty())
            frame(QStringLiteral("worker-%1").arg(record.id), Layout::FrameKind::Worker,
                  QRectF(m_g.serverCardX + 20, y - 6, m_serverSideWidth + 20, kCardHeight + 12),
                  QString(), QString(), worker);
    }

    qreal placeFold(qreal y)
    {
        const qsizetype rows = sections().tcpRows.size();
        const qsizetype shown = shownOf(rows);
        const QString key = QStringLiteral("more-rows");
        if (rows > shown)
            text(key, DiagramText::moreConnections(rows - shown), QPointF(m_g.leftX, y),
                 Layout::TextStyle::FoldTcp);
        else if (m_options.showAll && rows > m_limit)
            text(key, DiagramText::fewerConnections(), QPointF(m_g.leftX, y),
                 Layout::TextStyle::FoldTcp);
        else
            return y;
        m_plan.foldKey = key;
        return y + 40;
    }

    qreal placeUdp(qreal y)
    {
        text(QStringLiteral("udp-clients-title"), DiagramText::udpClientsTitle(),
             QPointF(m_g.leftX - 8, y), Layout::TextStyle::Section);
        if (!m_g.compact)
            text(QStringLiteral("udp-server-title"),
                 DiagramText::udpServerTitle(!sections().udpConnected.isEmpty()),
                 QPointF(m_g.serverFrameX, y), Layout::TextStyle::Section);
        const qreal udpTop = y + 28;
        const qreal serverBottom = placeUdpServers(udpTop + 34);
        frame(QStringLiteral("udp-server-process"), Layout::FrameKind::Process,
              QRectF(m_g.serverFrameX, udpTop, m_g.serverFrameWidth, serverBottom - udpTop),
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
            card(*server, QPointF(m_g.serverCardX, y), m_serverWidth,
                 DiagramText::udpServerCaption());
            // Compact, the general note gives its line to the numbers.
            const qreal notesY = y + kCardHeight + (m_g.compact ? -16 : 4);
            if (!m_g.compact)
                text(QStringLiteral("udp-note-%1").arg(server->id), DiagramText::udpServerNote(),
                     QPointF(m_g.serverCardX + 14, notesY), Layout::TextStyle::NoteItalic);
            const DiagramText::UdpServerNotes notes = DiagramText::udpServerNotes(*server);
            text(Layout::udpQueueKey(server->id), notes.queue,
                 QPointF(m_g.serverCardX + 14, notesY + 20), Layout::TextStyle::Reading);
            if (!notes.activity.isEmpty())
                text(Layout::udpActivityKey(server->id), notes.activity,
                     QPointF(m_g.serverCardX + 14, notesY + 40), Layout::TextStyle::Reading);
            y += kCardHeight + (m_g.compact ? 60 : 80);
        }
        for (const SocketRecord *connected : sections().udpConnected) {
            card(*connected, QPointF(m_g.serverCardX + m_g.indent, y), m_serverSideWidth,
                 DiagramText::udpConnectedCaption(*connected));
            y += kRowPitch;
        }
        if (!sections().udpConnected.isEmpty()) {
            text(QStringLiteral("udp-connected-note"), DiagramText::udpConnectedNote(),
                 QPointF(m_g.serverCardX + 14, y - 10), Layout::TextStyle::NoteItalic);
            y += 24;
        }
        if (sections().udpServers.isEmpty()) {
            text(QStringLiteral("no-udp-server"), DiagramText::noUdpServer(),
                 QPointF(m_g.serverCardX, y + 6), Layout::TextStyle::NoteItalic);
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
            card(record, QPointF(m_g.leftX, y), m_clientWidth,
                 DiagramText::udpClientCaption(record, clientNumber));
            y += kRowPitch;
        }
        m_plan.rowsShown += shown;
        if (clients.size() > shown) {
            text(QStringLiteral("more-udp"), DiagramText::moreUdpClients(clients.size() - shown),
                 QPointF(m_g.leftX, y), Layout::TextStyle::FoldUdp);
            y += 40;
        }
        return y;
    }

    const Layout::Options &m_options;
    Layout::Plan m_plan;
    Geometry m_g;
    int m_limit;
    qreal m_clientWidth = 0;
    qreal m_serverSideWidth = 0;
    qreal m_serverWidth = 0;
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
            // A kernel-only one (in the accept queue, or left in TIME_WAIT) nobody holds.
            if (!isInChildProcess(*record, ownPid) && !record->kernelOnly)
                ++sections.inParent;
        }
        addToRow(*record, sections.tcpRows, rowOfKey);
    }
    return sections;
}

DiagramLayout::Plan DiagramLayout::plan(const QList<const SocketRecord *> &records,
                                        const Options &options)
{
    Sections sections = classify(records, options.ownPid);
    if (!isCompact(options) || options.height <= 0 || options.showAll)
        return PlanBuilder(std::move(sections), options, options.collapseLimit).build();
    // As many rows per section as fit the room's height, from the standard fold down to one:
    // the tuples keep their size, the rest goes into "+ N more". Each section fits the room
    // on its own, the TCP section (the story's start) from the top; when both do not fit
    // at once, the UDP section is below it, a drag away.
    for (int rows = Options().collapseLimit;; --rows) {
        Plan plan = PlanBuilder(sections, options, rows).build();
        const bool fits = plan.sceneRect.height() <= options.height
                          || (plan.tcpBottom <= options.height
                              && plan.sceneRect.height() - plan.udpTop <= options.height);
        if (rows <= 1 || fits)
            return plan;
    }
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
