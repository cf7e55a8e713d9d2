// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

class QGraphicsScene;

namespace SocketScope {

// Renders the whole diagram (not just the visible part) to PNG, SVG or an image, so what
// is exported is what the lecturer sees, at any zoom.
class DiagramExporter
{
public:
    static QImage toImage(QGraphicsScene &scene, qreal scale = 2.0);
    static QByteArray toSvg(QGraphicsScene &scene);
    // Picks PNG or SVG from the file name's suffix; writes through SafeFileWriter.
    static bool writeFile(QGraphicsScene &scene, const QString &path, QString *errorMessage);
    static bool writeSvg(QGraphicsScene &scene, const QString &path, QString *errorMessage);
};

} // namespace SocketScope
