// SPDX-License-Identifier: MIT
#include "netinput.h"

#include <QObject>

namespace SocketScope {

Parsed<QHostAddress> parseAddress(const QString &text)
{
    QString key = text.trimmed();
    if (key.isEmpty())
        return {std::nullopt, QObject::tr("No address given: type one such as 127.0.0.1 or ::1.")};
    if (key.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return {QHostAddress(QHostAddress::LocalHost), {}};
    if (key == QLatin1String("*") || key.compare(QLatin1String("any"), Qt::CaseInsensitive) == 0)
        return {QHostAddress(QHostAddress::AnyIPv4), {}};
    if (key.startsWith(QLatin1Char('[')) && key.endsWith(QLatin1Char(']')))
        key = key.mid(1, key.size() - 2);
    QHostAddress address;
    if (!address.setAddress(key))
        return {std::nullopt,
                QObject::tr("'%1' is not an IP address. Type an IPv4 address such as 127.0.0.1 "
                            "or an IPv6 address such as ::1.")
                        .arg(text)};
    return {address, {}};
}

Parsed<quint16> parsePort(const QString &text, bool allowZero)
{
    const Parsed<int> number = parseInteger(text, allowZero ? 0 : 1, 65535, QObject::tr("A port"));
    if (!number.ok())
        return {std::nullopt, number.error};
    return {static_cast<quint16>(*number.value), {}};
}

Parsed<int> parseInteger(const QString &text, int minimum, int maximum, const QString &what)
{
    bool ok = false;
    const qlonglong value = text.trimmed().toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        return {std::nullopt, QObject::tr("%1 must be a whole number from %2 to %3; '%4' is not.")
                                      .arg(what)
                                      .arg(minimum)
                                      .arg(maximum)
                                      .arg(text)};
    return {static_cast<int>(value), {}};
}

Parsed<Behaviour> parseBehaviour(const QString &text)
{
    if (const std::optional<Behaviour> behaviour = behaviourFromName(text))
        return {*behaviour, {}};
    return {std::nullopt,
            QObject::tr("Unknown behaviour '%1': use echo, discard or daytime.").arg(text)};
}

} // namespace SocketScope
