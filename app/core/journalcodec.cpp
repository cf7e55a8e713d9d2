// SPDX-License-Identifier: MIT
#include "journalcodec.h"

#include "jsonfields.h"

namespace SocketScope {

namespace {

QString directionName(TrafficDirection direction)
{
    return direction == TrafficDirection::Sent ? QStringLiteral("sent")
                                               : QStringLiteral("received");
}

class JournalReader : public JsonFieldReader
{
public:
    bool readNumber(const QJsonObject &object, const char *key, const QString &where, qint64 &out,
                    bool required = false)
    {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined() && !required)
            return true;
        if (!value.isDouble())
            return fail(where + QLatin1String(key), QStringLiteral("expected a number"));
        out = value.toInteger();
        return true;
    }

    bool readText(const QJsonObject &object, const char *key, const QString &where, QString &out)
    {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined())
            return true;
        if (!value.isString())
            return fail(where + QLatin1String(key), QStringLiteral("expected a string"));
        out = value.toString();
        return true;
    }

    bool readRecord(const QJsonValue &value, const QString &where, SocketRecord &out)
    {
        if (!value.isObject())
            return fail(where, QStringLiteral("expected an object"));
        const QJsonObject object = value.toObject();
        const QString at = where + QLatin1Char('.');
        qint64 id = 0;
        if (!readNumber(object, "id", at, id, true))
            return false;
        if (id < 1)
            return fail(at + QStringLiteral("id"), QStringLiteral("expected a number >= 1"));
        out.id = static_cast<SocketId>(id);
        const auto protocol = protocolFromName(object.value(QStringLiteral("protocol")).toString());
        if (!protocol)
            return fail(at + QStringLiteral("protocol"), QStringLiteral("expected tcp or udp"));
        out.protocol = *protocol;
        const auto role = roleFromName(object.value(QStringLiteral("role")).toString());
        if (!role)
            return fail(at + QStringLiteral("role"), QStringLiteral("unknown role"));
        out.role = *role;
        if (!readState(object.value(QStringLiteral("state")), at + QStringLiteral("state"),
                       out.state)
            || !readEndpoint(object.value(QStringLiteral("local")), at + QStringLiteral("local"),
                             out.local))
            return false;
        if (!readOptionalEndpoint(object.value(QStringLiteral("remote")),
                                  at + QStringLiteral("remote"), out.remote)
            || !readNumber(object, "pid", at, out.pid)
            || !readNumber(object, "threadId", at, out.threadId)
            || !readText(object, "program", at, out.program)
            || !readText(object, "activity", at, out.activity)
            || !readTrafficAndTimes(object, where, out))
            return false;
        out.kernelOnly = object.value(QStringLiteral("kernelOnly")).toBool();
        const QJsonValue kernel = object.value(QStringLiteral("kernel"));
        if (!kernel.isNull() && !kernel.isUndefined()) {
            KernelFacts facts;
            if (!readKernelFacts(kernel, at + QStringLiteral("kernel"), facts))
                return false;
            out.kernel = facts;
        }
        return true;
    }

