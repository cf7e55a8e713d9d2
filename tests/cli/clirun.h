// SPDX-License-Identifier: MIT
#pragma once

// Runs the real socketscope binary headless (offscreen), with settings in a folder of the
// test's own, and collects its exit code and output. Bounded: a run that does not end in
// time is killed.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace SocketScope::Test {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline QProcessEnvironment appEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home); // never the user's settings
    return env;
}

inline Run finish(QProcess &process, int timeoutMs = 30000)
{
    // waitForFinished() is false for a process that has already ended.
    if (process.state() != QProcess::NotRunning && !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromLocal8Bit(process.readAllStandardOutput()),
            QString::fromLocal8Bit(process.readAllStandardError())};
}

inline Run runApp(const QStringList &arguments, const QProcessEnvironment &env,
                  const QString &program = QStringLiteral(SOCKETSCOPE_BINARY))
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    return finish(process);
}

inline Run runApp(const QStringList &arguments, const QString &home)
{
    return runApp(arguments, appEnvironment(home));
}

} // namespace SocketScope::Test
