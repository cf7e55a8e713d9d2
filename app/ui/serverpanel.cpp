// SPDX-License-Identifier: MIT
#include "serverpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace SocketScope {

namespace {

QComboBox *behaviourCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->addItem(QObject::tr("echo (RFC 862)"), QStringLiteral("echo"));
    combo->addItem(QObject::tr("discard (RFC 863)"), QStringLiteral("discard"));
    combo->addItem(QObject::tr("daytime (RFC 867)"), QStringLiteral("daytime"));
    combo->setToolTip(QObject::tr("echo sends back what it gets; discard keeps quiet; daytime "
                                  "answers with the date and time"));
    return combo;
}

void selectData(QComboBox *combo, const QString &value)
{
    const int index = combo->findData(value);
    if (index >= 0)
        combo->setCurrentIndex(index);
}

QSpinBox *portBox(QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setRange(0, 65535);
    box->setSpecialValueText(QObject::tr("0 (any free port)"));
    box->setToolTip(QObject::tr("Port to bind; 0 lets the kernel pick a free one. Ports below "
                                "1024 need privileges."));
    return box;
}

} // namespace

ServerPanel::ServerPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("serverPanel"));
    auto *layout = new QVBoxLayout(this);

    auto *tcpBox = new QGroupBox(tr("TCP server"), this);
    auto *tcpForm = new QFormLayout(tcpBox);
    m_tcpAddress = new QLineEdit(tcpBox);
    m_tcpAddress->setObjectName(QStringLiteral("tcpAddress"));
    m_tcpAddress->setToolTip(tr("Address to listen on. 127.0.0.1 keeps it on this machine; "
                                "0.0.0.0 exposes it to the network."));
    m_tcpPort = portBox(tcpBox);
    m_tcpPort->setObjectName(QStringLiteral("tcpPort"));
    m_backlog = new QSpinBox(tcpBox);
    m_backlog->setRange(1, 4096);
    m_backlog->setToolTip(tr("How many completed connections the kernel queues for accept()"));
    m_tcpBehaviour = behaviourCombo(tcpBox);
    m_tcpModel = new QComboBox(tcpBox);
    m_tcpModel->setObjectName(QStringLiteral("tcpModel"));
    m_tcpModel->addItem(tr("one process, event loop"), QStringLiteral("event-loop"));
    m_tcpModel->addItem(tr("a thread per client"), QStringLiteral("thread"));
    m_tcpModel->addItem(tr("a child process per client"), QStringLiteral("process"));
    m_tcpModel->setToolTip(tr("How the server serves the connections it accepts from now on; "
                              "connections already served keep their model"));
    m_tcpStart = new QPushButton(tr("Start"), tcpBox);
    m_tcpStart->setObjectName(QStringLiteral("tcpStart"));
    m_accepting = new QCheckBox(tr("Accept connections"), tcpBox);
    m_accepting->setChecked(true);
    m_accepting->setToolTip(tr("Untick to stop calling accept(): new connections then wait in "
                               "the kernel's accept queue"));
    m_holdCloseWait = new QCheckBox(tr("Keep CLOSE_WAIT after a client's FIN"), tcpBox);
    m_holdCloseWait->setObjectName(QStringLiteral("holdCloseWait"));
    m_holdCloseWait->setToolTip(tr("Most servers close as soon as the client has finished "
                                   "sending. Tick to keep the server's socket in CLOSE_WAIT "
                                   "until you close it (right-click › Close), e.g. after nc -N."));
    m_tcpState = new QLabel(tcpBox);
    m_tcpState->setWordWrap(true);
    tcpForm->addRow(tr("Address"), m_tcpAddress);
    tcpForm->addRow(tr("Port"), m_tcpPort);
    tcpForm->addRow(tr("Backlog"), m_backlog);
    tcpForm->addRow(tr("Behaviour"), m_tcpBehaviour);
    tcpForm->addRow(tr("Serves with"), m_tcpModel);
    tcpForm->addRow(m_accepting);
    tcpForm->addRow(m_holdCloseWait);
    tcpForm->addRow(m_tcpStart, m_tcpState);
    layout->addWidget(tcpBox);

    auto *udpBox = new QGroupBox(tr("UDP server"), this);
    auto *udpForm = new QFormLayout(udpBox);
    m_udpAddress = new QLineEdit(udpBox);
    m_udpAddress->setObjectName(QStringLiteral("udpAddress"));
    m_udpAddress->setToolTip(m_tcpAddress->toolTip());
    m_udpPort = portBox(udpBox);
    m_udpPort->setObjectName(QStringLiteral("udpPort"));
    m_udpBehaviour = behaviourCombo(udpBox);
    m_delay = new QSlider(Qt::Horizontal, udpBox);
    m_delay->setRange(0, 2000);
    m_delay->setSingleStep(50);
    m_delay->setPageStep(250);
    m_delay->setToolTip(tr("Time the server spends on each datagram. Datagrams that arrive "
                           "meanwhile wait in the socket's receive queue, one after another."));
    m_delayLabel = new QLabel(udpBox);
    m_delayLabel->setMinimumWidth(
            m_delayLabel->fontMetrics().horizontalAdvance(QStringLiteral("2000 ms")));
    auto *delayRow = new QHBoxLayout;
    delayRow->addWidget(m_delay);
    delayRow->addWidget(m_delayLabel);
    m_udpModel = new QComboBox(udpBox);
    m_udpModel->setObjectName(QStringLiteral("udpModel"));
    m_udpModel->addItem(tr("one socket for every client"), QStringLiteral("single"));
    m_udpModel->addItem(tr("a connected socket per client"), QStringLiteral("connected"));
    m_udpModel->setToolTip(tr("The taught model is one socket handling every datagram in turn; "
                              "the contrast opens a connected socket per client "
                              "(SO_REUSEPORT), which the kernel picks by the full 4-tuple"));
    m_udpStart = new QPushButton(tr("Start"), udpBox);
    m_udpStart->setObjectName(QStringLiteral("udpStart"));
    m_udpState = new QLabel(udpBox);
    m_udpState->setWordWrap(true);
    udpForm->addRow(tr("Address"), m_udpAddress);
    udpForm->addRow(tr("Port"), m_udpPort);
    udpForm->addRow(tr("Behaviour"), m_udpBehaviour);
    udpForm->addRow(tr("Per datagram"), delayRow);
    udpForm->addRow(tr("Receives with"), m_udpModel);
    udpForm->addRow(m_udpStart, m_udpState);
    layout->addWidget(udpBox);

    auto *clientBox = new QGroupBox(tr("Clients"), this);
    auto *clientLayout = new QFormLayout(clientBox);
    m_spawnCount = new QSpinBox(clientBox);
    m_spawnCount->setObjectName(QStringLiteral("spawnCount"));
    m_spawnCount->setRange(1, 20000);
    m_spawnCount->setToolTip(tr("How many clients \"Spawn N\" makes at once"));
    auto *spawnRow = new QHBoxLayout;
    auto *spawnTcp = new QPushButton(tr("Spawn TCP"), clientBox);
    auto *spawnUdp = new QPushButton(tr("Spawn UDP"), clientBox);
    spawnRow->addWidget(spawnTcp);
    spawnRow->addWidget(spawnUdp);
    m_descriptors = new QLabel(clientBox);
    m_descriptors->setWordWrap(true);
    clientLayout->addRow(tr("How many"), m_spawnCount);
    clientLayout->addRow(spawnRow);
    clientLayout->addRow(m_descriptors);
    layout->addWidget(clientBox);
    layout->addStretch(1);

    connect(m_tcpStart, &QPushButton::clicked, this, [this] {
        if (m_tcpListening)
            Q_EMIT tcpStopRequested();
        else
            Q_EMIT tcpStartRequested(tcpSettings());
    });
    connect(m_udpStart, &QPushButton::clicked, this, [this] {
        if (m_udpBound)
            Q_EMIT udpStopRequested();
        else
            Q_EMIT udpStartRequested(udpSettings());
    });
    connect(m_accepting, &QCheckBox::toggled, this, &ServerPanel::tcpAcceptingRequested);
    connect(m_holdCloseWait, &QCheckBox::toggled, this, &ServerPanel::holdCloseWaitChanged);
    connect(m_delay, &QSlider::valueChanged, this, [this](int ms) {
        m_delayLabel->setText(tr("%1 ms").arg(ms));
        Q_EMIT udpDelayChanged(ms);
    });
    connect(m_tcpBehaviour, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT tcpBehaviourChanged(m_tcpBehaviour->currentData().toString()); });
    connect(m_udpBehaviour, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT udpBehaviourChanged(m_udpBehaviour->currentData().toString()); });
    connect(m_tcpModel, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT tcpModelChanged(tcpModel()); });
    connect(m_udpModel, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT udpModelChanged(udpModel()); });
    connect(spawnTcp, &QPushButton::clicked, this,
            [this] { Q_EMIT spawnTcpRequested(spawnCount()); });
    connect(spawnUdp, &QPushButton::clicked, this,
            [this] { Q_EMIT spawnUdpRequested(spawnCount()); });

    setTcpSettings({});
    setUdpSettings({});
    setTcpState(false, true, QString());
    setUdpState(false, QString());
}

