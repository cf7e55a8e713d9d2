// SPDX-License-Identifier: MIT
#pragma once

#include <QPalette>
#include <QString>

namespace SocketScope {

enum class Theme { System, Light, Dark, HighContrast };

QString themeName(Theme theme); // "system", "light", "dark", "high-contrast": the settings value
Theme themeFromName(const QString &name); // System for anything unknown

// Switches the whole application between the desktop's own look and a fixed light or dark
// one. A lecture hall's projector often wants the opposite of the lecturer's desktop, so
// the choice is the program's, not only the desktop's. Every widget, and the diagram (which
// follows the window's palette), changes at once.
class ThemeSwitcher
{
public:
    // The desktop's style and palette (as the first switcher of the process found them) are
    // what Theme::System goes back to.
    ThemeSwitcher();
    void apply(Theme theme);
    Theme current() const { return m_current; }

    static QPalette darkPalette();
    // Black, white and yellow: for a projector that washes colours out.
    static QPalette highContrastPalette();

private:
    Theme m_current = Theme::System;
};

} // namespace SocketScope
