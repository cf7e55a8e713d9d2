// SPDX-License-Identifier: MIT
#include "jsonfields.h"

namespace SocketScope {

QJsonValue endpointToJson(const Endpoint &endpoint)
{
    QJsonObject object;
    object.insert(QStringLiteral("address"),
                  endpoint.address.isNull() ? QStringLiteral("*") : endpoint.address.toString());
    object.insert(QStringLiteral("port"), endpoint.port);
    return object;
}

QJsonValue timeToJson(const QDateTime &time)
{
    if (time.isNull())
        return QJsonValue::Null;
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject kernelFactsToJson(const KernelFacts &facts)
{
    QJsonObject object;
    object.insert(QStringLiteral("state"), stateName(facts.state));
    object.insert(QStringLiteral("recvQ"), static_cast<qint64>(facts.recvQ));
    object.insert(QStringLiteral("sendQ"), static_cast<qint64>(facts.sendQ));
    object.insert(QStringLiteral("inode"), static_cast<qint64>(facts.inode));
    object.insert(QStringLiteral("pid"), facts.pid);
    object.insert(QStringLiteral("program"), facts.program);
    object.insert(QStringLiteral("timerMs"), facts.timerMs);
    object.insert(QStringLiteral("sharedWith"), facts.sharedWith);
    if (const std::optional<KernelTcpInfo> &info = facts.tcpInfo) {
        QJsonObject tcpInfo;
        tcpInfo.insert(QStringLiteral("rttUs"), static_cast<qint64>(info->rttUs));
        tcpInfo.insert(QStringLiteral("rttVarUs"), static_cast<qint64>(info->rttVarUs));
        tcpInfo.insert(QStringLiteral("retransmissions"), static_cast<qint64>(info->totalRetrans));
        tcpInfo.insert(QStringLiteral("unacked"), static_cast<qint64>(info->unacked));
        tcpInfo.insert(QStringLiteral("congestionWindow"), static_cast<qint64>(info->sndCwnd));
        object.insert(QStringLiteral("tcpInfo"), tcpInfo);
    } else {
        object.insert(QStringLiteral("tcpInfo"), QJsonValue::Null);
    }
    return object;
}

void insertTrafficAndLifetime(QJsonObject &object, const SocketRecord &record)
{
    object.insert(QStringLiteral("bytesSent"), static_cast<qint64>(record.bytesSent));
    object.insert(QStringLiteral("bytesReceived"), static_cast<qint64>(record.bytesReceived));
    object.insert(QStringLiteral("datagramsSent"), static_cast<qint64>(record.datagramsSent));
    object.insert(QStringLiteral("datagramsReceived"),
                  static_cast<qint64>(record.datagramsReceived));
    object.insert(QStringLiteral("created"), timeToJson(record.created));
    object.insert(QStringLiteral("closed"), timeToJson(record.closed));
    object.insert(QStringLiteral("kernelOnly"), record.kernelOnly);
    object.insert(QStringLiteral("activity"), record.activity);
    object.insert(QStringLiteral("kernel"), record.kernel
                                                    ? QJsonValue(kernelFactsToJson(*record.kernel))
                                                    : QJsonValue(QJsonValue::Null));
}

bool JsonFieldReader::readOptionalEndpoint(const QJsonValue &value, const QString &where,
                                           std::optional<Endpoint> &out)
{
    if (value.isNull() || value.isUndefined())
        return true;
    Endpoint endpoint;
    if (!readEndpoint(value, where, endpoint))
        return false;
    out = endpoint;
    return true;
}

bool JsonFieldReader::readTrafficAndTimes(const QJsonObject &object, const QString &where,
                                          SocketRecord &out)
{
    return readCount(object, "bytesSent", where, out.bytesSent)
           && readCount(object, "bytesReceived", where, out.bytesReceived)
           && readCount(object, "datagramsSent", where, out.datagramsSent)
           && readCount(object, "datagramsReceived", where, out.datagramsReceived)
           && readTime(object, "created", where, out.created)
           && readTime(object, "closed", where, out.closed);
}

bool JsonFieldReader::fail(const QString &where, const QString &what)
{
    if (error.isEmpty())
        error = where + QStringLiteral(": ") + what;
    return false;
}

bool JsonFieldReader::readEndpoint(const QJsonValue &value, const QString &where, Endpoint &out)
{
    if (!value.isObject())
        return fail(where, QStringLiteral("expected an object with address and port"));
    const QJsonObject object = value.toObject();
    const QString address = object.value(QStringLiteral("address")).toString();
    const QJsonValue port = object.value(QStringLiteral("port"));
    if (address.isEmpty())
        return fail(where + QStringLiteral(".address"), QStringLiteral("missing"));
    if (address != QLatin1String("*") && QHostAddress(address).isNull())
        return fail(where + QStringLiteral(".address"),
                    QStringLiteral("'%1' is not an IP address").arg(address));
    if (!port.isDouble() || port.toDouble() < 0 || port.toDouble() > 65535
        || port.toDouble() != static_cast<double>(port.toInt()))
        return fail(where + QStringLiteral(".port"),
                    QStringLiteral("expected a whole number from 0 to 65535"));
    out.address = address == QLatin1String("*") ? QHostAddress() : QHostAddress(address);
    out.port = static_cast<quint16>(port.toInt());
    return true;
}

bool JsonFieldReader::readCount(const QJsonObject &object, const char *key, const QString &where,
                                quint64 &out)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined())
        return true; // optional
    if (!value.isDouble() || value.toDouble() < 0)
        return fail(where + QLatin1Char('.') + QLatin1String(key),
                    QStringLiteral("expected a number of 0 or more"));
    out = static_cast<quint64>(value.toInteger());
    return true;
}

