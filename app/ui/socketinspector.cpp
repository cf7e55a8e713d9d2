// SPDX-License-Identifier: MIT
#include "socketinspector.h"

#include "presentationclock.h"
#include "sockettablemodel.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace SocketScope {

namespace {

QString roleInWords(const SocketRecord &record)
{
    if (record.kernelOnly && record.effectiveState() == SocketState::TimeWait)
        return SocketInspector::tr("left in TIME_WAIT by the side that closed first");
    if (record.kernelOnly && record.role == SocketRole::TcpServerSide)
        return SocketInspector::tr("completed by the kernel, waiting in the listener's accept "
                                   "queue: accept() has not taken it yet");
    switch (record.role) {
    case SocketRole::TcpListener:
        return SocketInspector::tr("the server's listening socket");
    case SocketRole::TcpServerSide:
        return SocketInspector::tr("a socket the listener accepted (shares its local port)");
    case SocketRole::TcpClient:
        return SocketInspector::tr("a TCP client");
    case SocketRole::UdpServer:
        return SocketInspector::tr("the UDP server's one socket for every client");
    case SocketRole::UdpClient:
        return SocketInspector::tr("a UDP client");
    case SocketRole::ExternalPeer:
        return SocketInspector::tr("another program's socket on our port");
    }
    return {};
}

QString stateText(const SocketRecord &record)
{
    if (record.protocol == Protocol::Udp)
        return SocketInspector::tr("none: UDP keeps no connection state (netstat leaves the "
                                   "column empty)");
    const QString qt = stateName(record.state);
    if (!record.kernel)
        return isKernelViewAvailable()
                       ? SocketInspector::tr(
                                 "%1 (as Qt reports it; the kernel has not answered yet)")
                                 .arg(qt)
                       : SocketInspector::tr("%1 (as Qt reports it; no kernel view here)").arg(qt);
    const QString kernel = stateName(record.kernel->state);
    if (record.kernelOnly)
        return SocketInspector::tr("%1 in the kernel; no program holds it").arg(kernel);
    if (record.kernel->state == record.state)
        return SocketInspector::tr("%1 (the kernel and Qt agree)").arg(kernel);
    return SocketInspector::tr("%1 in the kernel · %2 as Qt reports it").arg(kernel, qt);
}

QString ownerText(const SocketRecord &record)
{
    const qint64 pid = record.ownerPid();
    const QString program = record.kernel && !record.kernel->program.isEmpty()
                                    ? record.kernel->program
                                    : record.program;
    if (pid <= 0)
        return SocketInspector::tr("no process (only the kernel holds it)");
    QString text = SocketInspector::tr("pid %1").arg(pid);
    if (!program.isEmpty())
        text += QStringLiteral(" · ") + program;
    if (record.threadId != 0)
        text += SocketInspector::tr(" · thread %1").arg(record.threadId);
    return text;
}

QString queuesText(const SocketRecord &record)
{
    if (!record.kernel)
        return kernelFactMissingText();
    if (record.role == SocketRole::TcpListener)
        return SocketInspector::tr("%1 connections completed, waiting for accept() · backlog %2")
                .arg(record.kernel->recvQ)
                .arg(record.kernel->sendQ);
    if (record.protocol == Protocol::Udp)
        return SocketInspector::tr("Recv-Q %1 B of kernel memory for datagrams waiting to be "
                                   "read · Send-Q %2\n%3")
                .arg(record.kernel->recvQ)
                .arg(record.kernel->sendQ)
                .arg(udpRecvQMeaning());
    return SocketInspector::tr("Recv-Q %1 bytes not yet read · Send-Q %2 bytes not yet "
                               "acknowledged")
            .arg(record.kernel->recvQ)
            .arg(record.kernel->sendQ);
}

QString timerText(const SocketRecord &record)
{
    if (!record.kernel || record.kernel->timerMs < 0)
        return SocketInspector::tr("none running");
    const QString seconds
            = QString::number(static_cast<double>(record.kernel->timerMs) / 1000.0, 'f', 1);
    if (record.kernel->state == SocketState::TimeWait)
        return SocketInspector::tr("TIME_WAIT ends in %1 s").arg(seconds);
    return SocketInspector::tr("%1 s left").arg(seconds);
}

QString tcpInfoField(const SocketRecord &record)
{
    if (record.protocol == Protocol::Udp)
        return SocketInspector::tr("not for UDP");
    if (!record.kernel || !record.kernel->tcpInfo)
        return SocketInspector::tr("none (the kernel gives TCP_INFO only for a full socket)");
    return tcpInfoText(*record.kernel->tcpInfo);
}

QString trafficText(const SocketRecord &record)
{
    QString text
            = SocketInspector::tr("sent %1 · received %2")
                      .arg(byteCountText(record.bytesSent), byteCountText(record.bytesReceived));
    if (record.protocol == Protocol::Udp)
        text += SocketInspector::tr(" · %1 datagrams sent · %2 received")
                        .arg(record.datagramsSent)
                        .arg(record.datagramsReceived);
    return text;
}

// What is left of a socket the program no longer has. `successor` is the kernel-only record
// with its tuple, if the kernel still keeps one.
QString goneText(const SocketRecord &record, const SocketRecord *successor)
{
    if (successor && successor->effectiveState() == SocketState::TimeWait) {
        if (successor->kernel && successor->kernel->timerMs >= 0)
            return SocketInspector::tr(" · closed by the program; the kernel keeps its tuple in "
                                       "TIME_WAIT for %1 s more (socket #%2)")
                    .arg((successor->kernel->timerMs + 999) / 1000)
                    .arg(successor->id);
        return SocketInspector::tr(" · closed by the program; the kernel keeps its tuple in "
                                   "TIME_WAIT (socket #%1)")
                .arg(successor->id);
    }
    if (successor)
        return SocketInspector::tr(" · closed by the program; the kernel still has its tuple, "
                                   "%1 (socket #%2)")
                .arg(stateName(successor->effectiveState()))
                .arg(successor->id);
    if (!isKernelViewAvailable())
        return SocketInspector::tr(" · gone: the program closed it (no kernel view here)");
    if (record.kernel && record.kernel->state == SocketState::TimeWait)
        return SocketInspector::tr(" · closed by the program; the kernel last showed its tuple "
                                   "in TIME_WAIT");
    return SocketInspector::tr(" · gone: neither the program nor the kernel has it now");
}

// `now` is the moment the picture shows.
QString lifetimeText(const SocketRecord &record, bool gone, const SocketRecord *successor,
                     const QDateTime &now)
{
    const QDateTime end = record.closed.isNull() ? now : record.closed;
    QString text
            = SocketInspector::tr("opened %1 · age %2")
                      .arg(QLocale::system().toString(record.created.toLocalTime().time(),
                                                      QLocale::LongFormat),
                           SocketTableModel::ageText(qMax<qint64>(record.created.secsTo(end), 0)));
    if (!record.closed.isNull())
        text += SocketInspector::tr(" · closed %1")
                        .arg(QLocale::system().toString(record.closed.toLocalTime().time(),
                                                        QLocale::LongFormat));
    if (gone)
        text += goneText(record, successor);
    return text;
}

} // namespace

