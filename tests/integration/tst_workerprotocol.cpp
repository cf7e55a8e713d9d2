// SPDX-License-Identifier: MIT
// The app <-> worker process protocol: lines, and the SCM_RIGHTS message that carries the
// client's socket. Everything a broken or hostile peer could send must be refused, and a
// refused message must not leak the descriptors it carried.
#include "workerprotocol.h"

#include "clientsession.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace SocketScope;
using namespace SocketScope::WorkerProtocol;

namespace {

bool isOpen(int fd)
{
    return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

// Two descriptors from a pipe, so the test can tell whether the parser closed them.
struct PipeFds
{
    PipeFds() { ok = ::pipe2(fds, O_CLOEXEC) == 0; }
    ~PipeFds()
    {
        for (int fd : fds) {
            if (isOpen(fd))
                ::close(fd);
        }
    }
    int fds[2] = {-1, -1};
    bool ok = false;
};

} // namespace

class TestWorkerProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void rejectsMalformedLines_data();
    void rejectsMalformedLines();
    void framerSplitsAndBounds();
    void singleDescriptorAccepted();
    void rejectsMalformedControl_data();
    void rejectsMalformedControl();
    void descriptorOverSocketPair();
    void extraDescriptorsRefused();
    void channelToANonReaderIsBounded();
    void channelRefusesDescriptorsAfterHandover();
    void verbsBelongToOneSide();
};

void TestWorkerProtocol::roundTrip_data()
{
    QTest::addColumn<QByteArray>("line");
    for (const char *line :
         {"serve echo", "serve daytime", "send aGVsbG8K", "half-close", "close", "abort",
          "periodic 250 dGljayAlbgo=", "stop-periodic", "rx 17", "tx 1073741824", "stalled 1",
          "stalled 0", "closed peer-fin", "closed peer-rst", "closed error Ym9vbQ=="})
        QTest::newRow(line) << QByteArray(line);
}

void TestWorkerProtocol::roundTrip()
{
    QFETCH(QByteArray, line);
    QString error;
    const std::optional<Message> message = decode(line, &error);
    QVERIFY2(message, qPrintable(error));
    QCOMPARE(encode(*message), line + '\n');
}

void TestWorkerProtocol::rejectsMalformedLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("unknown verb") << QByteArray("fork 1");
    QTest::newRow("verb case") << QByteArray("RX 5");
    QTest::newRow("missing argument") << QByteArray("rx");
    QTest::newRow("extra argument") << QByteArray("close now");
    QTest::newRow("three arguments") << QByteArray("periodic 10 aA== aA==");
    QTest::newRow("double space") << QByteArray("rx  5");
    QTest::newRow("trailing space") << QByteArray("rx 5 ");
    QTest::newRow("negative") << QByteArray("rx -5");
    QTest::newRow("zero bytes") << QByteArray("tx 0");
    QTest::newRow("huge count") << QByteArray("rx 99999999999999999999");
    QTest::newRow("over 1 GiB") << QByteArray("rx 1073741825");
    QTest::newRow("hex") << QByteArray("rx 0x10");
    QTest::newRow("bad base64") << QByteArray("send !!!");
    QTest::newRow("empty payload") << QByteArray("send =");
    QTest::newRow("interval too short") << QByteArray("periodic 9 aA==");
    QTest::newRow("unknown behaviour") << QByteArray("serve chargen");
    QTest::newRow("unknown reason") << QByteArray("closed maybe");
    QTest::newRow("stalled not a flag") << QByteArray("stalled 2");
    QTest::newRow("stalled bare") << QByteArray("stalled");
    QTest::newRow("nul byte") << QByteArray("rx 5\0", 5);
    QTest::newRow("too long") << QByteArray("send ") + QByteArray(MaxLineBytes, 'A');
}

void TestWorkerProtocol::rejectsMalformedLines()
{
    QFETCH(QByteArray, line);
    QString error;
    QVERIFY(!decode(line, &error));
    QVERIFY(!error.isEmpty());
}

void TestWorkerProtocol::framerSplitsAndBounds()
{
    LineFramer framer;
    QVERIFY(framer.append("rx 1\nrx"));
    QCOMPARE(framer.takeLine(), QByteArray("rx 1"));
    QCOMPARE(framer.takeLine(), std::nullopt);
    QVERIFY(framer.append(" 2\n\n"));
    QCOMPARE(framer.takeLine(), QByteArray("rx 2"));
    QCOMPARE(framer.takeLine(), QByteArray());
    QCOMPARE(framer.takeLine(), std::nullopt);

    LineFramer flooded;
    const QByteArray chunk(64 * 1024, 'x');
    bool accepted = true;
    for (int i = 0; i < 64 && accepted; ++i)
        accepted = flooded.append(chunk);
    QVERIFY(!accepted);
    QVERIFY(flooded.overflowed());
    QCOMPARE(flooded.takeLine(), std::nullopt);
    QVERIFY(!flooded.append("rx 1\n")); // poisoned for good
}

