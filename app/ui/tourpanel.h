// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace SocketScope {

// What the tour panel shows of one step.
struct TourStepView
{
    enum class Phase {
        Asking, // a question is up; the step's actions have not run
        Running,
        Restoring, // going back: the earlier steps replay on fresh sockets
        Passed, // done, and the kernel showed what the step expected
        Failed, // done, and something differed (status says what)
    };
    int index = 0;
    int count = 0;
    QString title;
    QString caption;
    QString question;
    QStringList choices;
    int answer = -1; // shown once the phase is past Asking
    QString explanation;
    Phase phase = Phase::Running;
    QString status; // what differed, or the kernel's confirmation
};

// The tour's caption panel: step n of N, the step's title and caption large, its question
// (predict mode) and afterwards the answer, whether the kernel showed what the step said,
// and the keys a presenter's clicker sends. It shows; the tour controller decides.
class TourPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TourPanel(QWidget *parent = nullptr);

    void setStepTitles(const QStringList &titles);
    void showStep(const TourStepView &step);
    const TourStepView &shownStep() const { return m_step; }
    // 1x..3x, for the hall: the panel's text grows with it.
    void setTextScale(double scale);
    double textScale() const { return m_scale; }
    // As the hall sees it (presentation view, slides): the title beside the counter, a ✓ in
    // the counter once the kernel confirmed the step, no step list, buttons or key reminder.
    void setHallMode(bool hall);
    bool isHallMode() const { return m_hall; }

Q_SIGNALS:
    void nextRequested();
    void backRequested();
    void stepChosen(int index);

private:
    void applyFonts();
    QString questionHtml() const;

    TourStepView m_step;
    double m_scale = 1.0;
    bool m_hall = false;
    QLabel *m_counter = nullptr;
    QComboBox *m_steps = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_question = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_keys = nullptr;
    QPushButton *m_back = nullptr;
    QPushButton *m_next = nullptr;
};

} // namespace SocketScope
