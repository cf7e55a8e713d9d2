// SPDX-License-Identifier: MIT
#include "tourpanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace SocketScope {

namespace {

QLabel *wrappingLabel(QWidget *parent, const char *name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(name));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

} // namespace

TourPanel::TourPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("tourPanel"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_title = wrappingLabel(this, "tourTitle");
    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("tourCounter"));
    m_counter->setAlignment(Qt::AlignRight | Qt::AlignTop);
    m_steps = new QComboBox(this);
    m_steps->setObjectName(QStringLiteral("tourSteps"));
    m_steps->setToolTip(tr("Jump to a step: the steps before it are played first"));
    // Activated, not currentIndexChanged: only the lecturer's choice jumps.
    connect(m_steps, &QComboBox::activated, this, &TourPanel::stepChosen);
    // The title beside "step n of N": at the hall's text size every line is a row of the
    // diagram the hall does not see.
    top->addWidget(m_title, 1);
    top->addWidget(m_counter, 0, Qt::AlignTop);
    top->addWidget(m_steps, 0, Qt::AlignTop);
    layout->addLayout(top);

    m_caption = wrappingLabel(this, "tourCaption");
    m_question = wrappingLabel(this, "tourQuestion");
    m_question->setTextFormat(Qt::RichText);
    m_status = wrappingLabel(this, "tourStatus");
    layout->addWidget(m_caption);
    layout->addWidget(m_question);
    layout->addWidget(m_status);
    layout->addStretch();

    m_keys = wrappingLabel(this, "tourKeys");
    m_keys->setText(tr("Page Down, Space or → next · Page Up or ← back · B black screen · "
                       "Esc leave the tour"));
    m_keys->setEnabled(false); // drawn quieter: a reminder, not content
    layout->addWidget(m_keys);
    auto *buttons = new QHBoxLayout;
    m_back = new QPushButton(tr("◀ Back"), this);
    m_back->setObjectName(QStringLiteral("tourBack"));
    m_back->setToolTip(tr("The step before, replayed from the start on fresh sockets (Page Up)"));
    m_next = new QPushButton(tr("Next ▶"), this);
    m_next->setObjectName(QStringLiteral("tourNext"));
    m_next->setToolTip(tr("Reveal the answer, or play the next step (Page Down)"));
    // The keys go to the tour wherever the focus is; the buttons must not take it away.
    m_back->setFocusPolicy(Qt::NoFocus);
    m_next->setFocusPolicy(Qt::NoFocus);
    connect(m_back, &QPushButton::clicked, this, &TourPanel::backRequested);
    connect(m_next, &QPushButton::clicked, this, &TourPanel::nextRequested);
    buttons->addWidget(m_back);
    buttons->addStretch();
    buttons->addWidget(m_next);
    layout->addLayout(buttons);
    applyFonts();
}

void TourPanel::setStepTitles(const QStringList &titles)
{
    m_steps->clear();
    for (qsizetype i = 0; i < titles.size(); ++i)
        m_steps->addItem(tr("%1. %2").arg(i + 1).arg(titles.at(i)));
}

