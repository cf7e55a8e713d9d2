// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace SocketScope {

// The JSON spelling of the value types every export shares (state export, journal), written
// once so the files agree with each other.
QJsonValue endpointToJson(const Endpoint &endpoint); // {"address": "127.0.0.1", "port": 9877}
QJsonValue timeToJson(const QDateTime &time); // ISO 8601 UTC with ms, null when not set
QJsonObject kernelFactsToJson(const KernelFacts &facts);
// The fields both exports write alike for a socket: its traffic counters, created/closed,
// kernelOnly, activity and the kernel's facts (or null).
void insertTrafficAndLifetime(QJsonObject &object, const SocketRecord &record);

// Reads fields with a running description of where it is, so an error message can say
// "sockets[3].local.port: ..." rather than just "invalid". The first failure is kept.
class JsonFieldReader
{
public:
    QString error;

    bool fail(const QString &where, const QString &what);
    bool readEndpoint(const QJsonValue &value, const QString &where, Endpoint &out);
    // An endpoint that may be null or absent (a listener's remote end): `out` stays empty.
    bool readOptionalEndpoint(const QJsonValue &value, const QString &where,
                              std::optional<Endpoint> &out);
    // The four traffic counters and the created/closed times of a socket, all optional.
    bool readTrafficAndTimes(const QJsonObject &object, const QString &where, SocketRecord &out);
    // An optional count of 0 or more (absent: `out` unchanged).
    bool readCount(const QJsonObject &object, const char *key, const QString &where, quint64 &out);
    // An optional time (absent or null: `out` unchanged).
    bool readTime(const QJsonObject &object, const char *key, const QString &where, QDateTime &out);
    bool readState(const QJsonValue &value, const QString &where, SocketState &out);
    bool readKernelFacts(const QJsonValue &value, const QString &where, KernelFacts &out);
};

} // namespace SocketScope
