// SPDX-License-Identifier: MIT
#include "textscale.h"

#include <QSettings>

namespace SocketScope {

namespace {
const QString kSettingsKey = QStringLiteral("view/textScale");
} // namespace

QList<qreal> TextScale::steps()
{
    return {1.0, 1.25, 1.5, 2.0, 2.5, 3.0};
}

TextScale::TextScale(QObject *parent) : QObject(parent) { }

void TextScale::setValue(qreal value)
{
    value = qBound(Min, value, Max);
    if (qFuzzyCompare(value, m_value))
        return;
    m_value = value;
    QSettings().setValue(kSettingsKey, m_value);
    Q_EMIT changed(m_value);
}

void TextScale::stepUp()
{
    // The first stop above the value, so a scale set between stops (--text-scale 1.8)
    // moves to the next one rather than jumping one stop too far.
    for (qreal step : steps()) {
        if (step > m_value + 0.001) {
            setValue(step);
            return;
        }
    }
}

void TextScale::stepDown()
{
    // The last stop below the value.
    qreal below = m_value;
    for (qreal step : steps()) {
        if (step < m_value - 0.001)
            below = step;
    }
    setValue(below);
}

void TextScale::restore(const QSettings &settings)
{
    bool ok = false;
    const qreal saved = settings.value(kSettingsKey).toDouble(&ok);
    if (ok && isValid(saved) && !qFuzzyCompare(saved, m_value)) {
        m_value = saved;
        Q_EMIT changed(m_value);
    }
}

} // namespace SocketScope
