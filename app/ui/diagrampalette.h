// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QColor>
#include <QFont>
#include <QPalette>

namespace SocketScope {

// Colours and fonts of the diagram. State colours come from the Okabe-Ito palette, which
// stays distinguishable with the common colour-vision deficiencies; every state is also
// written out, so colour is never the only cue.
struct DiagramPalette
{
    bool dark = false;
    // Black, white and strong colours only, for a washed-out projector: chosen through the
    // High Contrast theme, recognised by its pure black window and pure white text.
    bool highContrast = false;
    QColor background; // the scene
    QColor hostFill; // the host frame
    QColor frameFill; // process boxes
    QColor boxFill; // socket boxes
    QColor border; // neutral outlines
    QColor text; // main text
    QColor mutedText; // captions, notes
    QColor highlight; // behind the part of a tuple that tells sockets apart
    QColor highlightText; // that part's text
    QColor selection; // outline of the selected socket
    QFont captionFont;
    QFont noteFont;
    QFont tupleFont;
    QFont pillFont;
    QFont titleFont;

    static DiagramPalette fromPalette(const QPalette &palette);
    static bool isHighContrast(const QPalette &palette);
    QColor stateColour(SocketState state) const;
    // Text colour that reads on the state colour (dark on yellow, white elsewhere).
    QColor stateTextColour(SocketState state) const;
};

} // namespace SocketScope
