// SPDX-License-Identifier: MIT
#include "diagramplanbuilder.h"

#include "diagramplangeometry.h"
#include "diagramtext.h"

#include <functional>
#include <utility>

namespace SocketScope {

namespace {

using Layout = DiagramLayout;

// Which of `count` rows a section shows within `limit`: the rows the moment is about first,
// then the oldest; shown in their order of appearance, the rest counted in "+ N more".
QList<bool> pickShown(qsizetype count, qsizetype limit,
                      const std::function<bool(qsizetype)> &inFocus)
{
    QList<bool> shown(count, count <= limit);
    if (count <= limit)
        return shown;
    qsizetype taken = 0;
    for (qsizetype i = 0; i < count && taken < limit; ++i) {
        if (inFocus(i)) {
            shown[i] = true;
            ++taken;
        }
    }
    for (qsizetype i = 0; i < count && taken < limit; ++i) {
        if (!shown.at(i)) {
            shown[i] = true;
            ++taken;
        }
    }
    return shown;
}

class PlanBuilder
{
public:
    PlanBuilder(Layout::Sections sections, const Layout::Options &options, const DiagramFold &fold)
        : m_options(options), m_g(DiagramGeometry::forWidth(options.width)), m_fold(fold)
    {
        m_plan.sections = std::move(sections);
        const Layout::Sections &s = m_plan.sections;
        const bool anyTcp = !s.listeners.isEmpty() || !s.tcpRows.isEmpty();
        const bool anyUdp
                = !s.udpServers.isEmpty() || !s.udpConnected.isEmpty() || !s.udpClients.isEmpty();
        // Compact, a section with nothing in it gives its room to the other (both empty:
        // both say what is missing).
        m_drawTcp = !m_g.compact || anyTcp || !anyUdp;
        m_drawUdp = !m_g.compact || anyUdp || !anyTcp;
        // One section alone needs no title: its cards and frames say which it is.
        m_titled = !m_g.compact || (m_drawTcp && m_drawUdp && !fold.foldTcp && !fold.foldUdp);
        const qsizetype limit = m_options.showAll ? std::numeric_limits<qsizetype>::max()
                                                  : qsizetype(m_fold.rowsPerSection);
        m_tcpShown = pickShown(s.tcpRows.size(), limit, [&s, this](qsizetype i) {
            const Layout::Row &row = s.tcpRows.at(i);
            return (row.left && inFocus(*row.left)) || (row.right && inFocus(*row.right));
        });
        m_udpShown = pickShown(s.udpClients.size(), limit,
                               [&s, this](qsizetype i) { return inFocus(*s.udpClients.at(i)); });
    }

    Layout::Plan build()
    {
        measureColumns();
        qreal y = placeHostTitle(m_g.titleBaseline()) + m_g.sectionGap();
        m_plan.tcpBottom = y;
        if (m_drawTcp && m_fold.foldTcp)
            m_plan.tcpBottom = y = placeFoldedSection(y, true);
        else if (m_drawTcp)
            y = placeTcp(y);
        m_plan.udpTop = y;
        if (m_drawUdp)
            y = m_fold.foldUdp ? placeFoldedSection(y, false) : placeUdp(y);
        m_plan.tcpFolded = m_drawTcp && m_fold.foldTcp;
        m_plan.udpFolded = m_drawUdp && m_fold.foldUdp;
        m_plan.sectionsWithRows
                = (m_drawTcp && !m_fold.foldTcp && !sections().tcpRows.isEmpty())
                  + (m_drawUdp && !m_fold.foldUdp && !sections().udpClients.isEmpty());
        m_plan.legendPos = QPointF(m_g.leftX - 8, y);
        m_plan.showLegend = !m_g.compact;
        m_plan.compact = m_g.compact;
        m_plan.collapseLimit = m_fold.rowsPerSection;
        y += m_g.compact ? 4 : 50;
        frame(QStringLiteral("host"), Layout::FrameKind::Host,
              QRectF(m_g.hostLeft, m_g.hostTop(), m_g.hostWidth, y - m_g.hostTop()), QString(),
              QString());
        m_plan.sceneRect
                = QRectF(0, 0, m_g.hostLeft * 2 + m_g.hostWidth, y + (m_g.compact ? 4 : 20));
        return std::move(m_plan);
    }

private:
    const Layout::Sections &sections() const { return m_plan.sections; }
    const SocketRecord *firstListener() const
    {
        return sections().listeners.isEmpty() ? nullptr : sections().listeners.first();
    }
    bool inFocus(const SocketRecord &record) const { return m_options.focus.contains(record.id); }
    int number(const SocketRecord &record) const
    {
        return m_options.clientNumber ? m_options.clientNumber(record.id, record.protocol) : 0;
    }
    static qsizetype countShown(const QList<bool> &shown)
    {
        return std::count(shown.cbegin(), shown.cend(), true);
    }

