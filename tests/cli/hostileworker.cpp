// SPDX-License-Identifier: MIT
// A worker for the process-per-client model that takes its client like the real one and then
// reports the socket's end with a 1.5 MB "closed" detail: what a broken or hostile worker
// may send within the protocol's line limit. The app must stay responsive all the same.
#include "workerprotocol.h"

#include <cerrno>
#include <unistd.h>

using namespace SocketScope;

int main()
{
    QString error;
    const std::optional<WorkerProtocol::ReceivedDescriptor> client
            = WorkerProtocol::receiveDescriptor(WorkerProtocol::ControlDescriptor, 5000, &error);
    if (!client)
        return 3;
    ::close(client->descriptor);
    WorkerProtocol::Message closed;
    closed.verb = WorkerProtocol::Verb::Closed;
    closed.reason = WorkerProtocol::CloseReason::Failed;
    // One word with no place to break a line, the costliest text to lay out: unbounded, it
    // held the window's thread for 88 s of a 1.5 s run.
    closed.data = QByteArray(1500000, 'x');
    const QByteArray line = WorkerProtocol::encode(closed);
    for (qsizetype done = 0; done < line.size();) {
        const ssize_t written = ::write(WorkerProtocol::ControlDescriptor, line.constData() + done,
                                        static_cast<size_t>(line.size() - done));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return 4;
        done += written;
    }
    return 0;
}
