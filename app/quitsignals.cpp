// SPDX-License-Identifier: MIT
#include "quitsignals.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace SocketScope {

namespace {

constexpr int HandledSignals[] = {SIGTERM, SIGINT};
volatile std::sig_atomic_t s_writeEnd = -1;
struct sigaction s_previous[std::size(HandledSignals)];

void onSignal(int signalNumber)
{
    const int savedErrno = errno; // the interrupted code may be about to read it
    const auto byte = static_cast<unsigned char>(signalNumber);
    if (s_writeEnd >= 0) {
        const ssize_t written = ::write(s_writeEnd, &byte, 1); // a full pipe has one already
        static_cast<void>(written);
    }
    errno = savedErrno;
}

} // namespace

QuitOnSignals::QuitOnSignals(QObject *parent) : QObject(parent)
{
    if (s_writeEnd >= 0 || ::pipe2(m_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    s_writeEnd = m_pipe[1];
    m_notifier = new QSocketNotifier(m_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &QuitOnSignals::readPipe);
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: the first signal asks, a second one (the export hangs) ends it.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    for (std::size_t i = 0; i < std::size(HandledSignals); ++i)
        ::sigaction(HandledSignals[i], &action, &s_previous[i]);
}

QuitOnSignals::~QuitOnSignals()
{
    if (!m_notifier)
        return;
    for (std::size_t i = 0; i < std::size(HandledSignals); ++i)
        ::sigaction(HandledSignals[i], &s_previous[i], nullptr);
    s_writeEnd = -1;
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
}

QString QuitOnSignals::signalName(int signalNumber)
{
    switch (signalNumber) {
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    case SIGINT:
        return QStringLiteral("SIGINT");
    default:
        return QStringLiteral("signal %1").arg(signalNumber);
    }
}

void QuitOnSignals::readPipe()
{
    unsigned char byte = 0;
    int last = 0;
    while (::read(m_pipe[0], &byte, 1) == 1)
        last = byte;
    if (last != 0)
        Q_EMIT quitRequested(last);
}

} // namespace SocketScope
