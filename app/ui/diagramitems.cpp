// SPDX-License-Identifier: MIT
#include "diagramitems.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>
#include <utility>

namespace SocketScope {

namespace {

constexpr qreal kPillHeight = 22;
constexpr qreal kPadding = 3; // room for outlines and the selection ring
// Below this scale the 13-pixel tuple font is under 4 pixels high: unreadable.
constexpr qreal kTextLevelOfDetail = 0.3;
// Inside the box: the protocol from 20, the tuple from 62, the badge 10 from the right edge,
// and SocketItem::TupleBadgeGap of air between the tuple's end and the badge.
constexpr qreal kTupleLeft = 62;
constexpr qreal kBadgeRightInset = 10;
constexpr qreal kTupleBadgeGap = SocketItem::TupleBadgeGap;
constexpr qreal kBadgeTop = DiagramLayout::CardBoxTop + 9;
// The compact card: a thinner state bar, the tuple right after it.
constexpr qreal kCompactBar = 5;
constexpr qreal kCompactTupleLeft = 10;

qreal tupleAdvance(const SocketCard &card, const DiagramPalette &palette)
{
    // Measured part by part with the regular face, as paint() places the parts.
    const QFontMetricsF metrics(palette.tupleFont);
    qreal advance = 0;
    for (const QString &part : card.tupleParts)
        advance += metrics.horizontalAdvance(part);
    return advance;
}

} // namespace

qreal statePillWidth(const DiagramPalette &palette, const QString &text)
{
    return QFontMetricsF(palette.pillFont).horizontalAdvance(text) + 22;
}

qreal paintStatePill(QPainter *painter, const DiagramPalette &palette, const QPointF &topRight,
                     SocketState state, const QString &text)
{
    const qreal width = statePillWidth(palette, text);
    const QRectF pill(topRight.x() - width, topRight.y(), width, kPillHeight);
    painter->setPen(Qt::NoPen);
    painter->setBrush(palette.stateColour(state));
    painter->drawRoundedRect(pill, kPillHeight / 2, kPillHeight / 2);
    painter->setPen(palette.stateTextColour(state));
    painter->setFont(palette.pillFont);
    painter->drawText(pill, Qt::AlignCenter, text);
    return width;
}

// ---- SocketItem ----

SocketItem::SocketItem(SocketId id, const DiagramPalette *palette, qreal width)
    : m_id(id), m_palette(palette), m_width(width)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setCacheMode(DeviceCoordinateCache);
}

void SocketItem::setCard(const SocketCard &card)
{
    if (m_card == card)
        return;
    m_card = card;
    update();
}

void SocketItem::setWidth(qreal width)
{
    if (qFuzzyCompare(m_width, width))
        return;
    prepareGeometryChange();
    m_width = width;
}

void SocketItem::setCompact(bool compact)
{
    if (compact == m_compact)
        return;
    prepareGeometryChange(); // a compact card is lower
    m_compact = compact;
    update();
}

QRectF SocketItem::stateBadgeRect() const
{
    const qreal width = statePillWidth(*m_palette, m_card.stateText);
    if (m_compact)
        return QRectF(m_width - width, 0, width, kPillHeight);
    return QRectF(m_width - kBadgeRightInset - width, kBadgeTop, width, kPillHeight);
}

QRectF SocketItem::tupleRect() const
{
    const QFontMetricsF metrics(m_palette->tupleFont);
    const qreal baseline = BoxTop + boxHeight() / 2 + metrics.ascent() / 2 - 2;
    return QRectF(m_compact ? kCompactTupleLeft : kTupleLeft, baseline - metrics.ascent(),
                  tupleAdvance(m_card, *m_palette), metrics.height());
}

qreal SocketItem::neededWidth(const SocketCard &card, const DiagramPalette &palette, bool compact)
{
    if (compact)
        return kCompactTupleLeft + tupleAdvance(card, palette) + 4;
    return kTupleLeft + tupleAdvance(card, palette) + kTupleBadgeGap
           + statePillWidth(palette, card.stateText) + kBadgeRightInset;
}

QRectF SocketItem::boundingRect() const
{
    return QRectF(0, 0, m_width, height()).adjusted(-kPadding, -kPadding, kPadding, kPadding);
}

QPainterPath SocketItem::shape() const
{
    QPainterPath path;
    path.addRect(QRectF(0, 0, m_width, height()));
    return path;
}

void SocketItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);

    // Zoomed so far out that text would be a few pixels high: nobody can read it, and
    // shaping it for thousands of cards would cost more than the rest of the frame. Draw the
    // box in its state's colour (the overview still shows which states there are).
    if (QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform())
        < kTextLevelOfDetail) {
        const QColor stateColour = p.stateColour(m_card.state);
        painter->setPen(Qt::NoPen);
        painter->setBrush(p.boxFill);
        painter->drawRect(QRectF(0, BoxTop, m_width, boxHeight()));
        painter->setBrush(stateColour);
        painter->drawRect(QRectF(0, BoxTop, 10, boxHeight()));
        painter->drawRect(QRectF(m_width - 110, BoxTop + 9, 100, kPillHeight));
        if (option->state & QStyle::State_Selected) {
            painter->setPen(QPen(p.selection, 0));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(QRectF(0, BoxTop, m_width, boxHeight()));
        }
        return;
    }

    // Caption line: name on the left, pid and counters on the right.
    // The caption gets what the detail leaves, and at least half the width when both are long.
    const QFontMetricsF captionMetrics(p.captionFont);
    const QFontMetricsF noteMetrics(p.noteFont);
    const QRectF badge = stateBadgeRect();
    const qreal captionRoom
            = m_compact ? badge.left() - 8
                        : qMax(m_width * 0.55,
                               m_width - noteMetrics.horizontalAdvance(m_card.detail) - 16);
    painter->setFont(p.captionFont);
    painter->setPen(p.text);
    const QString caption = captionMetrics.elidedText(m_card.caption, Qt::ElideRight, captionRoom);
    painter->drawText(QPointF(0, 16), caption);
    if (!m_compact) { // compact, the pid and counters are the tooltip's and the inspector's
        painter->setFont(p.noteFont);
        painter->setPen(p.mutedText);
        const QString detail
                = noteMetrics.elidedText(m_card.detail, Qt::ElideLeft,
                                         m_width - captionMetrics.horizontalAdvance(caption) - 16);
        painter->drawText(QRectF(0, 0, m_width, 20), Qt::AlignRight | Qt::AlignVCenter, detail);
    }

    // The box, outlined in the state's colour with a solid bar on its left edge.
    const QColor stateColour = p.stateColour(m_card.state);
    const QRectF box(0, BoxTop, m_width, boxHeight());
    QPen outline(stateColour, 2);
    if (m_card.kernelOnly)
        outline.setStyle(Qt::DashLine); // no program holds it: only the kernel does
    else if (m_card.otherProgram)
        outline.setStyle(Qt::DotLine); // a program holds it, only not this one
    painter->setPen(outline);
    painter->setBrush(p.boxFill);
    painter->drawRoundedRect(box.adjusted(1, 1, -1, -1), 8, 8);
    painter->setPen(Qt::NoPen);
    painter->setBrush(stateColour);
    QPainterPath bar;
    bar.addRoundedRect(QRectF(box.left(), box.top(), m_compact ? kCompactBar : 10, box.height()),
                       m_compact ? 2 : 4, m_compact ? 2 : 4);
    painter->drawPath(bar);

    if (!m_compact) { // compact, the section's title says TCP or UDP
        painter->setFont(p.pillFont);
        painter->setPen(p.mutedText);
        painter->drawText(QRectF(20, BoxTop, 40, boxHeight()), Qt::AlignVCenter | Qt::AlignLeft,
                          m_card.protocol);
    }

    paintStatePill(painter, p, badge.topRight(), m_card.state, m_card.stateText);

    // The tuple in a monospace font, the part that tells it apart on a highlight. Should a
    // card ever be narrower than its tuple, the tuple is cut before the badge, never under it.
    const QFontMetricsF tupleMetrics(p.tupleFont);
    painter->setFont(p.tupleFont);
    const QRectF tuple = tupleRect();
    qreal x = tuple.left();
    const qreal textRight = m_compact ? m_width - 2 : badge.left() - kTupleBadgeGap / 2;
    const qreal baseline = tuple.top() + tupleMetrics.ascent();
    painter->save();
    painter->setClipRect(QRectF(0, BoxTop, textRight, boxHeight()), Qt::IntersectClip);
    for (int i = 0; i < m_card.tupleParts.size() && x < textRight; ++i) {
        const QString &part = m_card.tupleParts.at(i);
        const qreal advance = tupleMetrics.horizontalAdvance(part);
        if (i == m_card.highlightPart) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(p.highlight);
            painter->drawRoundedRect(
                    QRectF(x - 2, BoxTop + (boxHeight() - 22) / 2, advance + 4, 22), 3, 3);
            QFont bold = p.tupleFont;
            bold.setBold(true);
            painter->setFont(bold);
        }
        painter->setPen(i == m_card.highlightPart ? p.highlightText : p.text);
        painter->drawText(QPointF(x, baseline), part);
        painter->setFont(p.tupleFont);
        x += advance;
    }
    painter->restore();

    if (option->state & QStyle::State_Selected) {
        painter->setPen(QPen(p.selection, 2, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(-2.5, -2.5, 2.5, 2.5), 10, 10);
    }
}

