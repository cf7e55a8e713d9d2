// SPDX-License-Identifier: MIT
#pragma once

#include "diagramlayout.h"

namespace SocketScope {

// How much of the picture one plan draws: DiagramLayout::plan() tries folds from the whole
// picture down until one fits the room.
struct DiagramFold
{
    int rowsPerSection = 12; // rows per section before the rest go into "+ N more"
    // A whole section as one line ("TCP: listening on …, 3 connections"): at the hall's text
    // size there may be room for only the section the moment is about.
    bool foldTcp = false;
    bool foldUdp = false;
};

// Places the sorted sockets, top to bottom: the host's title, the TCP section, the UDP
// section, the legend and the host's frame around them all. Apart from DiagramLayout, which
// sorts the sockets and chooses the fold, because this is where the geometry lives.
DiagramLayout::Plan buildDiagramPlan(DiagramLayout::Sections sections,
                                     const DiagramLayout::Options &options,
                                     const DiagramFold &fold);

} // namespace SocketScope
