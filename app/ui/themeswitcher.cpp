// SPDX-License-Identifier: MIT
#include "themeswitcher.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace SocketScope {

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::HighContrast:
        return QStringLiteral("high-contrast");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    if (name == QLatin1String("high-contrast"))
        return Theme::HighContrast;
    return Theme::System;
}

namespace {

// The desktop's look, as it was before any switcher changed it: captured once per process,
// since a second window (or a test's) starts after the first may have switched.
struct DesktopLook
{
    QString style;
    QPalette palette;
};

const DesktopLook &desktopLook()
{
    static const DesktopLook look{QApplication::style()->name(), QApplication::palette()};
    return look;
}

} // namespace

ThemeSwitcher::ThemeSwitcher()
{
    desktopLook(); // before anything switches
}

QPalette ThemeSwitcher::darkPalette()
{
    // Fusion's roles in the diagram's dark colours, so the docks and the diagram match.
    QPalette p;
    const QColor window(0x22, 0x27, 0x31);
    const QColor base(0x1b, 0x1f, 0x27);
    const QColor text(0xe8, 0xeb, 0xf0);
    const QColor muted(0x8a, 0x93, 0xa3);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, QColor(0x2b, 0x31, 0x3d));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, muted);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2b, 0x31, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x3a, 0x41, 0x4f));
    p.setColor(QPalette::Midlight, QColor(0x33, 0x3a, 0x47));
    p.setColor(QPalette::Mid, QColor(0x2b, 0x31, 0x3d));
    p.setColor(QPalette::Dark, QColor(0x15, 0x18, 0x1e));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x56, 0xb4, 0xe9)); // Okabe-Ito sky blue
    p.setColor(QPalette::HighlightedText, QColor(0x10, 0x14, 0x1a));
    p.setColor(QPalette::Link, QColor(0x56, 0xb4, 0xe9));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, muted);
    return p;
}

QPalette ThemeSwitcher::highContrastPalette()
{
    // Pure black and white (what DiagramPalette recognises), yellow for what is selected.
    QPalette p;
    const QColor yellow(0xff, 0xee, 0x00);
    for (QPalette::ColorRole role :
         {QPalette::Window, QPalette::Base, QPalette::AlternateBase, QPalette::Button,
          QPalette::ToolTipBase, QPalette::Mid, QPalette::Dark, QPalette::Shadow})
        p.setColor(role, Qt::black);
    for (QPalette::ColorRole role :
         {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText,
          QPalette::Light, QPalette::Midlight, QPalette::BrightText})
        p.setColor(role, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0xcc, 0xcc, 0xcc));
    p.setColor(QPalette::Highlight, yellow);
    p.setColor(QPalette::HighlightedText, Qt::black);
    p.setColor(QPalette::Link, yellow);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0xaa, 0xaa, 0xaa));
    return p;
}

void ThemeSwitcher::apply(Theme theme)
{
    m_current = theme;
    if (theme == Theme::System) {
        if (QStyle *style = QStyleFactory::create(desktopLook().style))
            QApplication::setStyle(style);
        QApplication::setPalette(desktopLook().palette);
        return;
    }
    // Fusion draws every widget from the palette alone, so a fixed palette looks the same
    // on any desktop.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    switch (theme) {
    case Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    case Theme::HighContrast:
        QApplication::setPalette(highContrastPalette());
        break;
    default:
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    }
}

} // namespace SocketScope
