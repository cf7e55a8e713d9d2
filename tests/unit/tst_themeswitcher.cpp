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
        for (Theme theme : {Theme::System, Theme::Light, Theme::Dark, Theme::HighContrast})
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

    // For a projector that washes colours out: black, white and strong colours, and still
    // every state written in its pill.
    void highContrastIsSelectableAndRemembered()
    {
        SocketRegistry registry;
        EventLog log;
        {
            MainWindow window(registry, log);
            auto *contrast = window.findChild<QAction *>(QStringLiteral("theme-high-contrast"));
            QVERIFY(contrast);
            contrast->trigger();
            QCOMPARE(QApplication::palette().color(QPalette::Window), QColor(Qt::black));
            QTRY_VERIFY(window.diagramScene()->diagramPalette().highContrast);
            const DiagramPalette &p = window.diagramScene()->diagramPalette();
            QCOMPARE(p.background, QColor(Qt::black));
            QCOMPARE(p.text, QColor(Qt::white));
            QCOMPARE(p.highlightText, QColor(Qt::black)); // on the yellow highlight
            // Every state's colour reads against black, and its black name reads on it.
            for (SocketState state :
                 {SocketState::Listen, SocketState::Established, SocketState::TimeWait,
                  SocketState::CloseWait, SocketState::FinWait2, SocketState::Unconnected}) {
                QVERIFY(p.stateColour(state).lightness() > 120);
                QCOMPARE(p.stateTextColour(state), QColor(Qt::black));
            }
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(),
                     QStringLiteral("high-contrast"));
        }
        {
            MainWindow window(registry, log);
            QVERIFY(window.findChild<QAction *>(QStringLiteral("theme-high-contrast"))
                            ->isChecked());
            QVERIFY(window.diagramScene()->diagramPalette().highContrast);
            window.findChild<QAction *>(QStringLiteral("theme-system"))->trigger();
            QTRY_VERIFY(!window.diagramScene()->diagramPalette().highContrast);
        }
    }
};

QTEST_MAIN(TestThemeSwitcher)
#include "tst_themeswitcher.moc"
