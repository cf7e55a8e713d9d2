// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"
#include "socketrecord.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace SocketScope {

class SocketRegistry;

// A snapshot of everything the app shows, as read back from the JSON export.
struct ExportedState
{
    int version = 0;
    QList<SocketRecord> sockets;
    QList<LogEvent> events;
};

// The JSON state export (schema version 1, documented in README.md). It is a public
// contract: scripts and tests read it, so fields are only ever added, never renamed.
class StateExporter
{
public:
    static constexpr int SchemaVersion = 1;

    static QJsonObject toJson(const SocketRegistry &registry, const EventLog *log = nullptr);
    static QJsonObject socketToJson(const SocketRecord &record);
    static QByteArray toBytes(const SocketRegistry &registry, const EventLog *log = nullptr);
    // Through SafeFileWriter: a regular file atomically, a FIFO or device as it is.
    static bool writeFile(const QString &path, const SocketRegistry &registry, const EventLog *log,
                          QString *errorMessage);

    // Parses an export; on failure returns nullopt and says what is wrong and where.
    static std::optional<ExportedState> fromBytes(const QByteArray &json, QString *errorMessage);
};

} // namespace SocketScope
