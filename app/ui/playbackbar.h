// SPDX-License-Identifier: MIT
#pragma once

#include "pacer.h"

#include <QTimer>
#include <QToolBar>

class QAction;
class QComboBox;
class QLabel;

namespace SocketScope {

// The lecturer's hold on time: pause, step, slow motion and back to live, with a marker that
// says plainly whenever the picture is behind what the sockets are really doing. It is the
// one clock of the presentation: in slow motion its frame timer ticks the pacer.
class PlaybackBar : public QToolBar
{
    Q_OBJECT
public:
    explicit PlaybackBar(Pacer &pacer, QWidget *parent = nullptr);

    QAction *pauseAction() const { return m_pause; }
    QAction *stepAction() const { return m_step; }
    QAction *liveAction() const { return m_live; }
    // "LIVE", "PAUSED — 37 events waiting", "SLOW MOTION 0.25× — 3 events behind".
    QString markerText() const;

private:
    void showState();
    QString modeText(quint64 waiting, const QString &events) const;
    void chooseSpeed(int index);

    Pacer &m_pacer;
    QAction *m_pause = nullptr;
    QAction *m_step = nullptr;
    QAction *m_live = nullptr;
    QComboBox *m_speed = nullptr;
    QLabel *m_marker = nullptr;
    QTimer m_frame; // runs only in slow motion
    quint64 m_shownFolded = 0;
    quint64 m_shownDropped = 0;
};

} // namespace SocketScope
