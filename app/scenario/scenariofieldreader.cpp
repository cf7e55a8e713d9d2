// SPDX-License-Identifier: MIT
#include "scenariofieldreader.h"

#include "netinput.h"

#include <QCoreApplication>

#include <cmath>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::ScenarioLoader", text);
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

} // namespace

QString kindOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble());
    case QJsonValue::String:
        return quoted(value.toString().left(40));
    case QJsonValue::Array:
        return tr("a list");
    case QJsonValue::Object:
        return tr("an object");
    case QJsonValue::Undefined:
        break;
    }
    return tr("nothing");
}

QStringList names(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *name : list)
        out << QLatin1String(name);
    return out;
}

ScenarioFieldReader::ScenarioFieldReader(const QByteArray &json, QString source)
    : m_positions(json), m_source(std::move(source))
{ }

QString ScenarioFieldReader::mustBeOneOf()
{
    return tr("must be one of %1, not %2");
}

bool ScenarioFieldReader::fail(const QString &path, const QString &what, bool atKey)
{
    if (!error.isEmpty())
        return false;
    const TextPosition at = atKey ? m_positions.keyAt(path) : m_positions.valueAt(path);
    error = QStringLiteral("%1:%2:%3: %4: %5")
                    .arg(m_source)
                    .arg(at.line)
                    .arg(at.column)
                    .arg(path.isEmpty() ? tr("the file") : path, what);
    return false;
}

bool ScenarioFieldReader::object(const QJsonValue &value, const QString &path, QJsonObject &out)
{
    if (!value.isObject())
        return fail(path, tr("must be an object { ... }, not %1").arg(kindOf(value)));
    out = value.toObject();
    return true;
}

bool ScenarioFieldReader::allowOnly(const QJsonObject &object, const QString &path,
                                    const QStringList &allowed)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!allowed.contains(it.key()))
            return fail(JsonPositions::member(path, it.key()),
                        tr("unknown field; the fields here are %1")
                                .arg(allowed.join(QStringLiteral(", "))),
                        true);
    }
    return true;
}

bool ScenarioFieldReader::string(const QJsonObject &object, const QString &path, const QString &key,
                                 QString &out, bool required, int maxLength)
{
    const QString where = JsonPositions::member(path, key);
    if (!object.contains(key))
        return !required || fail(path, tr("needs the field \"%1\"").arg(key));
    const QJsonValue value = object.value(key);
    if (!value.isString())
        return fail(where, tr("must be text in quotes, not %1").arg(kindOf(value)));
    if (required && value.toString().trimmed().isEmpty())
        return fail(where, tr("must not be empty"));
    if (value.toString().size() > maxLength)
        return fail(where, tr("is longer than %1 characters").arg(maxLength));
    out = value.toString();
    return true;
}

bool ScenarioFieldReader::integer(const QJsonObject &object, const QString &path,
                                  const QString &key, int &out, int minimum, int maximum,
                                  bool required)
{
    const QString where = JsonPositions::member(path, key);
    if (!object.contains(key))
        return !required || fail(path, tr("needs the field \"%1\"").arg(key));
    const QJsonValue value = object.value(key);
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(number) != number || number < minimum || number > maximum)
        return fail(where, tr("must be a whole number from %1 to %2, not %3")
                                   .arg(minimum)
                                   .arg(maximum)
                                   .arg(kindOf(value)));
    out = static_cast<int>(number);
    return true;
}

bool ScenarioFieldReader::boolean(const QJsonObject &object, const QString &path,
                                  const QString &key, bool &out)
{
    if (!object.contains(key))
        return true;
    const QJsonValue value = object.value(key);
    if (!value.isBool())
        return fail(JsonPositions::member(path, key),
                    tr("must be true or false, not %1").arg(kindOf(value)));
    out = value.toBool();
    return true;
}

bool ScenarioFieldReader::socket(const QJsonObject &object, const QString &path, SocketRef &out)
{
    QString text;
    if (!string(object, path, QStringLiteral("socket"), text, true, 40))
        return false;
    const std::optional<SocketRef> ref = SocketRef::parse(text);
    if (!ref)
        return fail(JsonPositions::member(path, QStringLiteral("socket")),
                    tr("must name a socket: %1").arg(SocketRef::grammar()));
    out = *ref;
    return true;
}

bool ScenarioFieldReader::loopbackAddress(const QJsonObject &object, const QString &path,
                                          const QString &key, std::optional<QHostAddress> &out)
{
    QString text;
    if (!string(object, path, key, text, false, 64) || !object.contains(key))
        return error.isEmpty();
    const Parsed<QHostAddress> address = parseAddress(text);
    const QString where = JsonPositions::member(path, key);
    if (!address.ok())
        return fail(where, address.error);
    // A scenario is someone else's file: it must not expose this machine or reach
    // another without the lecturer choosing so in the window.
    if (!address.value->isLoopback())
        return fail(where, tr("a scenario may only use loopback addresses (127.0.0.0/8 or "
                              "::1); serve other machines from the window instead"));
    out = address.value;
    return true;
}

} // namespace SocketScope