void TestWorkerProtocol::singleDescriptorAccepted()
{
    PipeFds pipe;
    QVERIFY(pipe.ok);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &pipe.fds[0], sizeof(int));
    QString error;
    QCOMPARE(takeSingleDescriptor(message, &error), pipe.fds[0]);
    QVERIFY(isOpen(pipe.fds[0]));
}

void TestWorkerProtocol::rejectsMalformedControl_data()
{
    QTest::addColumn<QString>("shape");
    for (const char *shape :
         {"none", "two descriptors", "truncated flag", "wrong level", "wrong type",
          "length too short", "length past buffer", "partial int", "rights then credentials"})
        QTest::newRow(shape) << QString::fromLatin1(shape);
}

void TestWorkerProtocol::rejectsMalformedControl()
{
    QFETCH(QString, shape);
    PipeFds pipe;
    QVERIFY(pipe.ok);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 2) + CMSG_SPACE(sizeof(ucred))] = {};
    msghdr message{};
    message.msg_control = control;
    message.msg_controllen = CMSG_SPACE(sizeof(int));
    cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &pipe.fds[0], sizeof(int));
    // Which descriptors the refusal must close (received ones are ours to close).
    QList<int> mustClose{pipe.fds[0]};

    if (shape == QLatin1String("none")) {
        message.msg_control = nullptr;
        message.msg_controllen = 0;
        mustClose.clear();
    } else if (shape == QLatin1String("two descriptors")) {
        message.msg_controllen = CMSG_SPACE(sizeof(int) * 2);
        header->cmsg_len = CMSG_LEN(sizeof(int) * 2);
        std::memcpy(CMSG_DATA(header) + sizeof(int), &pipe.fds[1], sizeof(int));
        mustClose.append(pipe.fds[1]);
    } else if (shape == QLatin1String("truncated flag")) {
        message.msg_flags = MSG_CTRUNC;
    } else if (shape == QLatin1String("wrong level")) {
        header->cmsg_level = IPPROTO_IP;
        mustClose.clear();
    } else if (shape == QLatin1String("wrong type")) {
        header->cmsg_type = SCM_CREDENTIALS;
        mustClose.clear();
    } else if (shape == QLatin1String("length too short")) {
        header->cmsg_len = sizeof(cmsghdr) - 1;
        mustClose.clear();
    } else if (shape == QLatin1String("length past buffer")) {
        header->cmsg_len = CMSG_LEN(sizeof(int) * 64);
        mustClose.clear();
    } else if (shape == QLatin1String("partial int")) {
        header->cmsg_len = CMSG_LEN(sizeof(int)) + 2;
        message.msg_controllen = CMSG_SPACE(sizeof(int) + 2);
    } else if (shape == QLatin1String("rights then credentials")) {
        message.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(ucred));
        cmsghdr *second = CMSG_NXTHDR(&message, header);
        QVERIFY(second);
        second->cmsg_level = SOL_SOCKET;
        second->cmsg_type = SCM_CREDENTIALS;
        second->cmsg_len = CMSG_LEN(sizeof(ucred));
    }
    const QList<int> untouched = [&] {
        QList<int> list;
        for (int fd : pipe.fds) {
            if (!mustClose.contains(fd))
                list.append(fd);
        }
        return list;
    }();

    QString error;
    QCOMPARE(takeSingleDescriptor(message, &error), std::nullopt);
    QVERIFY(!error.isEmpty());
    for (int fd : std::as_const(mustClose))
        QVERIFY2(!isOpen(fd), "a refused descriptor was leaked");
    for (int fd : untouched)
        QVERIFY(isOpen(fd));
}

