// SPDX-License-Identifier: MIT
#include "windowexports.h"

#include "diagramexporter.h"
#include "diagramscene.h"
#include "eventlog.h"
#include "safefilewriter.h"
#include "stateexporter.h"
#include "tableexporter.h"

#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMessageBox>
#include <QSettings>

namespace SocketScope {

WindowExports::WindowExports(const SocketRegistry &registry, EventLog &log, DiagramScene &scene,
                             const QAbstractItemModel &table, QWidget *window)
    : QObject(window),
      m_registry(registry),
      m_log(log),
      m_scene(scene),
      m_table(table),
      m_window(window)
{ }

QString WindowExports::askSavePath(const QString &title, const QString &fileName,
                                   const QString &filter,
                                   QStandardPaths::StandardLocation defaultLocation)
{
    // All exports start where the last one went: a lecturer collects them in one folder.
    QSettings settings;
    const QString startDir = settings.value(QStringLiteral("export/lastDirectory"),
                                            QStandardPaths::writableLocation(defaultLocation))
                                     .toString();
    QString path = QFileDialog::getSaveFileName(m_window, title,
                                                startDir + QLatin1Char('/') + fileName, filter);
    if (!path.isEmpty())
        settings.setValue(QStringLiteral("export/lastDirectory"), QFileInfo(path).absolutePath());
    return path;
}

void WindowExports::failed(const QString &title, const QString &error, const QString &advice)
{
    m_log.append(EventSeverity::Error, error);
    QMessageBox::warning(m_window, title, error + advice);
}

void WindowExports::exportState()
{
    const QString path = askSavePath(tr("Export State"), QStringLiteral("socketscope-state.json"),
                                     tr("JSON files (*.json)"), QStandardPaths::DocumentsLocation);
    if (path.isEmpty())
        return;
    QString error;
    if (!StateExporter::writeFile(path, m_registry, &m_log, &error)) {
        failed(tr("Export State"), error, tr("\n\nChoose another folder or file name."));
        return;
    }
    m_log.append(EventSeverity::Info, tr("State exported to %1").arg(path));
}

void WindowExports::exportImage()
{
    const QString path = askSavePath(tr("Export Image"), QStringLiteral("socketscope-diagram.png"),
                                     tr("PNG image (*.png);;SVG drawing (*.svg)"),
                                     QStandardPaths::PicturesLocation);
    if (path.isEmpty())
        return;
    m_scene.flush();
    QString error;
    if (!DiagramExporter::writeFile(m_scene, path, &error)) {
        failed(tr("Export Image"), error);
        return;
    }
    m_log.append(EventSeverity::Info, tr("Diagram exported to %1").arg(path));
}

void WindowExports::copyImage()
{
    m_scene.flush();
    QGuiApplication::clipboard()->setImage(DiagramExporter::toImage(m_scene));
    Q_EMIT statusMessage(tr("Diagram copied to the clipboard"), 3000);
}

void WindowExports::exportTable()
{
    const QString path = askSavePath(tr("Export Table"), QStringLiteral("socketscope-sockets.csv"),
                                     tr("CSV (*.csv);;Text, netstat-like (*.txt)"),
                                     QStandardPaths::DocumentsLocation);
    if (path.isEmpty())
        return;
    const bool csv = !path.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive);
    QString error;
    if (!SafeFileWriter::write(
                path,
                (csv ? TableExporter::toCsv(m_table) : TableExporter::toText(m_table)).toUtf8(),
                &error)) {
        failed(tr("Export Table"), error);
        return;
    }
    m_log.append(EventSeverity::Info, tr("Table exported to %1").arg(path));
}

} // namespace SocketScope
