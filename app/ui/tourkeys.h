// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QWidget>

class QKeyEvent;

namespace SocketScope {

// The keys a presenter's clicker sends, taken for the tour wherever the focus is in the
// window: Page Down, Space and → for next, Page Up and ← for back, B or . for a black
// screen. A text field keeps Space and the arrows for itself.
class TourKeys : public QObject
{
    Q_OBJECT
public:
    explicit TourKeys(QWidget *window);
    void setActive(bool active) { m_active = active; }
    bool isActive() const { return m_active; }
    // Whether Esc is the tour's (ends the black screen) rather than the window's shortcut.
    void setClaimEscape(bool claim) { m_claimEscape = claim; }

Q_SIGNALS:
    void nextPressed();
    void backPressed();
    void blackScreenPressed();
    void escapePressed(); // only while claimed

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    enum class Key { None, Next, Back, Black, Escape };
    Key tourKey(const QKeyEvent &event) const;

    QWidget *m_window;
    bool m_active = false;
    bool m_claimEscape = false;
};

// A black screen over the whole window, for when the hall should look at the lecturer.
class BlackScreen : public QWidget
{
    Q_OBJECT
public:
    explicit BlackScreen(QWidget *window);
    void setBlack(bool black);
    bool isBlack() const { return isVisible(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
};

} // namespace SocketScope
