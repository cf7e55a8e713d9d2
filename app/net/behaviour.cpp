// SPDX-License-Identifier: MIT
#include "behaviour.h"

#include <QLocale>

namespace SocketScope {

QString behaviourName(Behaviour behaviour)
{
    switch (behaviour) {
    case Behaviour::Echo:
        return QStringLiteral("echo");
    case Behaviour::Discard:
        return QStringLiteral("discard");
    case Behaviour::Daytime:
        return QStringLiteral("daytime");
    }
    return QStringLiteral("echo");
}

std::optional<Behaviour> behaviourFromName(const QString &name)
{
    const QString key = name.trimmed().toLower();
    for (Behaviour candidate : {Behaviour::Echo, Behaviour::Discard, Behaviour::Daytime}) {
        if (key == behaviourName(candidate))
            return candidate;
    }
    return std::nullopt;
}

DaytimeBehaviour::DaytimeBehaviour(Clock clock) : m_clock(std::move(clock))
{
    if (!m_clock)
        m_clock = [] { return QDateTime::currentDateTime(); };
}

QByteArray DaytimeBehaviour::dateLine() const
{
    const QDateTime now = m_clock();
    // QLocale::c() keeps day and month names English, as a daytime client would expect.
    const QString text = QLocale::c().toString(now, QStringLiteral("dddd, MMMM d, yyyy HH:mm:ss"))
                         + QLatin1Char(' ') + now.timeZoneAbbreviation();
    return text.toLatin1() + "\r\n";
}

std::unique_ptr<ServerBehaviour> makeBehaviour(Behaviour behaviour)
{
    switch (behaviour) {
    case Behaviour::Echo:
        return std::make_unique<EchoBehaviour>();
    case Behaviour::Discard:
        return std::make_unique<DiscardBehaviour>();
    case Behaviour::Daytime:
        return std::make_unique<DaytimeBehaviour>();
    }
    return std::make_unique<EchoBehaviour>();
}

} // namespace SocketScope