    bool readEvent(const QJsonObject &object, SocketEvent &out)
    {
        const QString at; // fields of the line itself are named bare: "kind: ..."
        qint64 seq = 0;
        if (!readNumber(object, "seq", at, seq, true)
            || !readNumber(object, "t", at, out.monotonicNs, true))
            return false;
        if (seq < 1)
            return fail(QStringLiteral("seq"), QStringLiteral("expected a number >= 1"));
        out.seq = static_cast<quint64>(seq);
        if (!readTime(object, "wall", QStringLiteral("event"), out.wallTime)
            || !readText(object, "host", at, out.host))
            return false;
        const QString kindName = object.value(QStringLiteral("kind")).toString();
        const auto kind = eventKindFromName(kindName);
        if (!kind)
            return fail(QStringLiteral("kind"), QStringLiteral("unknown kind '%1'").arg(kindName));
        out.kind = *kind;
        const QJsonValue socket = object.value(QStringLiteral("socket"));
        if (socket.isDouble()) {
            if (socket.toInteger() < 1)
                return fail(QStringLiteral("socket"), QStringLiteral("expected a number >= 1"));
            out.socket = static_cast<SocketId>(socket.toInteger());
            const auto protocol
                    = protocolFromName(object.value(QStringLiteral("protocol")).toString());
            if (!protocol)
                return fail(QStringLiteral("protocol"), QStringLiteral("expected tcp or udp"));
            out.protocol = *protocol;
            if (!readEndpoint(object.value(QStringLiteral("local")), QStringLiteral("local"),
                              out.local))
                return false;
            if (!readOptionalEndpoint(object.value(QStringLiteral("remote")),
                                      QStringLiteral("remote"), out.remote))
                return false;
        } else if (!socket.isNull() && !socket.isUndefined()) {
            return fail(QStringLiteral("socket"), QStringLiteral("expected a number or null"));
        } else if (!out.isLogLine()) {
            return fail(QStringLiteral("socket"),
                        QStringLiteral("a '%1' event needs its socket").arg(kindName));
        }
        switch (out.kind) {
        case EventKind::StateChanged:
        case EventKind::Closed: {
            if (!readState(object.value(QStringLiteral("from")), QStringLiteral("from"), out.from)
                || !readState(object.value(QStringLiteral("to")), QStringLiteral("to"), out.to))
                return false;
            const QString sourceName = object.value(QStringLiteral("source")).toString();
            if (out.kind == EventKind::StateChanged) {
                const auto source = stateSourceFromName(sourceName);
                if (!source)
                    return fail(QStringLiteral("source"),
                                QStringLiteral("unknown source '%1'").arg(sourceName));
                out.source = *source;
                const QJsonValue history = object.value(QStringLiteral("history"));
                if (!history.isUndefined() && !history.isBool())
                    return fail(QStringLiteral("history"),
                                QStringLiteral("expected true or false"));
                out.history = history.toBool();
            }
            return readFactsField(object, out);
        }
        case EventKind::KernelFactsChanged:
            return readFactsField(object, out);
        case EventKind::OwnerChanged:
            return readNumber(object, "pid", at, out.pid)
                   && readNumber(object, "threadId", at, out.threadId)
                   && readText(object, "program", at, out.text);
        case EventKind::ActivityChanged:
            return readText(object, "activity", at, out.text);
        case EventKind::Traffic: {
            const QString direction = object.value(QStringLiteral("direction")).toString();
            if (direction != QLatin1String("sent") && direction != QLatin1String("received"))
                return fail(QStringLiteral("direction"),
                            QStringLiteral("expected sent or received"));
            out.direction = direction == QLatin1String("sent") ? TrafficDirection::Sent
                                                               : TrafficDirection::Received;
            out.datagram = object.value(QStringLiteral("datagram")).toBool();
            if (!readCount(object, "bytes", QStringLiteral("event"), out.bytes)
                || !readCount(object, "count", QStringLiteral("event"), out.count))
                return false;
            if (out.count < 1)
                return fail(QStringLiteral("count"), QStringLiteral("expected 1 or more"));
            return readEndpoint(object.value(QStringLiteral("peer")), QStringLiteral("peer"),
                                out.peer);
        }
        case EventKind::Message:
        case EventKind::UserCommand:
        case EventKind::Caption:
        case EventKind::Error: {
            const auto severity
                    = severityFromName(object.value(QStringLiteral("level")).toString());
            if (!severity)
                return fail(QStringLiteral("level"),
                            QStringLiteral("expected info, warning or error"));
            out.severity = *severity;
            if (out.kind == EventKind::Error && !readText(object, "code", at, out.code))
                return false;
            return readText(object, "text", at, out.text);
        }
        case EventKind::FinSent:
        case EventKind::RstSent:
            return readText(object, "call", at, out.text); // absent in older files
        default:
            break;
        }
        // Creations and revisions carry the record; a Bound event only when it created one.
        const QJsonValue record = object.value(QStringLiteral("record"));
        const bool needsRecord = out.kind == EventKind::Listening || out.kind == EventKind::Accepted
                                 || out.kind == EventKind::ConnectStarted
                                 || out.kind == EventKind::Opened || out.kind == EventKind::Revised;
        if (needsRecord || (out.kind == EventKind::Bound && !record.isUndefined())) {
            SocketRecord parsed;
            if (!readRecord(record, QStringLiteral("record"), parsed))
                return false;
            if (parsed.id != out.socket)
                return fail(QStringLiteral("record.id"),
                            QStringLiteral("is not the event's socket %1").arg(out.socket));
            out.record = std::make_shared<const SocketRecord>(std::move(parsed));
        }
        return true;
    }

private:
    bool readFactsField(const QJsonObject &object, SocketEvent &out)
    {
        const QJsonValue facts = object.value(QStringLiteral("facts"));
        if (facts.isNull() || facts.isUndefined())
            return true;
        KernelFacts parsed;
        if (!readKernelFacts(facts, QStringLiteral("facts"), parsed))
            return false;
        out.facts = std::make_shared<const KernelFacts>(std::move(parsed));
        return true;
    }
};

} // namespace