bool JsonFieldReader::readTime(const QJsonObject &object, const char *key, const QString &where,
                               QDateTime &out)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return true;
    out = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!out.isValid())
        return fail(where + QLatin1Char('.') + QLatin1String(key),
                    QStringLiteral("expected an ISO 8601 time"));
    return true;
}

bool JsonFieldReader::readState(const QJsonValue &value, const QString &where, SocketState &out)
{
    const auto state = stateFromName(value.toString());
    if (!state)
        return fail(where, QStringLiteral("unknown state '%1'").arg(value.toString()));
    out = *state;
    return true;
}

bool JsonFieldReader::readKernelFacts(const QJsonValue &value, const QString &where,
                                      KernelFacts &out)
{
    if (!value.isObject())
        return fail(where, QStringLiteral("expected an object"));
    const QJsonObject facts = value.toObject();
    if (!readState(facts.value(QStringLiteral("state")), where + QStringLiteral(".state"),
                   out.state))
        return false;
    quint64 recvQ = 0;
    quint64 sendQ = 0;
    quint64 inode = 0;
    if (!readCount(facts, "recvQ", where, recvQ) || !readCount(facts, "sendQ", where, sendQ)
        || !readCount(facts, "inode", where, inode))
        return false;
    out.recvQ = static_cast<quint32>(recvQ);
    out.sendQ = static_cast<quint32>(sendQ);
    out.inode = inode;
    out.pid = facts.value(QStringLiteral("pid")).toInteger();
    out.program = facts.value(QStringLiteral("program")).toString();
    out.timerMs = facts.value(QStringLiteral("timerMs")).toInteger(-1);
    out.sharedWith = facts.value(QStringLiteral("sharedWith")).toString();
    if (const QJsonValue tcpInfo = facts.value(QStringLiteral("tcpInfo")); tcpInfo.isObject()) {
        const QJsonObject info = tcpInfo.toObject();
        const auto number = [&info](const char *key) {
            return static_cast<quint32>(info.value(QLatin1String(key)).toInteger());
        };
        out.tcpInfo = KernelTcpInfo{number("rttUs"), number("rttVarUs"), number("retransmissions"),
                                    number("unacked"), number("congestionWindow")};
    }
    return true;
}

} // namespace SocketScope