TcpServerSettings ServerPanel::tcpSettings() const
{
    return {m_tcpAddress->text().trimmed(), m_tcpPort->value(), m_backlog->value(),
            m_tcpBehaviour->currentData().toString()};
}

UdpServerSettings ServerPanel::udpSettings() const
{
    return {m_udpAddress->text().trimmed(), m_udpPort->value(),
            m_udpBehaviour->currentData().toString(), m_delay->value()};
}

void ServerPanel::setTcpSettings(const TcpServerSettings &settings)
{
    m_tcpAddress->setText(settings.address);
    m_tcpPort->setValue(settings.port);
    m_backlog->setValue(settings.backlog);
    selectData(m_tcpBehaviour, settings.behaviour);
}

void ServerPanel::setUdpSettings(const UdpServerSettings &settings)
{
    m_udpAddress->setText(settings.address);
    m_udpPort->setValue(settings.port);
    selectData(m_udpBehaviour, settings.behaviour);
    m_delay->setValue(settings.delayMs);
    m_delayLabel->setText(tr("%1 ms").arg(settings.delayMs));
}

int ServerPanel::spawnCount() const
{
    return m_spawnCount->value();
}

void ServerPanel::setSpawnCount(int count)
{
    m_spawnCount->setValue(count);
}

void ServerPanel::setTcpState(bool listening, bool accepting, const QString &endpoint)
{
    m_tcpListening = listening;
    m_tcpStart->setText(listening ? tr("Stop") : tr("Start"));
    m_tcpStart->setToolTip(listening ? tr("Close the listening socket; accepted connections "
                                          "stay open")
                                     : tr("Open a listening socket with these settings"));
    // Address and port belong to the socket; they can change only while it is closed.
    m_tcpAddress->setEnabled(!listening);
    m_tcpPort->setEnabled(!listening);
    m_backlog->setEnabled(!listening);
    const QSignalBlocker blocker(m_accepting);
    m_accepting->setChecked(accepting);
    m_accepting->setEnabled(listening);
    m_tcpState->setText(
            listening ? tr("listening on %1%2")
                                .arg(endpoint, accepting ? QString() : tr(", not accepting"))
                      : tr("stopped"));
}

