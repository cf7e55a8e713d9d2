// SPDX-License-Identifier: MIT
#include "diagrampalette.h"

#include <QFontDatabase>

namespace SocketScope {

DiagramPalette DiagramPalette::fromPalette(const QPalette &palette)
{
    DiagramPalette p;
    p.dark = palette.color(QPalette::Window).lightness() < 128;
    p.highContrast = isHighContrast(palette);
    if (p.highContrast) {
        p.background = Qt::black;
        p.hostFill = Qt::black;
        p.frameFill = Qt::black;
        p.boxFill = Qt::black;
        p.border = Qt::white;
        p.text = Qt::white;
        p.mutedText = QColor(0xff, 0xee, 0x55); // a strong yellow: captions stand out too
        p.highlight = QColor(0xff, 0xee, 0x00);
        p.highlightText = Qt::black;
        p.selection = QColor(0x00, 0xff, 0xff);
    } else if (p.dark) {
        p.background = QColor(0x1b, 0x1f, 0x27);
        p.hostFill = QColor(0x22, 0x27, 0x31);
        p.frameFill = QColor(0x2b, 0x31, 0x3d);
        p.boxFill = QColor(0x1f, 0x24, 0x2d);
        p.border = QColor(0x4a, 0x53, 0x63);
        p.text = QColor(0xe8, 0xeb, 0xf0);
        p.mutedText = QColor(0xa8, 0xb0, 0xbf);
        p.highlight = QColor(0x6b, 0x55, 0x00);
        p.selection = QColor(0xf0, 0xe4, 0x42);
        p.highlightText = p.text;
    } else {
        p.background = QColor(0xee, 0xf1, 0xf6);
        p.hostFill = QColor(0xf3, 0xf5, 0xf9);
        p.frameFill = QColor(0xff, 0xff, 0xff);
        p.boxFill = QColor(0xfb, 0xfc, 0xfe);
        p.border = QColor(0xc9, 0xcf, 0xda);
        p.text = QColor(0x1d, 0x23, 0x30);
        p.mutedText = QColor(0x5b, 0x64, 0x74);
        p.highlight = QColor(0xff, 0xf0, 0xb3);
        p.selection = QColor(0x1d, 0x23, 0x30);
        p.highlightText = p.text;
    }
    QFont sans = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
    sans.setFamilies({QStringLiteral("DejaVu Sans"), sans.family()});
    p.captionFont = sans;
    p.captionFont.setPixelSize(15);
    p.captionFont.setBold(true);
    p.noteFont = sans;
    p.noteFont.setPixelSize(13);
    p.titleFont = sans;
    p.titleFont.setPixelSize(17);
    p.titleFont.setBold(true);
    p.pillFont = sans;
    p.pillFont.setPixelSize(12);
    p.pillFont.setBold(true);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setFamilies({QStringLiteral("DejaVu Sans Mono"), mono.family()});
    mono.setPixelSize(14);
    p.tupleFont = mono;
    return p;
}

bool DiagramPalette::isHighContrast(const QPalette &palette)
{
    return palette.color(QPalette::Window) == QColor(Qt::black)
           && palette.color(QPalette::WindowText) == QColor(Qt::white);
}

QColor DiagramPalette::stateColour(SocketState state) const
{
    if (highContrast) {
        // Fully saturated, each far from its neighbours, all read with black text on them;
        // the state's name is written in every pill, so colour is never the only cue.
        switch (state) {
        case SocketState::Listen:
            return QColor(0x00, 0xdd, 0xff); // cyan
        case SocketState::SynSent:
        case SocketState::SynRecv:
            return QColor(0x99, 0xcc, 0xff); // pale blue
        case SocketState::Established:
            return QColor(0x00, 0xff, 0x44); // green
        case SocketState::CloseWait:
            return QColor(0xff, 0x88, 0x00); // orange
        case SocketState::FinWait1:
        case SocketState::FinWait2:
        case SocketState::Closing:
        case SocketState::LastAck:
            return QColor(0xff, 0xee, 0x00); // yellow
        case SocketState::TimeWait:
            return QColor(0xff, 0x66, 0xff); // magenta
        case SocketState::Unconnected:
            return QColor(0xff, 0xcc, 0x00); // amber
        case SocketState::Close:
        case SocketState::Unknown:
            break;
        }
        return QColor(0xcc, 0xcc, 0xcc);
    }
    switch (state) {
    case SocketState::Listen:
        return QColor(0x00, 0x72, 0xB2); // blue
    case SocketState::SynSent:
    case SocketState::SynRecv:
        return QColor(0x56, 0xB4, 0xE9); // sky blue
    case SocketState::Established:
        return QColor(0x00, 0x9E, 0x73); // bluish green
    case SocketState::CloseWait:
        return QColor(0xD5, 0x5E, 0x00); // vermillion
    case SocketState::FinWait1:
    case SocketState::FinWait2:
    case SocketState::Closing:
    case SocketState::LastAck:
        return QColor(0xF0, 0xE4, 0x42); // yellow
    case SocketState::TimeWait:
        return QColor(0xCC, 0x79, 0xA7); // reddish purple
    case SocketState::Unconnected:
        return QColor(0xE6, 0x9F, 0x00); // orange
    case SocketState::Close:
    case SocketState::Unknown:
        return QColor(0x8a, 0x93, 0xa5); // grey
    }
    return QColor(0x8a, 0x93, 0xa5);
}

QColor DiagramPalette::stateTextColour(SocketState state) const
{
    if (highContrast)
        return Qt::black;
    switch (state) {
    case SocketState::FinWait1:
    case SocketState::FinWait2:
    case SocketState::Closing:
    case SocketState::LastAck:
    case SocketState::SynSent:
    case SocketState::SynRecv:
        return QColor(0x1d, 0x23, 0x30);
    default:
        return QColor(0xff, 0xff, 0xff);
    }
}

} // namespace SocketScope
