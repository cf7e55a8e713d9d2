// SPDX-License-Identifier: MIT
#pragma once

#include "jsonpositions.h"
#include "scenario.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <initializer_list>
#include <optional>

namespace SocketScope {

// What a JSON value is, in the words of an error message: 3, "two", a list, null.
QString kindOf(const QJsonValue &value);
// Field names given as plain literals (the project builds with QT_NO_CAST_FROM_ASCII).
QStringList names(std::initializer_list<const char *> list);

// The field checks of one JSON document, each naming where it failed ("x.json:12:7:
// steps[2].count: must be ..."); the first failure is kept and later checks do nothing.
class ScenarioFieldReader
{
public:
    ScenarioFieldReader(const QByteArray &json, QString source);

    QString error;

    bool fail(const QString &path, const QString &what, bool atKey = false);
    bool object(const QJsonValue &value, const QString &path, QJsonObject &out);
    // Every field of `object` is one of `allowed`.
    bool allowOnly(const QJsonObject &object, const QString &path, const QStringList &allowed);
    bool string(const QJsonObject &object, const QString &path, const QString &key, QString &out,
                bool required, int maxLength);
    bool integer(const QJsonObject &object, const QString &path, const QString &key, int &out,
                 int minimum, int maximum, bool required = false);
    bool boolean(const QJsonObject &object, const QString &path, const QString &key, bool &out);
    // A name from a fixed list, read by `parse` (nullopt for an unknown one).
    template<typename T, typename Parse>
    bool name(const QJsonObject &object, const QString &path, const QString &key,
              std::optional<T> &out, Parse parse, const QString &choices)
    {
        if (!object.contains(key))
            return true;
        const QJsonValue value = object.value(key);
        const std::optional<T> parsed
                = value.isString() ? parse(value.toString()) : std::optional<T>();
        if (!parsed)
            return fail(JsonPositions::member(path, key),
                        mustBeOneOf().arg(choices, kindOf(value)));
        out = parsed;
        return true;
    }
    // "socket": one of the names SocketRef::parse() takes.
    bool socket(const QJsonObject &object, const QString &path, SocketRef &out);
    // An address on loopback only: a scenario is someone else's file.
    bool loopbackAddress(const QJsonObject &object, const QString &path, const QString &key,
                         std::optional<QHostAddress> &out);

private:
    static QString mustBeOneOf(); // "must be one of %1, not %2"

    JsonPositions m_positions;
    QString m_source;
};

} // namespace SocketScope
