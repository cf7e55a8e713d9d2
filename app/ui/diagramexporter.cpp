// SPDX-License-Identifier: MIT
#include "diagramexporter.h"

#include "safefilewriter.h"

#include <QBuffer>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImageWriter>
#include <QPainter>
#include <QSvgGenerator>

namespace SocketScope {

namespace {

// Items cache their look as pixmaps for the screen; an export must draw them afresh, or an
// SVG would hold bitmaps instead of text and a scaled PNG would be blurred.
class CachesOff
{
public:
    explicit CachesOff(QGraphicsScene &scene)
    {
        for (QGraphicsItem *item : scene.items()) {
            if (item->cacheMode() != QGraphicsItem::NoCache) {
                m_modes.append({item, item->cacheMode()});
                item->setCacheMode(QGraphicsItem::NoCache);
            }
        }
    }
    ~CachesOff()
    {
        for (const auto &[item, mode] : std::as_const(m_modes))
            item->setCacheMode(mode);
    }
    Q_DISABLE_COPY_MOVE(CachesOff)

private:
    QList<QPair<QGraphicsItem *, QGraphicsItem::CacheMode>> m_modes;
};

} // namespace

QImage DiagramExporter::toImage(QGraphicsScene &scene, qreal scale)
{
    const QRectF source = scene.sceneRect();
    QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(scene.backgroundBrush().color());
    CachesOff cachesOff(scene);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene.render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    painter.end();
    return image;
}

QByteArray DiagramExporter::toSvg(QGraphicsScene &scene)
{
    const QRectF source = scene.sceneRect();
    QByteArray svg;
    QBuffer buffer(&svg);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    generator.setTitle(QStringLiteral("SocketScope diagram"));
    generator.setDescription(QStringLiteral("Sockets on this machine, drawn by SocketScope"));
    CachesOff cachesOff(scene);
    QPainter painter(&generator);
    painter.fillRect(QRectF(QPointF(0, 0), source.size()), scene.backgroundBrush());
    scene.render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    painter.end();
    return svg;
}

bool DiagramExporter::writeSvg(QGraphicsScene &scene, const QString &path, QString *errorMessage)
{
    return SafeFileWriter::write(path, toSvg(scene), errorMessage);
}

bool DiagramExporter::writeFile(QGraphicsScene &scene, const QString &path, QString *errorMessage)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg"))
        return writeSvg(scene, path, errorMessage);
    if (suffix != QLatin1String("png")) {
        if (errorMessage)
            *errorMessage = QStringLiteral("Cannot export an image as '.%1': name the file .png "
                                           "or .svg.")
                                    .arg(suffix);
        return false;
    }
    // Encoded in memory first: the one writer of user-named paths then decides how the
    // bytes reach the path (a file replaced atomically, a FIFO or device written into).
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(toImage(scene))) {
        if (errorMessage)
            *errorMessage = QStringLiteral("Cannot write %1: %2").arg(path, writer.errorString());
        return false;
    }
    return SafeFileWriter::write(path, png, errorMessage);
}

} // namespace SocketScope