    qreal need(const SocketRecord &record) const
    {
        return m_options.cardWidth ? m_options.cardWidth(record) : 0;
    }
    // The widest need of the shown client cards and of the shown server-side cards.
    QPair<qreal, qreal> shownRowNeeds() const
    {
        qreal client = 0;
        qreal serverSide = 0;
        const QList<Layout::Row> &rows = sections().tcpRows;
        for (qsizetype i = 0; i < rows.size(); ++i) {
            if (!m_tcpShown.at(i))
                continue;
            if (const SocketRecord *left = rows.at(i).left)
                client = qMax(client, need(*left));
            if (const SocketRecord *right = rows.at(i).right)
                serverSide = qMax(serverSide, need(*right));
        }
        const QList<const SocketRecord *> &udpClients = sections().udpClients;
        for (qsizetype i = 0; i < udpClients.size(); ++i)
            if (m_udpShown.at(i))
                client = qMax(client, need(*udpClients.at(i)));
        return {client, serverSide};
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
        const auto [client, serverSide] = shownRowNeeds();
        m_clientWidth = qMax(m_clientWidth, client);
        m_serverSideWidth = qMax(m_serverSideWidth, serverSide);
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
        auto [client, server] = shownRowNeeds();
        client = qMax(client, m_g.cardWidth);
        server = qMax(server, m_g.serverCardWidth);
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
    // A section's title over its client column (unless it is alone); the y the section's
    // frames start at.
    qreal clientsTitle(qreal y, const QString &key, const QString &title)
    {
        if (!m_titled)
            return y;
        text(key, title, QPointF(m_g.leftX - 8, y), Layout::TextStyle::Section);
        return y + 28;
    }

    // The host: every socket drawn here lives on this one machine. Compact, its title takes
    // no row of its own: it stands in the client column, level with the server's frame
    // title, where nothing else is before the first connection.
    qreal placeHostTitle(qreal y)
    {
        const SocketRecord *listener = firstListener();
        const QHostAddress address
                = listener ? listener->local.address : QHostAddress(QHostAddress::LocalHost);
        if (m_g.compact) {
            text(QStringLiteral("host-title"), DiagramText::hostTitle(address, true),
                 QPointF(m_g.leftX - 4, y + 2), Layout::TextStyle::Title);
            // It shares its row only with the frame of a first section drawn in full.
            const bool firstInFull = m_drawTcp ? !m_fold.foldTcp : !m_fold.foldUdp;
            return m_titled || !firstInFull ? y + 14 : y - m_g.sectionGap();
        }
        text(QStringLiteral("host-title"), DiagramText::hostTitle(address),
             QPointF(m_g.leftX - 8, y - 8), Layout::TextStyle::Title);
        text(QStringLiteral("host-summary"),
             DiagramText::tcpSummary(listener, sections().listeners.size(),
                                     sections().serverSideSockets),
             QPointF(m_g.hostLeft + m_g.hostWidth - 20, y - 4), Layout::TextStyle::Note, true);
        return y;
    }

    // A section as one clickable line: what it holds, counted.
    qreal placeFoldedSection(qreal y, bool tcp)
    {
        const QString key = tcp ? QStringLiteral("tcp-folded") : QStringLiteral("udp-folded");
        const Layout::Sections &s = sections();
        for (qsizetype i = 0; i < s.tcpRows.size() && tcp; ++i)
            m_plan.hiddenSockets
                    += (s.tcpRows.at(i).left ? 1 : 0) + (s.tcpRows.at(i).right ? 1 : 0);
        if (tcp) {
            m_plan.hiddenSockets += s.listeners.size();
            text(key, DiagramText::tcpSectionFolded(firstListener(), s.tcpRows.size()),
                 QPointF(m_g.leftX, y), Layout::TextStyle::FoldTcp);
        } else {
            m_plan.hiddenSockets
                    += s.udpServers.size() + s.udpConnected.size() + s.udpClients.size();
            for (const SocketRecord *client : s.udpClients)
                m_plan.udpClientByLocal.insert(client->local.toString(), client->id);
            text(key,
                 DiagramText::udpSectionFolded(s.udpServers.isEmpty() ? nullptr
                                                                      : s.udpServers.first(),
                                               s.udpClients.size()),
                 QPointF(m_g.leftX, y), Layout::TextStyle::FoldUdp);
        }
        m_plan.foldKeys << key;
        return y + m_g.foldLine();
    }

    qreal placeTcp(qreal y)
    {
        if (m_titled && !m_g.compact) // compact, the frame's own title says it
            text(QStringLiteral("tcp-server-title"),
                 DiagramText::tcpServerTitle(sections().inChildProcesses, sections().inThreads),
                 QPointF(m_g.serverFrameX, y), Layout::TextStyle::Section);
        const qreal serverTop = clientsTitle(y, QStringLiteral("tcp-clients-title"),
                                             DiagramText::tcpClientsTitle());
        const qreal serverY = placeListeners(serverTop + m_g.frameTitleRow());
        qreal rowY = placeTcpRows(serverTop, serverY);
        rowY = placeFold(rowY);
        const SocketRecord *listener = firstListener();
        // Compact, the caption says it: the row is worth more as a connection.
        if (sections().serverSideSockets > 1 && listener && !m_g.compact) {
            text(QStringLiteral("port-sharing"), DiagramText::portSharing(listener->local),
                 QPointF(m_g.compact ? m_g.leftX : m_g.serverCardX + m_g.indent, rowY - 14),
                 Layout::TextStyle::SectionEmphasis);
            rowY += 20;
        }
        const qreal bottom = qMax(rowY, serverY);
        m_plan.tcpBottom = bottom + 6;
        frame(QStringLiteral("tcp-server-process"), Layout::FrameKind::Process,
              QRectF(m_g.serverFrameX, serverTop, m_g.serverFrameWidth, bottom - serverTop + 6),
              DiagramText::tcpServerFrameTitle(sections().inChildProcesses, m_g.compact),
              DiagramText::tcpServerFrameNote(sections().inChildProcesses, sections().inParent,
                                              listener != nullptr,
                                              listener ? listener->pid : m_options.ownPid));
        return bottom + m_g.afterSection();
    }

    qreal placeListeners(qreal y)
    {
        for (const SocketRecord *listener : sections().listeners) {
            card(*listener, QPointF(m_g.serverCardX, y), m_serverWidth,
                 DiagramText::listenerCaption(), true);
            if (m_g.compact) {
                // Left of the listener, where the client column has nothing before row one.
                m_plan.queues.append(
                        {listener->id, QPointF(m_g.serverFrameX - 18 - DiagramGeometry::QueueWidth,
                                               y + Layout::CardBoxTop - 6)});
                y += m_g.rowPitch();
                continue;
            }
            m_plan.queues.append({listener->id, QPointF(m_g.serverCardX + m_serverWidth + 20,
                                                        y + Layout::CardBoxTop - 6)});
            y += m_g.rowPitch();
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
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const Layout::Row &row = rows.at(i);
            if (!m_tcpShown.at(i)) {
                m_plan.hiddenSockets += (row.left ? 1 : 0) + (row.right ? 1 : 0);
                continue;
            }
            if (row.left)
                placeTcpClient(*row.left, rowY);
            if (row.right)
                placeServerSide(*row.right, rowY);
            if (row.left && row.right)
                m_plan.lines.append({row.key, row.left->id, row.right->id});
            rowY += m_g.rowPitch();
        }
        m_plan.rowsShown += countShown(m_tcpShown);
        return rowY;
    }

    void placeTcpClient(const SocketRecord &record, qreal y)
    {
        const int clientNumber = DiagramText::tcpClientTakesNumber(record) ? number(record) : 0;
        card(record, QPointF(m_g.leftX, y), m_clientWidth,
             DiagramText::withFlowControlNote(
                     DiagramText::tcpClientCaption(record, clientNumber, m_g.compact), record));
    }

    void placeServerSide(const SocketRecord &record, qreal y)
    {
        const bool inChild = Layout::isInChildProcess(record, m_options.ownPid);
        card(record, QPointF(m_g.serverCardX + m_g.indent, y), m_serverSideWidth,
             DiagramText::withFlowControlNote(DiagramText::serverSideCaption(record, inChild),
                                              record));
        // The worker that holds the socket gets a box of its own, as in the textbook figure.
        const QString worker = DiagramText::workerBoxTooltip(record, inChild);
        if (worker.isEmpty())
            return;
        // Compact, the card fills the frame's width: the box hugs it instead of standing out.
        const QRectF box = m_g.compact ? QRectF(m_g.serverCardX - 3, y - 3, m_serverSideWidth + 6,
                                                m_g.cardHeight() + 6)
                                       : QRectF(m_g.serverCardX + 20, y - 6, m_serverSideWidth + 20,
                                                m_g.cardHeight() + 12);
        frame(QStringLiteral("worker-%1").arg(record.id), Layout::FrameKind::Worker, box, QString(),
              QString(), worker);
    }

    qreal placeFold(qreal y)
    {
        const qsizetype rows = sections().tcpRows.size();
        const qsizetype shown = countShown(m_tcpShown);
        const QString key = QStringLiteral("more-rows");
        if (rows > shown)
            text(key, DiagramText::moreConnections(rows - shown), QPointF(m_g.leftX, y),
                 Layout::TextStyle::FoldTcp);
        else if (m_options.showAll && rows > m_fold.rowsPerSection)
            text(key, DiagramText::fewerConnections(), QPointF(m_g.leftX, y),
                 Layout::TextStyle::FoldTcp);
        else
            return y;
        m_plan.foldKeys << key;
        return y + m_g.foldLine();
    }

    qreal placeUdp(qreal y)
    {
        if (m_titled && !m_g.compact)
            text(QStringLiteral("udp-server-title"),
                 DiagramText::udpServerTitle(!sections().udpConnected.isEmpty()),
                 QPointF(m_g.serverFrameX, y), Layout::TextStyle::Section);
        const qreal udpTop = clientsTitle(y, QStringLiteral("udp-clients-title"),
                                          DiagramText::udpClientsTitle());
        const qreal serverBottom = placeUdpServers(udpTop + m_g.frameTitleRow());
        frame(QStringLiteral("udp-server-process"), Layout::FrameKind::Process,
              QRectF(m_g.serverFrameX, udpTop, m_g.serverFrameWidth, serverBottom - udpTop),
              DiagramText::udpServerFrameTitle(),
              DiagramText::udpServerFrameNote(m_options.ownPid));
        const qreal clientBottom = placeUdpClients(udpTop + m_g.frameTitleRow());
        return qMax(clientBottom, serverBottom) + (m_g.compact ? 8 : 20);
    }

    qreal placeUdpServers(qreal y)
    {
        for (const SocketRecord *server : sections().udpServers) {
            card(*server, QPointF(m_g.serverCardX, y), m_serverWidth,
                 DiagramText::udpServerCaption(m_g.compact));
            // Compact, the general note gives its line to the numbers.
            const qreal notesY = y + m_g.cardHeight() + (m_g.compact ? -16 : 4);
            if (!m_g.compact)
                text(QStringLiteral("udp-note-%1").arg(server->id), DiagramText::udpServerNote(),
                     QPointF(m_g.serverCardX + 14, notesY), Layout::TextStyle::NoteItalic);
            const DiagramText::UdpServerNotes notes
                    = DiagramText::udpServerNotes(*server, m_g.compact);
            text(Layout::udpQueueKey(server->id), notes.queue,
                 QPointF(m_g.serverCardX + 14, notesY + 20), Layout::TextStyle::Reading);
            if (!notes.activity.isEmpty())
                text(Layout::udpActivityKey(server->id), notes.activity,
                     QPointF(m_g.serverCardX + 14, notesY + 40), Layout::TextStyle::Reading);
            y += m_g.cardHeight() + (m_g.compact ? 60 : 80);
        }
        for (const SocketRecord *connected : sections().udpConnected) {
            card(*connected, QPointF(m_g.serverCardX + m_g.indent, y), m_serverSideWidth,
                 DiagramText::udpConnectedCaption(*connected));
            y += m_g.rowPitch();
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
        for (qsizetype i = 0; i < clients.size(); ++i) {
            const SocketRecord &record = *clients.at(i);
            m_plan.udpClientByLocal.insert(record.local.toString(), record.id);
            if (!m_udpShown.at(i)) {
                ++m_plan.hiddenSockets;
                continue;
            }
            const int clientNumber = DiagramText::udpClientTakesNumber(record) ? number(record) : 0;
            card(record, QPointF(m_g.leftX, y), m_clientWidth,
                 DiagramText::udpClientCaption(record, clientNumber));
            y += m_g.rowPitch();
        }
        const qsizetype shown = countShown(m_udpShown);
        m_plan.rowsShown += shown;
        if (clients.size() > shown) {
            text(QStringLiteral("more-udp"), DiagramText::moreUdpClients(clients.size() - shown),
                 QPointF(m_g.leftX, y), Layout::TextStyle::FoldUdp);
            y += m_g.foldLine();
        }
        return y;
    }

    const Layout::Options &m_options;
    Layout::Plan m_plan;
    DiagramGeometry m_g;
    DiagramFold m_fold;
    bool m_drawTcp = true;
    bool m_drawUdp = true;
    bool m_titled = true;
    QList<bool> m_tcpShown; // per TCP row: drawn, or counted in "+ N more"
    QList<bool> m_udpShown; // per UDP client
    qreal m_clientWidth = 0;
    qreal m_serverSideWidth = 0;
    qreal m_serverWidth = 0;
};

} // namespace

DiagramLayout::Plan buildDiagramPlan(DiagramLayout::Sections sections,
                                     const DiagramLayout::Options &options, const DiagramFold &fold)
{
    return PlanBuilder(std::move(sections), options, fold).build();
}

} // namespace SocketScope