QString SocketInspector::fieldTitle(Field field)
{
    switch (field) {
    case Socket:
        return tr("Socket");
    case Tuple:
        return tr("Tuple");
    case State:
        return tr("State");
    case Owner:
        return tr("Owner");
    case Queues:
        return tr("Queues");
    case Timer:
        return tr("Timer");
    case Inode:
        return tr("Inode");
    case TcpInfo:
        return tr("TCP_INFO");
    case Traffic:
        return tr("Traffic");
    case Lifetime:
        return tr("Lifetime");
    case Activity:
        return tr("Now");
    case FieldCount:
        break;
    }
    return {};
}

SocketInspector::SocketInspector(const SocketRegistry &registry, QWidget *parent)
    : QWidget(parent), m_registry(registry)
{
    setObjectName(QStringLiteral("socketInspector"));
    auto *layout = new QVBoxLayout(this);
    m_hint = new QLabel(tr("Select a socket in the diagram or the table to see everything "
                           "the program and the kernel know about it."),
                        this);
    m_hint->setWordWrap(true);
    layout->addWidget(m_hint);

    m_form = new QWidget(this);
    auto *form = new QFormLayout(m_form);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int field = 0; field < FieldCount; ++field) {
        auto *value = new QLabel(m_form);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        if (field == Tuple)
            value->setFont(fixed);
        form->addRow(fieldTitle(static_cast<Field>(field)), value);
        m_values[static_cast<size_t>(field)] = value;
    }
    layout->addWidget(m_form);
    layout->addStretch(1);
    m_form->hide();

    m_ageTimer.setInterval(1000);
    connect(&m_ageTimer, &QTimer::timeout, this, &SocketInspector::refresh);
    connect(&registry, &SocketRegistry::socketChanged, this, [this](SocketId id) {
        if (id == m_id || (id == m_successor && id != InvalidSocketId))
            refresh();
    });
    // The kernel's record of a closed socket's tuple may come after the socket is gone.
    connect(&registry, &SocketRegistry::socketAdded, this, [this] {
        if (m_last && !m_registry.contains(m_id))
            refresh();
    });
    connect(&registry, &SocketRegistry::socketRemoved, this, &SocketInspector::onRemoved);
}