QJsonObject recordToJournalJson(const SocketRecord &record)
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), static_cast<qint64>(record.id));
    object.insert(QStringLiteral("protocol"), protocolName(record.protocol));
    object.insert(QStringLiteral("role"), roleName(record.role));
    object.insert(QStringLiteral("state"), stateName(record.state));
    object.insert(QStringLiteral("local"), endpointToJson(record.local));
    object.insert(QStringLiteral("remote"),
                  record.remote ? endpointToJson(*record.remote) : QJsonValue(QJsonValue::Null));
    object.insert(QStringLiteral("pid"), record.pid);
    object.insert(QStringLiteral("threadId"), record.threadId);
    object.insert(QStringLiteral("program"), record.program);
    insertTrafficAndLifetime(object, record);
    return object;
}

QJsonObject eventToJournalJson(const SocketEvent &event)
{
    QJsonObject object;
    object.insert(QStringLiteral("seq"), static_cast<qint64>(event.seq));
    object.insert(QStringLiteral("t"), event.monotonicNs);
    object.insert(QStringLiteral("wall"), timeToJson(event.wallTime));
    object.insert(QStringLiteral("host"), event.host);
    object.insert(QStringLiteral("kind"), eventKindName(event.kind));
    if (event.socket == InvalidSocketId) {
        object.insert(QStringLiteral("socket"), QJsonValue::Null);
    } else {
        object.insert(QStringLiteral("socket"), static_cast<qint64>(event.socket));
        object.insert(QStringLiteral("protocol"), protocolName(event.protocol));
        object.insert(QStringLiteral("local"), endpointToJson(event.local));
        object.insert(QStringLiteral("remote"),
                      event.remote ? endpointToJson(*event.remote) : QJsonValue(QJsonValue::Null));
    }
    const auto insertFacts = [&] {
        object.insert(QStringLiteral("facts"), event.facts
                                                       ? QJsonValue(kernelFactsToJson(*event.facts))
                                                       : QJsonValue(QJsonValue::Null));
    };
    switch (event.kind) {
    case EventKind::StateChanged:
        object.insert(QStringLiteral("source"), stateSourceName(event.source));
        if (event.history)
            object.insert(QStringLiteral("history"), true);
        [[fallthrough]];
    case EventKind::Closed:
        object.insert(QStringLiteral("from"), stateName(event.from));
        object.insert(QStringLiteral("to"), stateName(event.to));
        if (event.facts)
            insertFacts();
        break;
    case EventKind::KernelFactsChanged:
        insertFacts();
        break;
    case EventKind::OwnerChanged:
        object.insert(QStringLiteral("pid"), event.pid);
        object.insert(QStringLiteral("threadId"), event.threadId);
        object.insert(QStringLiteral("program"), event.text);
        break;
    case EventKind::ActivityChanged:
        object.insert(QStringLiteral("activity"), event.text);
        break;
    case EventKind::Traffic:
        object.insert(QStringLiteral("direction"), directionName(event.direction));
        object.insert(QStringLiteral("bytes"), static_cast<qint64>(event.bytes));
        object.insert(QStringLiteral("count"), static_cast<qint64>(event.count));
        object.insert(QStringLiteral("datagram"), event.datagram);
        object.insert(QStringLiteral("peer"), endpointToJson(event.peer));
        break;
    case EventKind::Error:
        object.insert(QStringLiteral("code"), event.code);
        [[fallthrough]];
    case EventKind::Message:
    case EventKind::UserCommand:
    case EventKind::Caption:
        object.insert(QStringLiteral("level"), severityName(event.severity));
        object.insert(QStringLiteral("text"), event.text);
        break;
    case EventKind::FinSent:
    case EventKind::RstSent:
        if (!event.text.isEmpty())
            object.insert(QStringLiteral("call"), event.text);
        break;
    default:
        break;
    }
    if (event.record)
        object.insert(QStringLiteral("record"), recordToJournalJson(*event.record));
    return object;
}

bool recordFromJournalJson(const QJsonValue &value, const QString &where, SocketRecord &out,
                           QString &error)
{
    JournalReader reader;
    const bool ok = reader.readRecord(value, where, out);
    error = reader.error;
    return ok;
}

bool eventFromJournalJson(const QJsonObject &object, SocketEvent &out, QString &error)
{
    JournalReader reader;
    const bool ok = reader.readEvent(object, out);
    error = reader.error;
    return ok;
}

} // namespace SocketScope
