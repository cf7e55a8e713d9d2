// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QStandardPaths>

class QAbstractItemModel;
class QWidget;

namespace SocketScope {

class DiagramScene;
class EventLog;
class SocketRegistry;

// What the window saves or copies when asked: the state as JSON, the diagram as an image
// (to a file or the clipboard), the table as CSV or text. Each asks where to, writes through
// the same code as the command line's exports, and says how it went in the log.
class WindowExports : public QObject
{
    Q_OBJECT
public:
    // `table` is the table as filtered; dialogs open over `window`.
    WindowExports(const SocketRegistry &registry, EventLog &log, DiagramScene &scene,
                  const QAbstractItemModel &table, QWidget *window);

    void exportState();
    void exportImage();
    void copyImage();
    void exportTable();

Q_SIGNALS:
    void statusMessage(const QString &text, int timeoutMs);

private:
    // Asks for a file to save to; empty when the user cancels.
    QString askSavePath(const QString &title, const QString &fileName, const QString &filter,
                        QStandardPaths::StandardLocation defaultLocation);
    void failed(const QString &title, const QString &error, const QString &advice = {});

    const SocketRegistry &m_registry;
    EventLog &m_log;
    DiagramScene &m_scene;
    const QAbstractItemModel &m_table;
    QWidget *m_window;
};

} // namespace SocketScope