void SocketInspector::setSocket(SocketId id)
{
    if (id == m_id)
        return;
    m_id = id;
    m_last.reset();
    refresh();
    Q_EMIT socketShown(id);
}

void SocketInspector::setPresentationClock(const PresentationClock &clock)
{
    m_clock = &clock;
    connect(&clock, &PresentationClock::speedChanged, this, &SocketInspector::refresh);
}

QString SocketInspector::fieldText(Field field) const
{
    return field < FieldCount ? m_values[static_cast<size_t>(field)]->text() : QString();
}

void SocketInspector::refresh()
{
    if (const SocketRecord *record = m_registry.find(m_id)) {
        m_last = *record;
        show(*record, false);
    } else if (m_last) {
        show(*m_last, true);
    } else {
        m_id = InvalidSocketId;
        m_ageTimer.stop();
        m_form->hide();
        m_hint->show();
    }
}

void SocketInspector::onRemoved(SocketId id)
{
    if (id == m_id || (id == m_successor && id != InvalidSocketId))
        refresh(); // shows the last record, marked gone
}

const SocketRecord *SocketInspector::kernelSuccessor(const SocketRecord &record) const
{
    if (record.kernelOnly || record.protocol != Protocol::Tcp)
        return nullptr;
    const SocketRecord *successor
            = m_registry.find(m_registry.findByTuple(record.protocol, record.local, record.remote));
    return successor && successor->kernelOnly && successor->id != record.id ? successor : nullptr;
}

void SocketInspector::show(const SocketRecord &record, bool gone)
{
    const auto set = [this](Field field, const QString &text) {
        m_values[static_cast<size_t>(field)]->setText(text);
    };
    set(Socket, tr("#%1 %2 · %3")
                        .arg(record.id)
                        .arg(protocolName(record.protocol).toUpper(), roleInWords(record)));
    set(Tuple, QStringLiteral("{%1, %2}")
                       .arg(record.local.toString(),
                            record.remote ? record.remote->toString() : QStringLiteral("*:*")));
    set(State, stateText(record));
    set(Owner, ownerText(record));
    set(Queues, queuesText(record));
    set(Timer, timerText(record));
    if (!record.kernel)
        set(Inode, kernelFactMissingText());
    else if (record.kernel->inode == 0)
        set(Inode, tr("0: no file refers to it (not accepted yet, or left to the kernel)"));
    else
        set(Inode, QString::number(record.kernel->inode));
    set(TcpInfo, tcpInfoField(record));
    set(Traffic, trafficText(record));
    const SocketRecord *successor = gone ? kernelSuccessor(record) : nullptr;
    m_successor = successor ? successor->id : InvalidSocketId;
    if (successor) {
        // The kernel's facts of the tuple now, not the closed socket's last ones.
        set(State, tr("%1 in the kernel; the program closed it")
                           .arg(stateName(successor->effectiveState())));
        set(Timer, timerText(*successor));
    }
    set(Lifetime, lifetimeText(record, gone, successor,
                               m_clock ? m_clock->wallTime() : QDateTime::currentDateTimeUtc()));
    QString activity = record.activity.isEmpty() ? tr("idle") : record.activity;
    if (record.kernel && !record.kernel->sharedWith.isEmpty())
        activity = sharedPortText(*record.kernel) + QLatin1Char('\n') + activity;
    set(Activity, activity);
    m_hint->hide();
    m_form->show();
    // A socket that is gone does not age; one that is open does, between registry changes.
    if (gone || !record.closed.isNull())
        m_ageTimer.stop();
    else if (!m_ageTimer.isActive())
        m_ageTimer.start();
}

} // namespace SocketScope