void TestWorkerProtocol::descriptorOverSocketPair()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    PipeFds pipe;
    QVERIFY(pipe.ok);
    QString error;
    QVERIFY2(sendDescriptor(pair[0], pipe.fds[1], "serve echo\nrx 1\n", &error), qPrintable(error));
    const std::optional<ReceivedDescriptor> received = receiveDescriptor(pair[1], 5000, &error);
    QVERIFY2(received, qPrintable(error));
    QVERIFY(received->descriptor != pipe.fds[1]); // a new descriptor for the same pipe
    QVERIFY(received->payload.startsWith("serve echo\n"));
    // Close-on-exec on arrival, so it cannot leak into a later child.
    QVERIFY(::fcntl(received->descriptor, F_GETFD) & FD_CLOEXEC);
    QCOMPARE(::write(received->descriptor, "!", 1), ssize_t(1));
    char byte = 0;
    QCOMPARE(::read(pipe.fds[0], &byte, 1), ssize_t(1));
    QCOMPARE(byte, '!');
    ::close(received->descriptor);

    // Plain bytes without a descriptor are refused; a closed channel too.
    QCOMPARE(::send(pair[0], "serve echo\n", 11, 0), ssize_t(11));
    QVERIFY(!receiveDescriptor(pair[1], 5000, &error));
    ::close(pair[0]);
    QVERIFY(!receiveDescriptor(pair[1], 5000, &error));
    ::close(pair[1]);
}

void TestWorkerProtocol::extraDescriptorsRefused()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    PipeFds pipe;
    QVERIFY(pipe.ok);
    // A sender attaching two descriptors where one is agreed.
    char byte = 'x';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 2)] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * 2);
    std::memcpy(CMSG_DATA(header), pipe.fds, sizeof pipe.fds);
    QCOMPARE(::sendmsg(pair[0], &message, 0), ssize_t(1));
    ::close(pipe.fds[1]);
    QString error;
    QVERIFY(!receiveDescriptor(pair[1], 5000, &error));
    QVERIFY(error.contains(QLatin1String("2 descriptors")));
    // Both received copies were closed: the pipe's write end has no holder left, so the
    // read end sees end of file instead of blocking.
    char readByte = 0;
    QCOMPARE(::read(pipe.fds[0], &readByte, 1), ssize_t(0));
    ::close(pair[0]);
    ::close(pair[1]);
}

// After the handover only lines may come: a descriptor sent then (by a confused or hostile
// peer) ends the conversation with a protocol error, and the copy that came is closed.
void TestWorkerProtocol::channelRefusesDescriptorsAfterHandover()
{
    int pair[2] = {-1, -1};
    QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    PipeFds pipe;
    QVERIFY(pipe.ok);
    WorkerChannel channel(pair[1]);
    QSignalSpy messages(&channel, &WorkerChannel::messageReceived);
    QSignalSpy errors(&channel, &WorkerChannel::protocolError);
    QString error;
    // A good line with the pipe's write end attached.
    QVERIFY2(sendDescriptor(pair[0], pipe.fds[1], "rx 5\n", &error), qPrintable(error));
    ::close(pipe.fds[1]);
    QVERIFY(errors.wait(5000));
    QVERIFY2(errors.first().first().toString().contains(QLatin1String("descriptor")),
             qPrintable(errors.first().first().toString()));
    QCOMPARE(messages.size(), 0); // what came with a descriptor is not believed
    QVERIFY(!channel.isOpen());
    // The received copy was closed: the write end has no holder left, so read sees EOF.
    char readByte = 0;
    QCOMPARE(::read(pipe.fds[0], &readByte, 1), ssize_t(0));
    ::close(pair[0]);
}

void TestWorkerProtocol::verbsBelongToOneSide()
{
    for (Verb verb : {Verb::Serve, Verb::Send, Verb::HalfClose, Verb::Close, Verb::Abort,
                      Verb::StartPeriodic, Verb::StopPeriodic}) {
        QVERIFY(isCommand(verb));
        QVERIFY(!isReport(verb));
    }
    for (Verb verb : {Verb::Received, Verb::Sent, Verb::Closed, Verb::Stalled}) {
        QVERIFY(isReport(verb));
        QVERIFY(!isCommand(verb));
    }
}

// Every buffer of ours has a bound, the channel's outbox too: when the other side stops
// reading, the channel gives up with a protocol error instead of queuing without end.
void TestWorkerProtocol::channelToANonReaderIsBounded()
{
    int pair[2] = {-1, -1};
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    WorkerChannel channel(pair[0]);
    QSignalSpy broken(&channel, &WorkerChannel::protocolError);
    Message message;
    message.verb = Verb::Send;
    message.data = QByteArray(64 * 1024, 'x');
    // Far more than the kernel's socket buffers and the bound together; never read.
    for (int i = 0; i < 1000 && broken.isEmpty(); ++i)
        channel.send(message);
    QCOMPARE(broken.size(), 1);
    QVERIFY(!channel.isOpen());
    ::close(pair[1]);
}

QTEST_GUILESS_MAIN(TestWorkerProtocol)
#include "tst_workerprotocol.moc"
