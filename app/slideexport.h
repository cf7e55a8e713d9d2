// SPDX-License-Identifier: MIT
#pragma once

#include "tourpanel.h"

#include <QImage>
#include <QObject>
#include <QSize>
#include <QStringList>

namespace SocketScope {

class MainWindow;
class TourController;

// Slides and a handout of a scenario, made headless from the window itself: the tour plays
// every step (a question is answered at once), and after each step the window, at the
// slide's size, is rendered to PNG and SVG exactly as the hall would see it. An HTML handout
// beside them holds every step's caption, question and answer, and what the kernel showed.
class SlideExport : public QObject
{
    Q_OBJECT
public:
    static constexpr QSize DefaultSlideSize{1280, 720};

    // `directory` empty: no slides, only the last step as `imagePath` (--export-image).
    SlideExport(TourController &tour, MainWindow &window, QObject *parent = nullptr);
    void setSlideSize(QSize size) { m_size = size; }
    void setDirectory(const QString &directory) { m_directory = directory; }
    void setLastStepImage(const QString &path) { m_lastStepImage = path; }
    void setTitle(const QString &title) { m_title = title; } // the handout's
    // Plays up to step `lastStep` (1-based; 0: all) and writes what was asked.
    void run(int lastStep);

    // The window at `size`, rendered now.
    static QImage renderWindow(MainWindow &window, QSize size);
    static QByteArray renderWindowPng(MainWindow &window, QSize size);
    static QByteArray renderWindowSvg(MainWindow &window, QSize size, const QString &title);
    // "1280x720" -> QSize; invalid when it is not WxH within 320x240..7680x4320.
    static QSize parseSlideSize(const QString &text);

Q_SIGNALS:
    // "✓ step 3/10 "title"" or "✗ step 3/10 "title": what differed", as each step ends.
    void stepReported(const QString &line, bool passed);
    // `failedStep`: the first step whose kernel expectation failed (1-based), or 0; `error`:
    // a file that could not be written, empty when all were.
    void finished(int failedStep, const QString &error);

private:
    void onStepShown(int index, TourStepView::Phase phase);
    bool writeSlide(int index);
    bool writeHandout();
    void end();

    TourController &m_tour;
    MainWindow &m_window;
    QSize m_size = DefaultSlideSize;
    QString m_directory;
    QString m_lastStepImage;
    QString m_title;
    int m_lastStep = 0;
    int m_failedStep = 0;
    QString m_error;
    QList<TourStepView> m_shown; // each step as its slide shows it, for the handout
    bool m_running = false;
};

} // namespace SocketScope
