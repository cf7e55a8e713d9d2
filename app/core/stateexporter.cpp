// SPDX-License-Identifier: MIT
#include "stateexporter.h"

#include "jsonfields.h"
#include "safefilewriter.h"
#include "socketregistry.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace SocketScope {

namespace {

// The export's own records and log lines, on top of the shared field readers.
class Reader : public JsonFieldReader
{
public:
    bool readSocket(const QJsonValue &value, const QString &where, SocketRecord &out)
    {
        if (!value.isObject())
            return fail(where, QStringLiteral("expected an object"));
        const QJsonObject object = value.toObject();
        const QJsonValue id = object.value(QStringLiteral("id"));
        if (!id.isDouble() || id.toDouble() < 1)
            return fail(where + QStringLiteral(".id"), QStringLiteral("expected a number >= 1"));
        out.id = static_cast<SocketId>(id.toDouble());
        const auto protocol = protocolFromName(object.value(QStringLiteral("protocol")).toString());
        if (!protocol)
            return fail(where + QStringLiteral(".protocol"), QStringLiteral("expected tcp or udp"));
        out.protocol = *protocol;
        const auto role = roleFromName(object.value(QStringLiteral("role")).toString());
        if (!role)
            return fail(where + QStringLiteral(".role"), QStringLiteral("unknown role"));
        out.role = *role;
        const QJsonValue qtState = object.value(QStringLiteral("qtState"));
        if (!readState(qtState.isUndefined() ? object.value(QStringLiteral("state")) : qtState,
                       where + QStringLiteral(".state"), out.state))
            return false;
        if (!readEndpoint(object.value(QStringLiteral("local")), where + QStringLiteral(".local"),
                          out.local))
            return false;
        if (!readOptionalEndpoint(object.value(QStringLiteral("remote")),
                                  where + QStringLiteral(".remote"), out.remote))
            return false;
        out.pid = object.value(QStringLiteral("pid")).toInteger();
        out.program = object.value(QStringLiteral("program")).toString();
        out.threadId = object.value(QStringLiteral("threadId")).toInteger();
        out.kernelOnly = object.value(QStringLiteral("kernelOnly")).toBool();
        out.activity = object.value(QStringLiteral("activity")).toString();
        if (!readTrafficAndTimes(object, where, out))
            return false;
        const QJsonValue kernel = object.value(QStringLiteral("kernel"));
        if (kernel.isObject()) {
            KernelFacts parsed;
            if (!readKernelFacts(kernel, where + QStringLiteral(".kernel"), parsed))
                return false;
            out.kernel = parsed;
        } else if (!kernel.isNull() && !kernel.isUndefined()) {
            return fail(where + QStringLiteral(".kernel"),
                        QStringLiteral("expected an object or null"));
        }
        return true;
    }

    bool readEvent(const QJsonValue &value, const QString &where, LogEvent &out)
    {
        if (!value.isObject())
            return fail(where, QStringLiteral("expected an object"));
        const QJsonObject object = value.toObject();
        if (!readTime(object, "time", where, out.time))
            return false;
        const auto severity = severityFromName(object.value(QStringLiteral("level")).toString());
        if (!severity)
            return fail(where + QStringLiteral(".level"),
                        QStringLiteral("expected info, warning or error"));
        out.severity = *severity;
        const QJsonValue socket = object.value(QStringLiteral("socket"));
        out.socket = socket.isDouble() ? static_cast<SocketId>(socket.toDouble()) : InvalidSocketId;
        out.message = object.value(QStringLiteral("message")).toString();
        return true;
    }
};

} // namespace

