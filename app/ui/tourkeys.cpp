// SPDX-License-Identifier: MIT
#include "tourkeys.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QTextEdit>

namespace SocketScope {

namespace {

bool editsText(const QWidget *widget)
{
    return qobject_cast<const QLineEdit *>(widget) || qobject_cast<const QTextEdit *>(widget)
           || qobject_cast<const QPlainTextEdit *>(widget)
           || qobject_cast<const QAbstractSpinBox *>(widget);
}

} // namespace

TourKeys::TourKeys(QWidget *window) : QObject(window), m_window(window)
{
    // Application-wide: a key goes to whichever widget has the focus, docks included.
    qApp->installEventFilter(this);
}

TourKeys::Key TourKeys::tourKey(const QKeyEvent &event) const
{
    if (event.modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier))
        return Key::None;
    const bool typing = editsText(QApplication::focusWidget());
    switch (event.key()) {
    case Qt::Key_PageDown:
        return Key::Next;
    case Qt::Key_PageUp:
        return Key::Back;
    case Qt::Key_Space:
    case Qt::Key_Right:
        return typing ? Key::None : Key::Next;
    case Qt::Key_Left:
        return typing ? Key::None : Key::Back;
    case Qt::Key_B:
    case Qt::Key_Period:
        return typing ? Key::None : Key::Black;
    case Qt::Key_Escape:
        return m_claimEscape ? Key::Escape : Key::None;
    default:
        return Key::None;
    }
}

bool TourKeys::eventFilter(QObject *watched, QEvent *event)
{
    if (!m_active
        || (event->type() != QEvent::KeyPress && event->type() != QEvent::ShortcutOverride))
        return false;
    const auto *widget = qobject_cast<QWidget *>(watched);
    if (!widget || widget->window() != m_window)
        return false; // a dialog of its own keeps its keys
    const Key key = tourKey(*static_cast<QKeyEvent *>(event));
    if (key == Key::None)
        return false;
    if (event->type() == QEvent::ShortcutOverride) {
        // Ours, not a shortcut's: the key press itself comes next.
        event->accept();
        return false;
    }
    switch (key) {
    case Key::Next:
        Q_EMIT nextPressed();
        break;
    case Key::Back:
        Q_EMIT backPressed();
        break;
    case Key::Black:
        Q_EMIT blackScreenPressed();
        break;
    case Key::Escape:
        Q_EMIT escapePressed();
        break;
    case Key::None:
        break;
    }
    return true;
}

BlackScreen::BlackScreen(QWidget *window) : QWidget(window)
{
    setObjectName(QStringLiteral("blackScreen"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    hide();
    window->installEventFilter(this);
}

void BlackScreen::setBlack(bool black)
{
    if (black) {
        setGeometry(parentWidget()->rect());
        raise();
    }
    setVisible(black);
}

bool BlackScreen::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return false;
}

void BlackScreen::paintEvent(QPaintEvent *)
{
    QPainter(this).fillRect(rect(), Qt::black);
}

} // namespace SocketScope
