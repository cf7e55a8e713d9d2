// SPDX-License-Identifier: MIT
#include "slideexport.h"

#include "diagramscene.h"
#include "diagramview.h"
#include "mainwindow.h"
#include "safefilewriter.h"
#include "tourcontroller.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QMenuBar>
#include <QPainter>
#include <QRegularExpression>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolBar>

namespace SocketScope {

namespace {

QString slideName(int index, const char *suffix)
{
    return QStringLiteral("step-%1.%2")
            .arg(index + 1, 2, 10, QLatin1Char('0'))
            .arg(QLatin1String(suffix));
}

// Layouts, the diagram's relayout and every pending paint, before a render.
void settle(MainWindow &window)
{
    // Docks and view take their sizes first; then the diagram is laid out for the room its
    // view has at the text scale, and fitted to it (twice: the fit may change the layout).
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
        window.diagramView()->fitToWindow();
        window.diagramScene()->flush();
    }
}

} // namespace

SlideExport::SlideExport(TourController &tour, MainWindow &window, QObject *parent)
    : QObject(parent), m_tour(tour), m_window(window)
{
    connect(&tour, &TourController::stepShown, this, &SlideExport::onStepShown);
}

QSize SlideExport::parseSlideSize(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{3,4})x(\\d{3,4})$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed().toLower());
    if (!match.hasMatch())
        return {};
    const QSize size(match.captured(1).toInt(), match.captured(2).toInt());
    if (size.width() < 320 || size.height() < 240 || size.width() > 7680 || size.height() > 4320)
        return {};
    return size;
}

QImage SlideExport::renderWindow(MainWindow &window, QSize size)
{
    // Fixed: presentation view takes the screen's size where no window manager does, and
    // would take it back from a plain resize.
    window.setFixedSize(size);
    settle(window);
    return window.grab().toImage();
}

QByteArray SlideExport::renderWindowPng(MainWindow &window, QSize size)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    renderWindow(window, size).save(&buffer, "PNG");
    return png;
}

QByteArray SlideExport::renderWindowSvg(MainWindow &window, QSize size, const QString &title)
{
    // Fixed: presentation view takes the screen's size where no window manager does, and
    // would take it back from a plain resize.
    window.setFixedSize(size);
    settle(window);
    QByteArray svg;
    QBuffer buffer(&svg);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(title);
    QPainter painter(&generator);
    window.render(&painter);
    painter.end();
    return svg;
}

void SlideExport::run(int lastStep)
{
    m_lastStep = lastStep;
    m_failedStep = 0;
    m_error.clear();
    m_shown.clear();
    m_running = true;
    if (!m_directory.isEmpty() && !QDir().mkpath(m_directory)) {
        m_error = tr("Cannot make the folder %1 for the slides.").arg(m_directory);
        QTimer::singleShot(0, this, &SlideExport::end);
        return;
    }
    // As the hall sees it: the presentation view (its text scale as the lecturer set it, or
    // --text-scale), the tour's captions beside the diagram.
    // What presentation view shows, without its full-screen geometry (a slide has its own
    // size): no menu bar, toolbars, status bar or docks but the tour's.
    m_window.menuBar()->hide();
    m_window.statusBar()->hide();
    for (QToolBar *toolBar : m_window.findChildren<QToolBar *>())
        toolBar->hide();
    for (QDockWidget *dock : m_window.findChildren<QDockWidget *>())
        if (dock != &m_tour.dock())
            dock->hide();
    m_window.diagramView()->setPresenting(true); // the diagram at the hall's text size
    m_tour.setHallLayout(true); // the captions under the diagram, as tall as they need
    // From the event loop, once the window has taken its presentation geometry; and so that
    // a run whose steps end at once can still quit.
    QTimer::singleShot(0, &m_tour, [this] { m_tour.start(); });
}

