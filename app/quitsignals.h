// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace SocketScope {

// Turns SIGTERM and SIGINT into an orderly quit, so `kill` or Ctrl+C still writes the
// exports the command line asked for. The handler only writes the signal's number into a
// pipe (write() is async-signal-safe); a notifier reads it in the event loop and says so.
// A second signal of the same kind ends the program the default way, for an export that
// hangs. One instance at a time; the previous handlers come back when it is destroyed.
class QuitOnSignals : public QObject
{
    Q_OBJECT
public:
    explicit QuitOnSignals(QObject *parent = nullptr);
    ~QuitOnSignals() override;
    Q_DISABLE_COPY_MOVE(QuitOnSignals)

    bool isInstalled() const { return m_notifier != nullptr; }
    static QString signalName(int signalNumber); // "SIGTERM"

Q_SIGNALS:
    void quitRequested(int signalNumber);

private:
    void readPipe();

    int m_pipe[2] = {-1, -1};
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace SocketScope
