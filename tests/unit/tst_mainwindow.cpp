// SPDX-License-Identifier: MIT
// The window's own wiring, offscreen: shortcuts and actions that must do what their words say.
#include "comparisonpanel.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "serverpanel.h"
#include "socketregistry.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace SocketScope;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void ctrlBBringsTheComparisonForward();
    void serverActionsArePlainActions();
};

void TestMainWindow::ctrlBBringsTheComparisonForward()
{
    SocketRegistry registry;
    EventLog log;
    MainWindow window(registry, log);
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("comparisonDock"));
    auto *panel = window.findChild<ComparisonPanel *>();
    QVERIFY(dock && panel);
    // A dock tabbed behind another is "visible" to Qt, but nothing of it is on screen.
    const auto inFront = [dock] { return dock->isVisible() && !dock->visibleRegion().isEmpty(); };
    // Tabbed behind the servers' settings: open, but not in front.
    QTRY_VERIFY(!inFront());
    QVERIFY(dock->isVisible());
    // Twice: a toggle would send it away again the second time.
    for (int press = 0; press < 2; ++press) {
        QTest::keyClick(&window, Qt::Key_B, Qt::ControlModifier);
        QTRY_VERIFY(inFront());
        QVERIFY(panel->isAncestorOf(window.focusWidget()) || window.focusWidget() == panel);
    }
    // Hidden by its toggle in the View menu, the shortcut brings it back too.
    dock->toggleViewAction()->trigger();
    QTRY_VERIFY(dock->isHidden());
    QTest::keyClick(&window, Qt::Key_B, Qt::ControlModifier);
    QTRY_VERIFY(inFront());
}

void TestMainWindow::serverActionsArePlainActions()
{
    // "Stop TCP Server" with a checkmark reads as "stopped": the text says what it does.
    SocketRegistry registry;
    EventLog log;
    MainWindow window(registry, log);
    window.setTcpServerState(true, true, QStringLiteral("127.0.0.1:9877"));
    window.setUdpServerState(true, QStringLiteral("127.0.0.1:9877"));
    for (const QString &text :
         {QStringLiteral("Stop TCP &Server"), QStringLiteral("Stop &UDP Server")}) {
        QAction *found = nullptr;
        for (QAction *action : window.findChildren<QAction *>()) {
            if (action->text() == text)
                found = action;
        }
        QVERIFY2(found, qPrintable(text));
        QVERIFY(!found->isCheckable());
        QVERIFY(!found->isChecked());
    }
    // It still does what it says.
    QSignalSpy stop(window.serverPanel(), &ServerPanel::tcpStopRequested);
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text() == QLatin1String("Stop TCP &Server"))
            action->trigger();
    }
    QCOMPARE(stop.count(), 1);
    window.setTcpServerState(false, false, QString());
    bool sawStart = false;
    for (QAction *action : window.findChildren<QAction *>())
        sawStart |= action->text() == QLatin1String("Start TCP &Server") && !action->isCheckable();
    QVERIFY(sawStart);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
