// SPDX-License-Identifier: MIT
#include "diagramdecorations.h"

#include "diagramitems.h"

#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QSet>

namespace SocketScope {

namespace {

// Sets what a plain text item shows, touching only what changed (each change re-renders it).
void setText(QGraphicsSimpleTextItem &item, const QString &content, const QFont &font,
             const QColor &colour)
{
    if (item.text() != content)
        item.setText(content);
    if (item.font() != font)
        item.setFont(font);
    if (item.brush().color() != colour)
        item.setBrush(colour);
}

} // namespace

DiagramDecorations::DiagramDecorations(QGraphicsScene &scene, const DiagramPalette *palette)
    : m_scene(scene), m_palette(palette)
{ }

void DiagramDecorations::apply(const DiagramLayout::Plan &plan,
                               const std::function<const SocketItem *(SocketId)> &itemFor)
{
    placeTexts(plan.texts);
    placeFrames(plan.frames);
    placeConnectArrow(plan.connectNoteKey.isEmpty() ? nullptr : text(plan.connectNoteKey),
                      itemFor(plan.connectArrowTo));
    QSet<QString> texts;
    for (const DiagramLayout::Text &placed : plan.texts)
        texts.insert(placed.key);
    for (auto it = m_texts.begin(); it != m_texts.end(); ++it)
        it.value()->setVisible(texts.contains(it.key()));
    QSet<QString> frames;
    for (const DiagramLayout::Frame &placed : plan.frames)
        frames.insert(placed.key);
    for (auto it = m_frames.begin(); it != m_frames.end(); ++it)
        it.value()->setVisible(frames.contains(it.key()));
}

void DiagramDecorations::placeTexts(const QList<DiagramLayout::Text> &texts)
{
    for (const DiagramLayout::Text &placed : texts) {
        QGraphicsSimpleTextItem *&item = m_texts[placed.key];
        if (!item)
            item = m_scene.addSimpleText(QString());
        setText(*item, placed.content, fontFor(placed.style), colourFor(placed.style));
        QPointF pos = placed.pos;
        if (placed.alignRight)
            pos.rx() -= item->boundingRect().width();
        item->setPos(pos);
    }
}

void DiagramDecorations::placeFrames(const QList<DiagramLayout::Frame> &frames)
{
    for (const DiagramLayout::Frame &placed : frames) {
        FrameItem *&item = m_frames[placed.key];
        if (!item) {
            item = new FrameItem(m_palette, placed.kind != DiagramLayout::FrameKind::Host);
            m_scene.addItem(item);
            // The host is a plain rounded outline behind everything; a worker's box sits
            // above its process's frame and below the card it holds.
            if (placed.kind == DiagramLayout::FrameKind::Host)
                item->setZValue(-20);
            else if (placed.kind == DiagramLayout::FrameKind::Worker)
                item->setZValue(-5);
        }
        item->setFrame(placed.rect, placed.title, placed.note);
        if (item->toolTip() != placed.toolTip)
            item->setToolTip(placed.toolTip);
    }
}

void DiagramDecorations::placeConnectArrow(const QGraphicsSimpleTextItem *note,
                                           const SocketItem *listener)
{
    const bool shown = note && listener && listener->isVisible();
    if (shown) {
        if (!m_connectArrow) {
            m_connectArrow = new GuideArrowItem(m_palette);
            m_scene.addItem(m_connectArrow);
        }
        const QRectF box = note->sceneBoundingRect();
        m_connectArrow->setEnds(QPointF(box.right() + 8, box.center().y()),
                                listener->leftAnchor() - QPointF(4, 0));
    }
    if (m_connectArrow)
        m_connectArrow->setVisible(shown);
}

QFont DiagramDecorations::fontFor(DiagramLayout::TextStyle style) const
{
    using Style = DiagramLayout::TextStyle;
    QFont font = m_palette->noteFont;
    switch (style) {
    case Style::Title:
        return m_palette->titleFont;
    case Style::Section:
    case Style::SectionEmphasis:
        font.setPixelSize(14);
        font.setBold(true);
        return font;
    case Style::NoteItalic:
        font.setItalic(true);
        return font;
    case Style::FoldTcp:
    case Style::FoldUdp:
        return m_palette->captionFont;
    case Style::Note:
    case Style::Reading:
        break;
    }
    return font;
}

QColor DiagramDecorations::colourFor(DiagramLayout::TextStyle style) const
{
    using Style = DiagramLayout::TextStyle;
    switch (style) {
    case Style::Title:
    case Style::Reading:
        return m_palette->text;
    case Style::SectionEmphasis:
    case Style::FoldTcp:
        return m_palette->stateColour(SocketState::Listen);
    case Style::FoldUdp:
        return m_palette->stateColour(SocketState::Unconnected);
    case Style::Section:
    case Style::Note:
    case Style::NoteItalic:
        break;
    }
    return m_palette->mutedText;
}

} // namespace SocketScope
