// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;

namespace SocketScope {

// What the user chose for a server, as typed: the network layer validates it and says
// what is wrong, so the panel never second-guesses an address.
struct TcpServerSettings
{
    QString address = QStringLiteral("127.0.0.1");
    int port = DefaultServerPort;
    int backlog = 50;
    QString behaviour = QStringLiteral("echo");
};

struct UdpServerSettings
{
    QString address = QStringLiteral("127.0.0.1");
    int port = DefaultServerPort;
    QString behaviour = QStringLiteral("echo");
    int delayMs = 0;
};

// The servers' settings and switches, and how many clients a spawn makes. It only shows
// state and asks for changes through signals; it never touches a socket.
class ServerPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPanel(QWidget *parent = nullptr);

    TcpServerSettings tcpSettings() const;
    UdpServerSettings udpSettings() const;
    void setTcpSettings(const TcpServerSettings &settings);
    void setUdpSettings(const UdpServerSettings &settings);
    int spawnCount() const;
    void setSpawnCount(int count);

    void setTcpState(bool listening, bool accepting, const QString &endpoint);
    void setUdpState(bool bound, const QString &endpoint);
    void setDescriptorInfo(const QString &text);

    // Model names as the network layer spells them: "event-loop", "thread", "process";
    // "single", "connected".
    void setTcpModel(const QString &model);
    void setUdpModel(const QString &model);
    QString tcpModel() const;
    QString udpModel() const;

    void setRememberServerSettings(bool remember) { m_remember = remember; }
    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    void tcpStartRequested(const SocketScope::TcpServerSettings &settings);
    void tcpStopRequested();
    void tcpAcceptingRequested(bool accepting);
    void udpStartRequested(const SocketScope::UdpServerSettings &settings);
    void udpStopRequested();
    void udpDelayChanged(int ms);
    void tcpBehaviourChanged(const QString &behaviour);
    void udpBehaviourChanged(const QString &behaviour);
    void tcpModelChanged(const QString &model);
    void holdCloseWaitChanged(bool hold);
    void udpModelChanged(const QString &model);
    void spawnTcpRequested(int count);
    void spawnUdpRequested(int count);

private:
    QLineEdit *m_tcpAddress = nullptr;
    QSpinBox *m_tcpPort = nullptr;
    QSpinBox *m_backlog = nullptr;
    QComboBox *m_tcpBehaviour = nullptr;
    QComboBox *m_tcpModel = nullptr;
    QComboBox *m_udpModel = nullptr;
    QPushButton *m_tcpStart = nullptr;
    QCheckBox *m_accepting = nullptr;
    QCheckBox *m_holdCloseWait = nullptr;
    QLabel *m_tcpState = nullptr;
    QLineEdit *m_udpAddress = nullptr;
    QSpinBox *m_udpPort = nullptr;
    QComboBox *m_udpBehaviour = nullptr;
    QSlider *m_delay = nullptr;
    QLabel *m_delayLabel = nullptr;
    QPushButton *m_udpStart = nullptr;
    QLabel *m_udpState = nullptr;
    QSpinBox *m_spawnCount = nullptr;
    QLabel *m_descriptors = nullptr;
    bool m_tcpListening = false;
    bool m_udpBound = false;
    bool m_remember = true;
};

} // namespace SocketScope
