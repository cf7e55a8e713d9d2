// SPDX-License-Identifier: MIT
// The presentation view and the text scale: what the lecturer presses, and what the window
// does with it (offscreen; the pixels are tst_presentationlayout's).
#include "diagramview.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "mainwindowactions.h"
#include "socketregistry.h"
#include "textscale.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QToolBar>

using namespace SocketScope;

class TestPresentationView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init() { QSettings().clear(); }
    void cleanupTestCase() { QSettings().clear(); }
    void scaleStepsAndBounds();
    void shortcutsChangeTheScaleAndItIsRemembered();
    void diagramAndTimelineFollowTheScale();
    void presentationHidesMenusToolbarsAndRestoresThem();
    void shortcutsStillWorkWithTheMenuBarHidden();
};

void TestPresentationView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings under ~/.qttest, not the user's
    QCoreApplication::setOrganizationName(QStringLiteral("SocketScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_presentationview"));
}

void TestPresentationView::scaleStepsAndBounds()
{
    TextScale scale;
    QSignalSpy changed(&scale, &TextScale::changed);
    QCOMPARE(scale.value(), 1.0);
    scale.stepDown(); // already the smallest
    QCOMPARE(changed.count(), 0);
    QList<qreal> seen;
    for (int i = 0; i < 10; ++i) {
        scale.stepUp();
        seen.append(scale.value());
    }
    QCOMPARE(seen.mid(0, 5), (QList<qreal>{1.25, 1.5, 2.0, 2.5, 3.0}));
    QCOMPARE(scale.value(), TextScale::Max);
    QCOMPARE(changed.count(), 5);
    scale.setValue(1.8); // between stops (--text-scale 1.8): the next stop is the nearest
    scale.stepUp();
    QCOMPARE(scale.value(), 2.0);
    scale.setValue(1.8);
    scale.stepDown();
    QCOMPARE(scale.value(), 1.5);
    scale.setValue(7);
    QCOMPARE(scale.value(), TextScale::Max);
    scale.reset();
    QCOMPARE(scale.value(), TextScale::Min);
}

void TestPresentationView::shortcutsChangeTheScaleAndItIsRemembered()
{
    SocketRegistry registry;
    EventLog log;
    {
        MainWindow window(registry, log);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QCOMPARE(window.textScale().value(), 1.0);
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(window.textScale().value(), 1.25);
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(window.textScale().value(), 2.0);
        QTest::keyClick(&window, Qt::Key_Minus, Qt::ControlModifier);
        QCOMPARE(window.textScale().value(), 1.5);
        QCOMPARE(QSettings().value(QStringLiteral("view/textScale")).toDouble(), 1.5);
    }
    {
        // The next start writes as large as the last one ended.
        MainWindow window(registry, log);
        QCOMPARE(window.textScale().value(), 1.5);
        QCOMPARE(window.diagramView()->textScale(), 1.5);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(window.textScale().value(), 1.0);
        QVERIFY(window.diagramView()->isFitting());
        QCOMPARE(QSettings().value(QStringLiteral("view/textScale")).toDouble(), 1.0);
    }
}

void TestPresentationView::diagramAndTimelineFollowTheScale()
{
    SocketRegistry registry;
    EventLog log;
    MainWindow window(registry, log);
    window.resize(1280, 720);
    window.show();
    DiagramView *view = window.diagramView();
    window.setPresentationMode(true);
    const qreal at1x = view->minimumZoom();
    QVERIFY(at1x > 0.9);
    window.textScale().setValue(2.0);
    QCOMPARE(view->textScale(), 2.0);
    QCOMPARE(view->minimumZoom(), 2 * at1x);
    QVERIFY(view->zoomFactor() >= view->minimumZoom() - 1e-9);
    window.setPresentationMode(false);
}

void TestPresentationView::presentationHidesMenusToolbarsAndRestoresThem()
{
    SocketRegistry registry;
    EventLog log;
    MainWindow window(registry, log);
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QList<QToolBar *> toolBars = window.findChildren<QToolBar *>();
    QVERIFY(!toolBars.isEmpty());
    QList<QDockWidget *> docksShown;
    for (QDockWidget *dock : window.findChildren<QDockWidget *>()) {
        if (dock->isVisible())
            docksShown.append(dock);
    }
    QVERIFY(!docksShown.isEmpty());
    const QRect before = window.geometry();

    window.actions().present()->trigger();
    QVERIFY(window.isPresenting());
    QVERIFY(window.isFullScreen());
    QVERIFY(window.menuBar()->isHidden());
    QVERIFY(window.statusBar()->isHidden());
    for (QToolBar *toolBar : toolBars)
        QVERIFY2(toolBar->isHidden(), qPrintable(toolBar->objectName()));
    for (QDockWidget *dock : window.findChildren<QDockWidget *>())
        QVERIFY2(dock->isHidden(), qPrintable(dock->objectName()));
    QVERIFY(window.diagramView()->isPresenting());

    // Esc leaves, and everything comes back as it was.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_Escape);
    QVERIFY(!window.isPresenting());
    QVERIFY(!window.actions().present()->isChecked());
    QVERIFY(!window.isFullScreen());
    QVERIFY(!window.menuBar()->isHidden());
    QVERIFY(!window.statusBar()->isHidden());
    for (QToolBar *toolBar : toolBars)
        QVERIFY(!toolBar->isHidden());
    for (QDockWidget *dock : std::as_const(docksShown))
        QVERIFY2(!dock->isHidden(), qPrintable(dock->objectName()));
    QVERIFY(!window.diagramView()->isPresenting());
    QTRY_COMPARE(window.geometry().size(), before.size());
}

void TestPresentationView::shortcutsStillWorkWithTheMenuBarHidden()
{
    SocketRegistry registry;
    EventLog log;
    MainWindow window(registry, log);
    window.show();
    window.setPresentationMode(true);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.menuBar()->isHidden());
    QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(window.textScale().value(), 1.25);
    // F11 (the menu's own key) leaves as Esc does.
    QTest::keyClick(&window, Qt::Key_F11);
    QVERIFY(!window.isPresenting());
    QVERIFY(!window.menuBar()->isHidden());
    // Back from presenting, the menus' keys are the menu's again (lent, not kept).
    QVERIFY(!window.QWidget::actions().contains(window.actions().largerText()));
}

QTEST_MAIN(TestPresentationView)
#include "tst_presentationview.moc"