// ---- FrameItem ----

FrameItem::FrameItem(const DiagramPalette *palette, bool filled)
    : m_palette(palette), m_filled(filled)
{
    setZValue(-10);
    // No pixmap cache: a frame spans much of the view, its device-sized pixmap would crowd
    // QPixmapCache (10 MB) and push out every card's; a rounded rectangle and a title are
    // cheaper to draw than to cache.
}

void FrameItem::setFrame(const QRectF &rect, const QString &title, const QString &note)
{
    if (rect == m_rect && title == m_title && note == m_note)
        return;
    if (rect != m_rect)
        prepareGeometryChange();
    m_rect = rect;
    m_title = title;
    m_note = note;
    update();
}

QRectF FrameItem::boundingRect() const
{
    return m_rect.adjusted(-kPadding, -kPadding, kPadding, kPadding);
}

void FrameItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);
    // A process is a white card; the host is the larger, quieter area holding them all.
    painter->setPen(QPen(p.border, m_filled ? 1.5 : 1.0));
    painter->setBrush(m_filled ? p.frameFill : p.hostFill);
    painter->drawRoundedRect(m_rect, m_filled ? 10 : 16, m_filled ? 10 : 16);
    const qreal inset = m_filled ? 14 : 0;
    const QRectF line(m_rect.left() + inset, m_rect.top() + 4, m_rect.width() - 2 * inset, 22);
    painter->setFont(p.captionFont);
    painter->setPen(p.text);
    const QString title
            = QFontMetricsF(p.captionFont).elidedText(m_title, Qt::ElideRight, line.width());
    painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter, title);
    // The note only where it fits whole beside the title (a narrow frame at the hall's text
    // size): drawn over the title it would be unreadable, and cut it might say less than true.
    const qreal room = line.width() - QFontMetricsF(p.captionFont).horizontalAdvance(title) - 16;
    if (m_note.isEmpty() || QFontMetricsF(p.noteFont).horizontalAdvance(m_note) > room)
        return;
    painter->setFont(p.noteFont);
    painter->setPen(p.mutedText);
    painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter, m_note);
}

// ---- ConnectionItem ----

ConnectionItem::ConnectionItem(const DiagramPalette *palette) : m_palette(palette)
{
    setZValue(-1);
}

void ConnectionItem::setEnds(const QPointF &from, const QPointF &to, SocketState state, bool dashed)
{
    if (from == m_from && to == m_to && state == m_state && dashed == m_dashed)
        return;
    prepareGeometryChange();
    m_from = from;
    m_to = to;
    m_state = state;
    m_dashed = dashed;
}

void ConnectionItem::setLabel(const QString &label)
{
    if (label == m_label)
        return;
    m_label = label;
    update();
}

void ConnectionItem::addPulse(int direction)
{
    // A few pulses at once say "traffic"; more would only say "busy" less clearly.
    if (m_pulses.size() >= 6)
        return;
    m_pulses.append({0.0, direction >= 0 ? 1 : -1});
    update();
}

bool ConnectionItem::advanceBy(qreal seconds)
{
    if (m_pulses.isEmpty())
        return false;
    for (Pulse &pulse : m_pulses)
        pulse.progress += seconds / 0.6; // 0.6 s to cross
    m_pulses.removeIf([](const Pulse &pulse) { return pulse.progress >= 1.0; });
    update();
    return !m_pulses.isEmpty();
}

QRectF ConnectionItem::boundingRect() const
{
    return QRectF(m_from, m_to).normalized().adjusted(-10, -24, 10, 10);
}

void ConnectionItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor colour = p.stateColour(m_state);
    QPen pen(colour, 2.5);
    if (m_dashed)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->drawLine(m_from, m_to);
    if (!m_label.isEmpty()) {
        painter->setFont(p.noteFont);
        painter->setPen(p.mutedText);
        const QPointF middle = (m_from + m_to) / 2;
        painter->drawText(QRectF(middle.x() - 150, middle.y() - 22, 300, 18), Qt::AlignCenter,
                          m_label);
    }
    painter->setPen(QPen(p.boxFill, 2));
    painter->setBrush(colour);
    for (const Pulse &pulse : m_pulses) {
        const qreal t = pulse.direction > 0 ? pulse.progress : 1.0 - pulse.progress;
        painter->drawEllipse(m_from + (m_to - m_from) * t, 6, 6);
    }
}

