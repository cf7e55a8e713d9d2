// SPDX-License-Identifier: MIT
#pragma once

#include <QApplication>
#include <QByteArray>
#include <QStandardPaths>
#include <QTest>
#include <QtGlobal>

#include <csignal>
#include <cstdio>
#include <string>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// An Xvfb of our own, started before QApplication so the xcb platform can connect to it.
// -displayfd makes it pick a free display and print the number once it accepts clients.
class XvfbServer
{
public:
    // `screen` as Xvfb takes it: width x height x depth.
    bool start(const char *screen = "1280x800x24")
    {
        int ready[2];
        if (::pipe(ready) != 0)
            return false;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::close(ready[0]);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the test
            const std::string fd = std::to_string(ready[1]);
            ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", screen, "-nolisten",
                     "tcp", static_cast<char *>(nullptr));
            ::_exit(127);
        }
        ::close(ready[1]);
        if (m_pid < 0) {
            ::close(ready[0]);
            return false;
        }
        std::string number;
        pollfd wait{ready[0], POLLIN, 0};
        char c = 0;
        while (::poll(&wait, 1, 15000) == 1 && ::read(ready[0], &c, 1) == 1 && c != '\n')
            number += c;
        ::close(ready[0]);
        if (number.empty())
            return false;
        qputenv("DISPLAY", QByteArray(":") + QByteArray::fromStdString(number));
        return true;
    }

    ~XvfbServer()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }

private:
    pid_t m_pid = -1;
};

// main() of a test that needs a real X server: its own Xvfb, the xcb platform, settings in a
// test location (not the user's), then the Qt Test object's slots.
template<typename Test>
int runTestUnderXvfb(int argc, char *argv[], const char *screen = "1280x800x24")
{
    XvfbServer xvfb;
    if (!xvfb.start(screen)) {
        std::fprintf(stderr, "Xvfb did not start: install the packages in "
                             ".ci/debian-packages.txt\n");
        return 1;
    }
    qputenv("QT_QPA_PLATFORM", "xcb");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    Test test;
    return QTest::qExec(&test, argc, argv);
}
