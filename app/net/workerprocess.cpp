// SPDX-License-Identifier: MIT
#include "workerprocess.h"

#include "behaviour.h"
#include "clientsession.h"
#include "netlogging.h"
#include "workerprotocol.h"

#include <QCoreApplication>
#include <QDir>

#include <climits>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <unistd.h>

namespace SocketScope {

namespace {

constexpr int HandoverTimeoutMs = 10000;

// Belt and braces next to O_CLOEXEC: a descriptor someone opened without it (a library's
// netlink socket, say) must not live on in a worker, least of all a listener. Every one,
// however many: the parent may hold thousands of sockets.
void closeInheritedDescriptors(int keep)
{
    const auto closeRange = [](int first, int last) {
        return first > last
               || ::close_range(static_cast<unsigned>(first), static_cast<unsigned>(last), 0) == 0;
    };
    if (closeRange(3, keep - 1) && closeRange(keep + 1, INT_MAX))
        return;
    // A kernel without close_range (before 5.9): list and close in rounds until a round
    // finds nothing, so no fixed array bounds how many go. Bounded by the rounds' count.
    for (int round = 0; round < 1024; ++round) {
        DIR *directory = ::opendir("/proc/self/fd");
        if (!directory)
            return;
        const int own = ::dirfd(directory);
        int toClose[1024];
        int count = 0;
        for (dirent *entry = ::readdir(directory); entry && count < 1024;
             entry = ::readdir(directory)) {
            char *end = nullptr;
            const long fd = std::strtol(entry->d_name, &end, 10);
            if (end == entry->d_name || *end != '\0')
                continue;
            if (fd > 2 && fd != keep && fd != own)
                toClose[count++] = static_cast<int>(fd);
        }
        ::closedir(directory);
        for (int i = 0; i < count; ++i)
            ::close(toClose[i]);
        if (count == 0)
            return;
    }
}

void complain(const char *what, const QString &detail)
{
    std::fprintf(stderr, "socketscope worker %d: %s: %s\n", static_cast<int>(::getpid()), what,
                 qPrintable(detail));
}

} // namespace

bool isWorkerInvocation(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--worker") == 0)
            return true;
    }
    return false;
}

int runWorker(int argc, char *argv[])
{
    const int channelFd = WorkerProtocol::ControlDescriptor;
    closeInheritedDescriptors(channelFd);
    QCoreApplication app(argc, argv);

    QString error;
    const std::optional<WorkerProtocol::ReceivedDescriptor> handover
            = WorkerProtocol::receiveDescriptor(channelFd, HandoverTimeoutMs, &error);
    if (!handover) {
        complain("no socket handed over", error);
        ::close(channelFd);
        return 3;
    }
    // The first line must be the serve command; the rest (commands sent right after) is
    // fed to the channel below.
    WorkerProtocol::LineFramer first;
    first.append(handover->payload);
    const std::optional<QByteArray> line = first.takeLine();
    const std::optional<WorkerProtocol::Message> serve
            = line ? WorkerProtocol::decode(*line, &error) : std::nullopt;
    const std::optional<Behaviour> behaviour = serve && serve->verb == WorkerProtocol::Verb::Serve
                                                       ? behaviourFromName(serve->behaviour)
                                                       : std::nullopt;
    if (!behaviour) {
        complain("bad serve line", line ? error : QStringLiteral("no complete line"));
        ::close(handover->descriptor);
        ::close(channelFd);
        return 3;
    }
    const QByteArray rest = handover->payload.mid(line->size() + 1);

    WorkerChannel channel(channelFd);
    ClientSession session(handover->descriptor, *behaviour);
    session.setResetIfKilled(true);
    QObject::connect(&session, &ClientSession::received, &channel, [&channel](qint64 bytes) {
        WorkerProtocol::Message report;
        report.verb = WorkerProtocol::Verb::Received;
        report.number = bytes;
        channel.send(report);
    });
    QObject::connect(&session, &ClientSession::sent, &channel, [&channel](qint64 bytes) {
        WorkerProtocol::Message report;
        report.verb = WorkerProtocol::Verb::Sent;
        report.number = bytes;
        channel.send(report);
    });
    QObject::connect(&session, &ClientSession::readingStalled, &channel, [&channel](bool stalled) {
        WorkerProtocol::Message report;
        report.verb = WorkerProtocol::Verb::Stalled;
        report.number = stalled ? 1 : 0;
        channel.send(report);
    });
    QObject::connect(&session, &ClientSession::finished, &channel,
                     [&channel](WorkerProtocol::CloseReason reason, const QString &detail) {
                         WorkerProtocol::Message report;
                         report.verb = WorkerProtocol::Verb::Closed;
                         report.reason = reason;
                         report.data = detail.toUtf8();
                         channel.send(report);
                         channel.flush(1000);
                         QCoreApplication::exit(0);
                     });
    QObject::connect(&channel, &WorkerChannel::messageReceived, &session,
                     [&session](const WorkerProtocol::Message &command) {
                         // A report, or a second serve, from the app: it is broken or not the
                         // app, and nothing it says next can be trusted.
                         if (!WorkerProtocol::isCommand(command.verb)
                             || command.verb == WorkerProtocol::Verb::Serve) {
                             complain("protocol error from the app",
                                      QStringLiteral("a message only a worker may send"));
                             QCoreApplication::exit(4);
                             return;
                         }
                         session.execute(command);
                     });
    // The app is gone or confused: nobody is left to report to, so end the connection as
    // an app shutting down would (the kernel closes it as we exit).
    QObject::connect(&channel, &WorkerChannel::closed, &app, [] { QCoreApplication::exit(0); });
    QObject::connect(&channel, &WorkerChannel::protocolError, &app, [](const QString &why) {
        complain("protocol error from the app", why);
        QCoreApplication::exit(4);
    });

    if (!session.start(&error)) {
        complain("cannot serve the socket", error);
        channel.flush(1000);
        return 3;
    }
    if (!rest.isEmpty())
        channel.inject(rest);
    if (session.isFinished())
        return 0;
    return QCoreApplication::exec();
}

} // namespace SocketScope