// ---- DatagramItem ----

DatagramItem::DatagramItem(const DiagramPalette *palette, QString label, const QPointF &from,
                           const QPointF &to, qreal seconds, LabelSide side)
    : m_palette(palette),
      m_label(std::move(label)),
      m_from(from),
      m_to(to),
      m_duration(qMax(seconds, 0.05)),
      m_side(side)
{
    setZValue(5);
    setPos(from);
}

bool DatagramItem::advanceBy(qreal seconds)
{
    m_elapsed += seconds;
    const qreal t = qMin(m_elapsed / m_duration, 1.0);
    // Ease out, so a datagram visibly lands rather than vanishing at full speed.
    const qreal eased = 1.0 - (1.0 - t) * (1.0 - t);
    setPos(m_from + (m_to - m_from) * eased);
    return t < 1.0;
}

QRectF DatagramItem::boundingRect() const
{
    // A request's label trails to the left, a reply's to the right: each away from the card
    // it flies to, so it never covers that card's caption on arrival.
    return m_side == LabelSide::Above ? QRectF(-214, -30, 228, 40) : QRectF(-14, -10, 228, 40);
}

void DatagramItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor colour = p.stateColour(SocketState::Unconnected);
    const QRectF envelope(-12, -9, 24, 18);
    painter->setPen(QPen(colour, 2));
    painter->setBrush(p.boxFill);
    painter->drawRect(envelope);
    painter->drawPolyline(QPolygonF{envelope.topLeft(), QPointF(0, 1), envelope.topRight()});
    // The label on a plate of the card colour: where two flights cross, or a reply sets off
    // over the note under the server, the label on top stays readable instead of the two
    // texts running into each other.
    const QFontMetricsF metrics(p.tupleFont);
    const qreal width = metrics.horizontalAdvance(m_label);
    const QPointF baseline
            = m_side == LabelSide::Above ? QPointF(12 - width, -14) : QPointF(-12, 26);
    const QRectF plate
            = QRectF(baseline.x(), baseline.y() - metrics.ascent(), width, metrics.height())
                      .adjusted(-3, -1, 3, 1);
    painter->setPen(Qt::NoPen);
    QColor plateColour = p.boxFill;
    plateColour.setAlphaF(0.92f);
    painter->setBrush(plateColour);
    painter->drawRoundedRect(plate, 3, 3);
    painter->setFont(p.tupleFont);
    painter->setPen(p.text);
    painter->drawText(baseline, m_label);
}

// ---- DatagramRouteItem ----

DatagramRouteItem::DatagramRouteItem(const DiagramPalette *palette) : m_palette(palette)
{
    setZValue(-1); // under the cards and the envelopes flying along it
    setToolTip(DiagramText::datagramRouteTooltip());
}

void DatagramRouteItem::setEnds(const QPointF &client, const QPointF &server)
{
    if (client == m_client && server == m_server)
        return;
    prepareGeometryChange();
    m_client = client;
    m_server = server;
}

void DatagramRouteItem::touch()
{
    m_idleSeconds = 0;
    setOpacity(1.0);
}

bool DatagramRouteItem::advanceBy(qreal seconds)
{
    m_idleSeconds += seconds;
    const qreal fading = qMax<qreal>(m_idleSeconds - HoldSeconds, 0);
    setOpacity(qMax<qreal>(1.0 - fading / FadeSeconds, 0));
    return opacity() > 0;
}

QRectF DatagramRouteItem::boundingRect() const
{
    return QRectF(m_client, m_server).normalized().adjusted(-4, -4, 4, 4);
}

QPainterPath DatagramRouteItem::shape() const
{
    QPainterPath line(m_client);
    line.lineTo(m_server);
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    return stroker.createStroke(line);
}

void DatagramRouteItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(m_palette->stateColour(SocketState::Unconnected), 1.5, Qt::DashLine);
    painter->setPen(pen);
    painter->drawLine(m_client, m_server);
}

// ---- GuideArrowItem ----

GuideArrowItem::GuideArrowItem(const DiagramPalette *palette) : m_palette(palette) { }

