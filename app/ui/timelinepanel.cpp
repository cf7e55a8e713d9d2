// SPDX-License-Identifier: MIT
#include "timelinepanel.h"

#include "timelineview.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace SocketScope {

TimelinePanel::TimelinePanel(const EventJournal &journal, Pacer *pacer, QWidget *parent)
    : QWidget(parent), m_view(new TimelineView(journal, pacer, this))
{
    auto *filter = new QLineEdit(this);
    filter->setObjectName(QStringLiteral("timelineFilter"));
    filter->setPlaceholderText(tr("Lanes: client, accepted, 127.0.0.1:9877, tcp, udp, time_wait…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_view, &TimelineView::setLaneFilter);
    auto *follow = new QCheckBox(tr("Follow live"), this);
    follow->setObjectName(QStringLiteral("timelineFollow"));
    follow->setChecked(true);
    follow->setToolTip(tr("Keep the newest event in view. Clicking an event stops following and "
                          "shows the whole window as it was then."));
    connect(follow, &QCheckBox::toggled, m_view, &TimelineView::setFollowLive);
    connect(m_view, &TimelineView::seekRequested, follow, [follow] { follow->setChecked(false); });
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Save the timeline as PNG or SVG"));
    connect(exportButton, &QPushButton::clicked, this, &TimelinePanel::exportInteractively);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(filter, 1);
    bar->addWidget(follow);
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
}

void TimelinePanel::exportInteractively()
{
    const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Timeline"),
            QStandardPaths::writableLocation(QStandardPaths::PicturesLocation)
                    + QStringLiteral("/socketscope-timeline.png"),
            tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!writeTimelineFile(m_view->plan(), path, &error))
        QMessageBox::warning(this, tr("Export Timeline"), error);
}

} // namespace SocketScope
