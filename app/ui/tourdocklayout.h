// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QDockWidget;
class QMainWindow;

namespace SocketScope {

class TourPanel;

// Where the tour's caption panel goes. At a desk it is a tab in the right column, sized by
// the lecturer. For the hall (presentation view, slides) it goes under the diagram, without
// a title bar, exactly as tall as its caption: a connection's two tuples need the screen's
// whole width at the hall's text size, and every line the caption does not use is a row of
// the diagram. Apart from the tour controller, which decides what the panel says.
class TourDockLayout : public QObject
{
    Q_OBJECT
public:
    TourDockLayout(QMainWindow &window, QDockWidget &dock, TourPanel &panel,
                   QObject *parent = nullptr);

    void setHall(bool hall);
    bool isHall() const { return m_hall; }
    // The panel's text changed (a step, the text scale): its height follows.
    void refit();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QMainWindow &m_window;
    QDockWidget &m_dock;
    TourPanel &m_panel;
    bool m_hall = false;
    QWidget *m_noTitleBar = nullptr; // the dock's title bar while in the hall
};

} // namespace SocketScope
