// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

class QMenu;

namespace SocketScope {

class MainWindow;
class ScenarioRunner;
class TourController;

// The window's Lecture menu: the guided tour (F5, as a slideshow starts), the shipped
// scenarios by title, and Open Scenario… for a file of the lecturer's own. A file that does
// not load says where it is wrong and changes nothing; one that loads starts afresh.
class LectureMenu : public QObject
{
    Q_OBJECT
public:
    LectureMenu(MainWindow &window, ScenarioRunner &runner, TourController &tour,
                QObject *parent = nullptr);
    QMenu *menu() const { return m_menu; }

    // Loads and starts `path` (a file or a resource); false, with a message, when it does
    // not load.
    bool play(const QString &path);

private:
    void openFile();

    MainWindow &m_window;
    ScenarioRunner &m_runner;
    TourController &m_tour;
    QMenu *m_menu = nullptr;
};

} // namespace SocketScope
