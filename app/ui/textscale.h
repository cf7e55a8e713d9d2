// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QObject>

class QSettings;

namespace SocketScope {

// How large the program writes for the room it is shown in: 1x at a desk, 2x or more on a
// projector for the back row. One value that every view with text follows (the diagram,
// the timeline, and any caption panel), so one key press makes all of them readable.
class TextScale : public QObject
{
    Q_OBJECT
public:
    static constexpr qreal Min = 1.0;
    static constexpr qreal Max = 3.0;
    // The stops Ctrl+= and Ctrl+- move between: fine steps where a hall needs them.
    static QList<qreal> steps();
    static bool isValid(qreal value) { return value >= Min && value <= Max; }

    explicit TextScale(QObject *parent = nullptr);

    qreal value() const { return m_value; }
    // Clamped to [Min, Max].
    void setValue(qreal value);
    void stepUp();
    void stepDown();
    void reset() { setValue(Min); }

    // The scale chosen last time ("view/textScale"); every change is saved there at once.
    void restore(const QSettings &settings);

Q_SIGNALS:
    void changed(qreal value);

private:
    qreal m_value = Min;
};

} // namespace SocketScope