QString TourPanel::questionHtml() const
{
    if (m_step.question.isEmpty())
        return {};
    const bool revealed = m_step.phase != TourStepView::Phase::Asking && m_step.answer >= 0;
    if (m_hall && revealed) {
        // Answered, in the hall the question gives its lines back to the diagram: the
        // question and its answer on one line, then why.
        QString html = QStringLiteral("<p><b>%1</b> %2 <b>%3 ✓</b></p>")
                               .arg(tr("Predict:"), m_step.question.toHtmlEscaped(),
                                    m_step.choices.value(m_step.answer).toHtmlEscaped());
        if (!m_step.explanation.isEmpty())
            html += QStringLiteral("<p>%1</p>").arg(m_step.explanation.toHtmlEscaped());
        return html;
    }
    QString html = QStringLiteral("<p><b>%1</b> %2</p><ol>")
                           .arg(tr("Predict:"), m_step.question.toHtmlEscaped());
    for (qsizetype i = 0; i < m_step.choices.size(); ++i) {
        const QString choice = m_step.choices.at(i).toHtmlEscaped();
        html += revealed && i == m_step.answer ? QStringLiteral("<li><b>%1 ✓</b></li>").arg(choice)
                                               : QStringLiteral("<li>%1</li>").arg(choice);
    }
    html += QStringLiteral("</ol>");
    if (revealed && !m_step.explanation.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(m_step.explanation.toHtmlEscaped());
    return html;
}

void TourPanel::showStep(const TourStepView &step)
{
    m_step = step;
    // In the hall, a confirmed step says so in its counter; the status line is for news.
    const bool confirmedQuietly
            = m_hall && step.phase == TourStepView::Phase::Passed && step.status.isEmpty();
    m_counter->setText(m_hall ? tr("%1%2 / %3")
                                        .arg(confirmedQuietly ? tr("✓ ") : QString())
                                        .arg(step.index + 1)
                                        .arg(step.count)
                              : tr("Step %1 of %2").arg(step.index + 1).arg(step.count));
    m_counter->setToolTip(confirmedQuietly ? tr("The kernel shows what this step says.")
                                           : QString());
    m_steps->setCurrentIndex(step.index);
    m_title->setText(step.title);
    m_caption->setText(step.phase == TourStepView::Phase::Asking ? QString() : step.caption);
    m_caption->setVisible(step.phase != TourStepView::Phase::Asking);
    m_question->setText(questionHtml());
    m_question->setVisible(!step.question.isEmpty());
    QString status;
    switch (step.phase) {
    case TourStepView::Phase::Asking:
        status = tr("Think, then press Next to see what the kernel does.");
        break;
    case TourStepView::Phase::Running:
        status = tr("Playing…");
        break;
    case TourStepView::Phase::Restoring:
        status = tr("Replaying the steps before it on fresh sockets…");
        break;
    case TourStepView::Phase::Passed:
        status = tr("✓ The kernel shows it.")
                 + (step.status.isEmpty() ? QString() : QLatin1Char(' ') + step.status);
        break;
    case TourStepView::Phase::Failed:
        status = tr("✗ %1").arg(step.status);
        break;
    }
    m_status->setText(status);
    m_status->setVisible(!confirmedQuietly);
    m_back->setEnabled(step.index > 0);
    m_next->setText(step.phase == TourStepView::Phase::Asking ? tr("Reveal ▶") : tr("Next ▶"));
    m_next->setEnabled(step.phase == TourStepView::Phase::Asking || step.index + 1 < step.count);
}

void TourPanel::setHallMode(bool hall)
{
    m_hall = hall;
    // A clicker turns the pages; the step list, the buttons and the key reminder are the
    // lecturer's, not the hall's.
    for (QWidget *own : {static_cast<QWidget *>(m_steps), static_cast<QWidget *>(m_keys),
                         static_cast<QWidget *>(m_back), static_cast<QWidget *>(m_next)})
        own->setVisible(!hall);
    applyFonts();
    if (m_step.count > 0)
        showStep(m_step);
}

void TourPanel::setTextScale(double scale)
{
    m_scale = qBound(1.0, scale, 3.0);
    applyFonts();
}

void TourPanel::applyFonts()
{
    // Sizes relative to the desktop's font, so a high-DPI screen and the scale both count.
    const qreal base = QWidget::font().pointSizeF() > 0 ? QWidget::font().pointSizeF() : 10.0;
    const auto sized = [&](QWidget *widget, double factor, bool bold) {
        QFont font = widget->font();
        font.setPointSizeF(base * factor * m_scale);
        font.setBold(bold);
        widget->setFont(font);
    };
    // In the hall a little smaller than at a desk: the caption shares the screen with tuples
    // that must stay large, and the diagram gets every line the caption does not take.
    const double hall = m_hall ? 0.75 : 1.0;
    sized(m_counter, 1.1 * hall, false);
    sized(m_title, 1.8 * hall, true);
    sized(m_caption, 1.35 * hall, false);
    sized(m_question, 1.35 * hall, false);
    sized(m_status, 1.2 * hall, true);
}

} // namespace SocketScope