void GuideArrowItem::setEnds(const QPointF &from, const QPointF &to)
{
    if (from == m_from && to == m_to)
        return;
    prepareGeometryChange();
    m_from = from;
    m_to = to;
}

QRectF GuideArrowItem::boundingRect() const
{
    return QRectF(m_from, m_to).normalized().adjusted(-12, -12, 12, 12);
}

void GuideArrowItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const qreal bend = (m_to.x() - m_from.x()) / 2;
    QPainterPath curve(m_from);
    curve.cubicTo(m_from + QPointF(bend, 0), m_to - QPointF(bend, 0), m_to - QPointF(8, 0));
    painter->setBrush(Qt::NoBrush);
    painter->setPen(QPen(m_palette->mutedText, 1.5, Qt::DashLine));
    painter->drawPath(curve);
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_palette->mutedText);
    painter->drawPolygon(
            QPolygonF{m_to, m_to + QPointF(-9, -5), m_to + QPointF(-9, 5)}); // points right
}

// ---- AcceptQueueItem ----

AcceptQueueItem::AcceptQueueItem(const DiagramPalette *palette) : m_palette(palette) { }

void AcceptQueueItem::setQueue(quint32 waiting, quint32 backlog, bool known)
{
    if (waiting == m_waiting && backlog == m_backlog && known == m_known)
        return;
    m_waiting = waiting;
    m_backlog = backlog;
    m_known = known;
    update();
}

QRectF AcceptQueueItem::boundingRect() const
{
    return QRectF(0, 0, 170, 56);
}

void AcceptQueueItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setFont(p.noteFont);
    painter->setPen(p.mutedText);
    painter->drawText(QPointF(0, 12), QObject::tr("accept queue"));
    if (!m_known) {
        painter->drawText(QPointF(0, 48), isKernelViewAvailable()
                                                  ? QObject::tr("(kernel not read yet)")
                                                  : QObject::tr("(no kernel view here)"));
        return;
    }
    // Draw at most ten slots; a larger backlog is written out instead.
    const quint32 slots = qMin<quint32>(qMax<quint32>(m_backlog, 1), 10);
    const QColor filled = p.stateColour(SocketState::SynRecv);
    for (quint32 i = 0; i < slots; ++i) {
        painter->setPen(QPen(p.stateColour(SocketState::Listen), 1.2));
        painter->setBrush(i < m_waiting ? filled : p.boxFill);
        painter->drawRoundedRect(QRectF(i * 16.0, 18, 13, 13), 3, 3);
    }
    painter->setPen(p.mutedText);
    painter->drawText(QPointF(0, 48),
                      QObject::tr("%1 waiting / backlog %2").arg(m_waiting).arg(m_backlog));
}

// ---- LegendItem ----

LegendItem::LegendItem(const DiagramPalette *palette) : m_palette(palette)
{
    setCacheMode(DeviceCoordinateCache);
}

QList<QPair<SocketState, QString>> LegendItem::entries()
{
    return {{SocketState::Listen, QStringLiteral("LISTEN")},
            {SocketState::SynSent, QStringLiteral("SYN_SENT/RECV")},
            {SocketState::Established, QStringLiteral("ESTABLISHED")},
            {SocketState::FinWait2, QStringLiteral("FIN_WAIT")},
            {SocketState::CloseWait, QStringLiteral("CLOSE_WAIT")},
            {SocketState::TimeWait, QStringLiteral("TIME_WAIT")},
            {SocketState::Unconnected, QStringLiteral("UNCONN (UDP)")}};
}

QRectF LegendItem::boundingRect() const
{
    return QRectF(0, 0, 1500, 26);
}

void LegendItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const DiagramPalette &p = *m_palette;
    painter->setRenderHint(QPainter::Antialiasing);
    QFont bold = p.noteFont;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(p.text);
    const QString title = QObject::tr("State (colour + text):");
    painter->drawText(QPointF(0, 16), title);
    qreal x = QFontMetricsF(bold).horizontalAdvance(title) + 14;
    const QFontMetricsF pillMetrics(p.pillFont);
    for (const auto &[state, text] : entries()) {
        x += pillMetrics.horizontalAdvance(text) + 22;
        paintStatePill(painter, p, QPointF(x, 0), state, text);
        x += 10;
    }
    painter->setFont(p.noteFont);
    painter->setPen(p.mutedText);
    painter->drawText(QRectF(x, 0, 1500 - x, 22), Qt::AlignRight | Qt::AlignVCenter,
                      DiagramText::outlineLegend());
}

} // namespace SocketScope
