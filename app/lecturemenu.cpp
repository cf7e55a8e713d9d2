// SPDX-License-Identifier: MIT
#include "lecturemenu.h"

#include "mainwindow.h"
#include "scenarioloader.h"
#include "scenariorunner.h"
#include "tourcontroller.h"

#include <QDir>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>

namespace SocketScope {

LectureMenu::LectureMenu(MainWindow &window, ScenarioRunner &runner, TourController &tour,
                         QObject *parent)
    : QObject(parent), m_window(window), m_runner(runner), m_tour(tour)
{
    m_menu = new QMenu(tr("&Lecture"), &window);
    m_menu->setObjectName(QStringLiteral("lectureMenu"));
    QAction *tourAction = m_menu->addAction(tr("Guided &Tour"));
    tourAction->setObjectName(QStringLiteral("startTour"));
    tourAction->setShortcut(QKeySequence(Qt::Key_F5));
    tourAction->setToolTip(tr("Socket states step by step on real sockets; Page Down for the "
                              "next step. Starts afresh: every socket of ours is closed first."));
    connect(tourAction, &QAction::triggered, this,
            [this] { play(QStringLiteral(":/scenarios/tour.json")); });

    QMenu *shipped = m_menu->addMenu(tr("&Scenarios"));
    const QStringList files = QDir(QStringLiteral(":/scenarios"))
                                      .entryList({QStringLiteral("*.json")}, QDir::Files);
    for (const QString &name : files) {
        const QString path = QStringLiteral(":/scenarios/") + name;
        const ScenarioLoadResult loaded = ScenarioLoader::load(path);
        if (!loaded.scenario || name == QLatin1String("tour.json"))
            continue;
        QAction *action = shipped->addAction(loaded.scenario->title);
        action->setToolTip(loaded.scenario->description);
        connect(action, &QAction::triggered, this, [this, path] { play(path); });
    }
    m_menu->addSeparator();
    QAction *open = m_menu->addAction(tr("&Open Scenario…"));
    open->setObjectName(QStringLiteral("openScenario"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &LectureMenu::openFile);
    for (QAction *action : m_menu->actions())
        m_window.addAction(action); // the shortcuts work with the menu bar hidden too

    // Before Help, where a menu bar's last entry stays.
    QMenuBar *bar = window.menuBar();
    const QList<QAction *> menus = bar->actions();
    bar->insertMenu(menus.isEmpty() ? nullptr : menus.last(), m_menu);
}

bool LectureMenu::play(const QString &path)
{
    const ScenarioLoadResult loaded = ScenarioLoader::load(path);
    if (!loaded.scenario) {
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Scenario"),
                                    tr("This scenario cannot be played, and nothing was changed:"
                                       "\n\n%1")
                                            .arg(loaded.error),
                                    QMessageBox::Ok, &m_window);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return false;
    }
    m_runner.restart();
    m_runner.setScenario(*loaded.scenario);
    m_tour.start();
    return true;
}

void LectureMenu::openFile()
{
    QSettings settings;
    const QString folder = settings.value(QStringLiteral("lecture/scenarioFolder")).toString();
    const QString path = QFileDialog::getOpenFileName(&m_window, tr("Open Scenario"), folder,
                                                      tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("lecture/scenarioFolder"), QFileInfo(path).absolutePath());
    play(path);
}

} // namespace SocketScope