void ServerPanel::setUdpState(bool bound, const QString &endpoint)
{
    m_udpBound = bound;
    m_udpStart->setText(bound ? tr("Stop") : tr("Start"));
    m_udpAddress->setEnabled(!bound);
    m_udpPort->setEnabled(!bound);
    m_udpState->setText(bound ? tr("bound to %1").arg(endpoint) : tr("stopped"));
}

void ServerPanel::setDescriptorInfo(const QString &text)
{
    m_descriptors->setText(text);
}

void ServerPanel::setTcpModel(const QString &model)
{
    const QSignalBlocker blocker(m_tcpModel);
    selectData(m_tcpModel, model);
}

void ServerPanel::setUdpModel(const QString &model)
{
    const QSignalBlocker blocker(m_udpModel);
    selectData(m_udpModel, model);
}

QString ServerPanel::tcpModel() const
{
    return m_tcpModel->currentData().toString();
}

QString ServerPanel::udpModel() const
{
    return m_udpModel->currentData().toString();
}

void ServerPanel::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("clients/spawnCount"), spawnCount());
    if (!m_remember)
        return;
    const TcpServerSettings tcp = tcpSettings();
    settings.setValue(QStringLiteral("tcp/address"), tcp.address);
    settings.setValue(QStringLiteral("tcp/port"), tcp.port);
    settings.setValue(QStringLiteral("tcp/backlog"), tcp.backlog);
    settings.setValue(QStringLiteral("tcp/behaviour"), tcp.behaviour);
    const UdpServerSettings udp = udpSettings();
    settings.setValue(QStringLiteral("udp/address"), udp.address);
    settings.setValue(QStringLiteral("udp/port"), udp.port);
    settings.setValue(QStringLiteral("udp/behaviour"), udp.behaviour);
    settings.setValue(QStringLiteral("udp/delayMs"), udp.delayMs);
}

void ServerPanel::restoreSettings()
{
    QSettings settings;
    const TcpServerSettings tcpDefaults;
    setTcpSettings(
            {settings.value(QStringLiteral("tcp/address"), tcpDefaults.address).toString(),
             settings.value(QStringLiteral("tcp/port"), tcpDefaults.port).toInt(),
             settings.value(QStringLiteral("tcp/backlog"), tcpDefaults.backlog).toInt(),
             settings.value(QStringLiteral("tcp/behaviour"), tcpDefaults.behaviour).toString()});
    const UdpServerSettings udpDefaults;
    setUdpSettings(
            {settings.value(QStringLiteral("udp/address"), udpDefaults.address).toString(),
             settings.value(QStringLiteral("udp/port"), udpDefaults.port).toInt(),
             settings.value(QStringLiteral("udp/behaviour"), udpDefaults.behaviour).toString(),
             settings.value(QStringLiteral("udp/delayMs"), udpDefaults.delayMs).toInt()});
    setSpawnCount(settings.value(QStringLiteral("clients/spawnCount"), 10).toInt());
}

} // namespace SocketScope
