// SPDX-License-Identifier: MIT
// Build tool: renders the project's SVG icon to the PNG sizes of the hicolor theme, so the
// PNGs are always the SVG's and need no image tool beyond the Qt the app is built with.
// Usage: socketscope_iconrender <icon.svg> <output dir> <size>...
//        writes <output dir>/<size>x<size>/apps/socketscope.png for each size.

#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char *argv[])
{
    // A build machine has no display; rendering into an image needs none.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    if (argc < 4) {
        std::fprintf(stderr, "socketscope_iconrender: usage: %s <icon.svg> <dir> <size>...\n",
                     argv[0]);
        return 2;
    }
    QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
    if (!svg.isValid()) {
        std::fprintf(stderr, "socketscope_iconrender: %s is not a valid SVG\n", argv[1]);
        return 1;
    }
    const QDir out(QString::fromLocal8Bit(argv[2]));
    for (int i = 3; i < argc; ++i) {
        bool ok = false;
        const int size = QString::fromLocal8Bit(argv[i]).toInt(&ok);
        if (!ok || size < 8 || size > 1024) {
            std::fprintf(stderr, "socketscope_iconrender: bad size %s\n", argv[i]);
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        svg.render(&painter);
        painter.end();
        const QString dir = QStringLiteral("%1x%1/apps").arg(size);
        const QString path = out.filePath(dir + QStringLiteral("/socketscope.png"));
        if (!out.mkpath(dir) || !image.save(path, "PNG")) {
            std::fprintf(stderr, "socketscope_iconrender: cannot write %s\n", qPrintable(path));
            return 1;
        }
    }
    return 0;
}
