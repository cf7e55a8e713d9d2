// SPDX-License-Identifier: MIT
#include "diagramscene.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "themeswitcher.h"

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QTest>

using namespace SocketScope;

class TestThemeSwitcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("SocketScopeTests"));
        QSettings().clear();
    }
    void cleanupTestCase() { QSettings().clear(); }

    void names()
    {
        for (Theme theme : {Theme::System, Theme::Light, Theme::Dark})
            QCOMPARE(themeFromName(themeName(theme)), theme);
        QCOMPARE(themeFromName(QStringLiteral("purple")), Theme::System);
    }

    // The menu switches every widget and the diagram, and the choice is remembered.
    void darkAndBackFromTheMenu()
    {
        const QPalette desktop = QApplication::palette();
        SocketRegistry registry;
        EventLog log;
        {
            MainWindow window(registry, log);
            auto *dark = window.findChild<QAction *>(QStringLiteral("theme-dark"));
            QVERIFY(dark);
            dark->trigger();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
            QTRY_VERIFY(window.diagramScene()->diagramPalette().dark);
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(),
                     QStringLiteral("dark"));

            window.findChild<QAction *>(QStringLiteral("theme-light"))->trigger();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
            QTRY_VERIFY(!window.diagramScene()->diagramPalette().dark);
            window.findChild<QAction *>(QStringLiteral("theme-dark"))->trigger();
        }
        // A new window (the next start) comes up in the theme chosen last.
        {
            MainWindow window(registry, log);
            QVERIFY(window.findChild<QAction *>(QStringLiteral("theme-dark"))->isChecked());
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
            window.findChild<QAction *>(QStringLiteral("theme-system"))->trigger();
        }
        QCOMPARE(QApplication::palette().color(QPalette::Window), desktop.color(QPalette::Window));
    }
};

QTEST_MAIN(TestThemeSwitcher)
#include "tst_themeswitcher.moc"