void SlideExport::onStepShown(int index, TourStepView::Phase phase)
{
    if (!m_running)
        return;
    if (phase == TourStepView::Phase::Asking) {
        // A handout answers its questions: reveal and play at once.
        QTimer::singleShot(0, &m_tour, &TourController::next);
        return;
    }
    // The step's end, as the hall sees it once its slow motion has played.
    m_tour.showStepsEnd();
    const bool passed = phase == TourStepView::Phase::Passed;
    if (!passed && m_failedStep == 0)
        m_failedStep = index + 1;
    const TourStepView &step = m_tour.panel().shownStep();
    m_shown << step;
    const QString head
            = QStringLiteral("step %1/%2 \"%3\"").arg(index + 1).arg(step.count).arg(step.title);
    Q_EMIT stepReported(
            (passed ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + head
                    + (step.status.isEmpty() ? QString() : QStringLiteral(": ") + step.status),
            passed);
    if (!m_directory.isEmpty() && !writeSlide(index)) {
        end();
        return;
    }
    const int count = static_cast<int>(m_tour.panel().shownStep().count);
    const int last = m_lastStep > 0 ? qMin(m_lastStep, count) : count;
    if (index + 1 < last) {
        QTimer::singleShot(0, &m_tour, &TourController::next);
        return;
    }
    if (!m_lastStepImage.isEmpty()) {
        const bool svg = m_lastStepImage.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive);
        if (!SafeFileWriter::write(m_lastStepImage,
                                   svg ? renderWindowSvg(m_window, m_size, m_shown.last().title)
                                       : renderWindowPng(m_window, m_size),
                                   &m_error)) {
            end();
            return;
        }
    }
    if (!m_directory.isEmpty())
        writeHandout();
    end();
}

bool SlideExport::writeSlide(int index)
{
    const QDir dir(m_directory);
    return SafeFileWriter::write(dir.filePath(slideName(index, "png")),
                                 renderWindowPng(m_window, m_size), &m_error)
           && SafeFileWriter::write(dir.filePath(slideName(index, "svg")),
                                    renderWindowSvg(m_window, m_size, m_shown.last().title),
                                    &m_error);
}

bool SlideExport::writeHandout()
{
    QString html = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                                  "charset=\"utf-8\"><title>%1</title>\n<style>body{font-family:"
                                  "sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
                                  "img{width:100%;border:1px solid #888}.ok{color:#060}"
                                  ".bad{color:#a00}</style></head><body>\n<h1>%1</h1>\n")
                           .arg(m_title.toHtmlEscaped());
    for (const TourStepView &step : std::as_const(m_shown)) {
        html += QStringLiteral("<section><h2>Step %1 of %2: %3</h2>\n<img src=\"%4\" alt=\"%3\">\n"
                               "<p>%5</p>\n")
                        .arg(step.index + 1)
                        .arg(step.count)
                        .arg(step.title.toHtmlEscaped(), slideName(step.index, "png"),
                             step.caption.toHtmlEscaped());
        if (!step.question.isEmpty()) {
            html += QStringLiteral("<p><b>Predict:</b> %1</p><ol>")
                            .arg(step.question.toHtmlEscaped());
            for (qsizetype i = 0; i < step.choices.size(); ++i)
                html += i == step.answer ? QStringLiteral("<li><b>%1</b> (the answer)</li>")
                                                   .arg(step.choices.at(i).toHtmlEscaped())
                                         : QStringLiteral("<li>%1</li>")
                                                   .arg(step.choices.at(i).toHtmlEscaped());
            html += QStringLiteral("</ol><p>%1</p>\n").arg(step.explanation.toHtmlEscaped());
        }
        const bool passed = step.phase == TourStepView::Phase::Passed;
        html += QStringLiteral("<p class=\"%1\">%2</p></section>\n")
                        .arg(passed ? QStringLiteral("ok") : QStringLiteral("bad"),
                             (passed ? tr("✓ The kernel showed it.") : QStringLiteral("✗"))
                                             .toHtmlEscaped()
                                     + QLatin1Char(' ') + step.status.toHtmlEscaped());
    }
    html += QStringLiteral("</body></html>\n");
    return SafeFileWriter::write(QDir(m_directory).filePath(QStringLiteral("index.html")),
                                 html.toUtf8(), &m_error);
}

void SlideExport::end()
{
    m_running = false;
    Q_EMIT finished(m_failedStep, m_error);
}

} // namespace SocketScope