QJsonObject StateExporter::socketToJson(const SocketRecord &record)
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), static_cast<qint64>(record.id));
    object.insert(QStringLiteral("protocol"), protocolName(record.protocol));
    object.insert(QStringLiteral("role"), roleName(record.role));
    object.insert(QStringLiteral("state"), stateName(record.effectiveState()));
    object.insert(QStringLiteral("qtState"), stateName(record.state));
    object.insert(QStringLiteral("local"), endpointToJson(record.local));
    object.insert(QStringLiteral("remote"),
                  record.remote ? endpointToJson(*record.remote) : QJsonValue(QJsonValue::Null));
    object.insert(QStringLiteral("pid"), record.ownerPid());
    object.insert(QStringLiteral("program"), record.program);
    object.insert(QStringLiteral("threadId"), record.threadId);
    // Only the kernel knows its queues: without its word they are unknown, not empty.
    object.insert(QStringLiteral("recvQ"), record.kernel ? QJsonValue(qint64(record.recvQ()))
                                                         : QJsonValue(QJsonValue::Null));
    object.insert(QStringLiteral("sendQ"), record.kernel ? QJsonValue(qint64(record.sendQ()))
                                                         : QJsonValue(QJsonValue::Null));
    insertTrafficAndLifetime(object, record);
    return object;
}

QJsonObject StateExporter::toJson(const SocketRegistry &registry, const EventLog *log)
{
    QJsonArray sockets;
    for (SocketId id : registry.ids()) {
        if (const SocketRecord *record = registry.find(id))
            sockets.append(socketToJson(*record));
    }
    QJsonArray events;
    if (log) {
        for (const LogEvent &event : log->events()) {
            QJsonObject object;
            object.insert(QStringLiteral("time"), timeToJson(event.time));
            object.insert(QStringLiteral("level"), severityName(event.severity));
            object.insert(QStringLiteral("socket"),
                          event.socket == InvalidSocketId
                                  ? QJsonValue(QJsonValue::Null)
                                  : QJsonValue(static_cast<qint64>(event.socket)));
            object.insert(QStringLiteral("message"), event.message);
            events.append(object);
        }
    }
    QJsonObject root;
    root.insert(QStringLiteral("version"), SchemaVersion);
    root.insert(QStringLiteral("sockets"), sockets);
    root.insert(QStringLiteral("events"), events);
    return root;
}

QByteArray StateExporter::toBytes(const SocketRegistry &registry, const EventLog *log)
{
    return QJsonDocument(toJson(registry, log)).toJson(QJsonDocument::Indented);
}

bool StateExporter::writeFile(const QString &path, const SocketRegistry &registry,
                              const EventLog *log, QString *errorMessage)
{
    return SafeFileWriter::write(path, toBytes(registry, log), errorMessage);
}

std::optional<ExportedState> StateExporter::fromBytes(const QByteArray &json, QString *errorMessage)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    Reader reader;
    ExportedState state;
    if (parseError.error != QJsonParseError::NoError) {
        reader.fail(QStringLiteral("offset %1").arg(parseError.offset), parseError.errorString());
    } else if (!document.isObject()) {
        reader.fail(QStringLiteral("document"), QStringLiteral("expected a JSON object"));
    } else {
        const QJsonObject root = document.object();
        state.version = root.value(QStringLiteral("version")).toInt();
        if (state.version != SchemaVersion) {
            reader.fail(QStringLiteral("version"),
                        QStringLiteral("expected %1, found %2")
                                .arg(SchemaVersion)
                                .arg(root.value(QStringLiteral("version")).toVariant().toString()));
        } else if (!root.value(QStringLiteral("sockets")).isArray()) {
            reader.fail(QStringLiteral("sockets"), QStringLiteral("expected an array"));
        } else {
            const QJsonArray sockets = root.value(QStringLiteral("sockets")).toArray();
            for (qsizetype i = 0; i < sockets.size() && reader.error.isEmpty(); ++i) {
                SocketRecord record;
                if (reader.readSocket(sockets.at(i), QStringLiteral("sockets[%1]").arg(i), record))
                    state.sockets.append(record);
            }
            const QJsonArray events = root.value(QStringLiteral("events")).toArray();
            for (qsizetype i = 0; i < events.size() && reader.error.isEmpty(); ++i) {
                LogEvent event;
                if (reader.readEvent(events.at(i), QStringLiteral("events[%1]").arg(i), event))
                    state.events.append(event);
            }
        }
    }
    if (!reader.error.isEmpty()) {
        if (errorMessage)
            *errorMessage = reader.error;
        return std::nullopt;
    }
    return state;
}

} // namespace SocketScope
