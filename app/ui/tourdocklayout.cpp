// SPDX-License-Identifier: MIT
#include "tourdocklayout.h"

#include "tourpanel.h"

#include <QDockWidget>
#include <QEvent>
#include <QLayout>
#include <QMainWindow>
#include <QTimer>

namespace SocketScope {

TourDockLayout::TourDockLayout(QMainWindow &window, QDockWidget &dock, TourPanel &panel,
                               QObject *parent)
    : QObject(parent), m_window(window), m_dock(dock), m_panel(panel)
{
    m_window.installEventFilter(this);
}

void TourDockLayout::setHall(bool hall)
{
    if (hall == m_hall)
        return;
    m_hall = hall;
    m_panel.setHallMode(hall);
    if (hall) {
        m_noTitleBar = new QWidget(&m_dock);
        m_dock.setTitleBarWidget(m_noTitleBar);
        m_window.addDockWidget(Qt::BottomDockWidgetArea, &m_dock);
        refit();
        return;
    }
    m_dock.setTitleBarWidget(nullptr);
    delete m_noTitleBar;
    m_noTitleBar = nullptr;
    m_dock.setMinimumHeight(0);
    m_dock.setMaximumHeight(QWIDGETSIZE_MAX);
}

void TourDockLayout::refit()
{
    if (!m_hall)
        return;
    // Fixed, since a dock area keeps whatever height it had; the caption decides it here.
    const int width = m_window.width();
    const QMargins margins = m_dock.contentsMargins();
    const int height = m_panel.heightForWidth(width - margins.left() - margins.right());
    m_dock.setFixedHeight((height > 0 ? height : m_panel.sizeHint().height()) + margins.top()
                          + margins.bottom());
}

bool TourDockLayout::eventFilter(QObject *watched, QEvent *event)
{
    // A narrower window wraps the caption onto more lines.
    if (watched == &m_window && event->type() == QEvent::Resize && m_hall)
        QTimer::singleShot(0, this, &TourDockLayout::refit);
    return QObject::eventFilter(watched, event);
}

} // namespace SocketScope
