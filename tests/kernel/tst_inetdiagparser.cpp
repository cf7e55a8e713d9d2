// SPDX-License-Identifier: MIT
// The sock_diag halves that need no kernel: the port-filter bytecode (run through a copy of
// the kernel's audit and interpreter) and the reply parser, fed good, truncated and
// malformed messages. Buffers are copied to exact-size heap blocks so ASan sees any overread.

#include "netlinksocketsource.h"

#include <QRandomGenerator>
#include <QTest>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

using namespace SocketScope;

namespace {

// inet_diag_bc_audit(): every op on the "yes" chain, jumps 4-aligned and in range, "no"
// targets on the chain, ending exactly at the end.
bool kernelAudit(const QByteArray &code)
{
    const auto *base = reinterpret_cast<const unsigned char *>(code.constData());
    const int total = int(code.size());
    auto validCc = [&](int cc) {
        int len = total;
        const unsigned char *bc = base;
        while (len >= 0) {
            inet_diag_bc_op op;
            if (len < int(sizeof(op)))
                return cc == len;
            std::memcpy(&op, bc, sizeof(op));
            if (cc > len)
                return false;
            if (cc == len)
                return true;
            if (op.yes < 4 || (op.yes & 3))
                return false;
            len -= op.yes;
            bc += op.yes;
        }
        return false;
    };
    int len = total;
    const unsigned char *bc = base;
    while (len > 0) {
        inet_diag_bc_op op;
        if (len < int(sizeof(op)))
            return false;
        std::memcpy(&op, bc, sizeof(op));
        int minLen = sizeof(op);
        switch (op.code) {
        case INET_DIAG_BC_S_EQ:
        case INET_DIAG_BC_D_EQ:
            if (len < 2 * int(sizeof(op)))
                return false;
            minLen += sizeof(op);
            break;
        case INET_DIAG_BC_JMP:
            break;
        default:
            return false;
        }
        if (op.no < minLen || op.no > len + 4 || (op.no & 3))
            return false;
        if (op.no < len && !validCc(total - (len - op.no)))
            return false;
        if (op.yes < minLen || op.yes > len + 4 || (op.yes & 3))
            return false;
        bc += op.yes;
        len -= op.yes;
    }
    return len == 0;
}

// inet_diag_bc_run() for port tests only.
bool kernelRun(const QByteArray &code, quint16 sport, quint16 dport)
{
    const auto *bc = reinterpret_cast<const unsigned char *>(code.constData());
    int len = int(code.size());
    for (int steps = 0; len > 0 && steps < 10000; ++steps) {
        inet_diag_bc_op op;
        std::memcpy(&op, bc, sizeof(op));
        bool yes = true;
        inet_diag_bc_op arg{};
        switch (op.code) {
        case INET_DIAG_BC_JMP:
            yes = false;
            break;
        case INET_DIAG_BC_S_EQ:
            std::memcpy(&arg, bc + sizeof(op), sizeof(arg));
            yes = sport == arg.no;
            break;
        case INET_DIAG_BC_D_EQ:
            std::memcpy(&arg, bc + sizeof(op), sizeof(arg));
            yes = dport == arg.no;
            break;
        default:
            return false;
        }
        const int step = yes ? op.yes : op.no;
        len -= step;
        bc += step;
    }
    return len == 0;
}

// Builds netlink datagrams the way the kernel does.
class Reply
{
public:
    void socket(quint8 family, quint8 state, quint16 sport, quint16 dport, const QByteArray &src,
                const QByteArray &dst, quint32 inode, const QByteArray &attributes = {})
    {
        inet_diag_msg msg{};
        msg.idiag_family = family;
        msg.idiag_state = state;
        msg.idiag_timer = state == 6 ? 3 : 0;
        msg.idiag_expires = state == 6 ? 59000 : 0;
        msg.id.idiag_sport = htons(sport);
        msg.id.idiag_dport = htons(dport);
        std::memcpy(msg.id.idiag_src, src.constData(), size_t(qMin<qsizetype>(src.size(), 16)));
        std::memcpy(msg.id.idiag_dst, dst.constData(), size_t(qMin<qsizetype>(dst.size(), 16)));
        msg.idiag_rqueue = 3;
        msg.idiag_wqueue = 7;
        msg.idiag_uid = 1000;
        msg.idiag_inode = inode;
        QByteArray payload(reinterpret_cast<const char *>(&msg), sizeof(msg));
        payload.append(attributes);
        message(SOCK_DIAG_BY_FAMILY, payload);
    }
    void done(int status = 0)
    {
        message(NLMSG_DONE, QByteArray(reinterpret_cast<const char *>(&status), sizeof(status)));
    }
    void error(int status)
    {
        nlmsgerr err{};
        err.error = status;
        message(NLMSG_ERROR, QByteArray(reinterpret_cast<const char *>(&err), sizeof(err)));
    }
    void message(quint16 type, const QByteArray &payload, quint16 flags = NLM_F_MULTI)
    {
        nlmsghdr header{};
        header.nlmsg_len = quint32(NLMSG_HDRLEN + payload.size());
        header.nlmsg_type = type;
        header.nlmsg_flags = flags;
        header.nlmsg_seq = 1;
        m_bytes.append(reinterpret_cast<const char *>(&header), sizeof(header));
        m_bytes.append(payload);
        m_bytes.append(QByteArray(NLMSG_ALIGN(payload.size()) - payload.size(), '\0'));
    }
    QByteArray bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

QByteArray v4(quint8 a, quint8 b, quint8 c, quint8 d)
{
    QByteArray bytes(16, '\0');
    bytes[0] = char(a);
    bytes[1] = char(b);
    bytes[2] = char(c);
    bytes[3] = char(d);
    return bytes;
}

QByteArray attribute(quint16 type, const QByteArray &data)
{
    nlattr attr{};
    attr.nla_len = quint16(NLA_HDRLEN + data.size());
    attr.nla_type = type;
    QByteArray out(reinterpret_cast<const char *>(&attr), sizeof(attr));
    out.append(data);
    out.append(QByteArray(NLA_ALIGN(data.size()) - data.size(), '\0'));
    return out;
}

struct Parsed
{
    InetDiag::ParseStatus status;
    KernelSnapshot sockets;
    QString error;
};

// Exact-size heap copy: a read one byte past the end is an ASan report, not luck.
Parsed parse(const QByteArray &bytes, Protocol protocol = Protocol::Tcp)
{
    const auto size = size_t(bytes.size());
    std::unique_ptr<char[]> exact(new char[size ? size : 1]);
    std::memcpy(exact.get(), bytes.constData(), size);
    Parsed parsed;
    parsed.status = InetDiag::parseDumpReply(QByteArrayView(exact.get(), qsizetype(size)), protocol,
                                             &parsed.sockets, &parsed.error);
    return parsed;
}

QByteArray goodReply()
{
    Reply reply;
    reply.socket(AF_INET, 10, 8080, 0, v4(127, 0, 0, 1), v4(0, 0, 0, 0), 111);
    tcp_info info{};
    info.tcpi_rtt = 1234;
    info.tcpi_total_retrans = 2;
    QByteArray loopback6(16, '\0');
    loopback6[15] = 1;
    reply.socket(AF_INET6, 1, 40000, 8080, loopback6, loopback6, 222,
                 attribute(INET_DIAG_INFO,
                           QByteArray(reinterpret_cast<const char *>(&info), sizeof(info))));
    reply.socket(AF_INET, 6, 40001, 8080, v4(127, 0, 0, 1), v4(127, 0, 0, 1), 0);
    reply.done();
    return reply.bytes();
}

} // namespace

class TestInetDiagParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bytecodeLayout()
    {
        QVERIFY(InetDiag::portFilterBytecode({}).isEmpty());
        // n ports: 2n tests of 8 bytes, 2n-1 jumps of 4 bytes.
        for (int n : {1, 2, 5, 40}) {
            QList<quint16> ports;
            for (int i = 0; i < n; ++i)
                ports.append(quint16(1000 + i));
            const QByteArray code = InetDiag::portFilterBytecode(ports);
            QCOMPARE(code.size(), qsizetype(2 * n * 8 + (2 * n - 1) * 4));
            QVERIFY2(kernelAudit(code), qPrintable(QStringLiteral("%1 ports").arg(n)));
        }
    }

    void bytecodeMatches_data()
    {
        QTest::addColumn<QList<quint16>>("ports");
        QTest::addColumn<quint16>("sport");
        QTest::addColumn<quint16>("dport");
        QTest::addColumn<bool>("accepted");
        const QList<quint16> one{8080};
        const QList<quint16> three{7, 8080, 65535};
        QTest::newRow("one: local") << one << quint16(8080) << quint16(5) << true;
        QTest::newRow("one: remote") << one << quint16(40000) << quint16(8080) << true;
        QTest::newRow("one: neither") << one << quint16(8081) << quint16(8079) << false;
        QTest::newRow("one: zero") << one << quint16(0) << quint16(0) << false;
        QTest::newRow("three: first") << three << quint16(7) << quint16(1) << true;
        QTest::newRow("three: last remote") << three << quint16(1) << quint16(65535) << true;
        QTest::newRow("three: middle") << three << quint16(8080) << quint16(8080) << true;
        QTest::newRow("three: none") << three << quint16(8) << quint16(65534) << false;
    }

    void bytecodeMatches()
    {
        QFETCH(QList<quint16>, ports);
        QFETCH(quint16, sport);
        QFETCH(quint16, dport);
        QFETCH(bool, accepted);
        QCOMPARE(kernelRun(InetDiag::portFilterBytecode(ports), sport, dport), accepted);
    }

    void parsesGoodReply()
    {
        const Parsed parsed = parse(goodReply());
        QVERIFY2(parsed.status == InetDiag::ParseStatus::Done, qPrintable(parsed.error));
        QCOMPARE(parsed.sockets.size(), 3);

        const KernelSocket &listener = parsed.sockets.at(0);
        QCOMPARE(listener.facts.state, SocketState::Listen);
        QCOMPARE(listener.local, (Endpoint{QHostAddress(QStringLiteral("127.0.0.1")), 8080}));
        QVERIFY(!listener.remote);
        QCOMPARE(listener.facts.recvQ, 3u);
        QCOMPARE(listener.facts.sendQ, 7u);
        QCOMPARE(listener.facts.inode, 111u);
        QCOMPARE(listener.uid, 1000u);
        QCOMPARE(listener.facts.timerMs, -1);
        QVERIFY(!listener.tcpInfo);

        const KernelSocket &v6 = parsed.sockets.at(1);
        QCOMPARE(v6.facts.state, SocketState::Established);
        QCOMPARE(v6.local, (Endpoint{QHostAddress(QStringLiteral("::1")), 40000}));
        QVERIFY(v6.remote);
        QCOMPARE(v6.remote->port, 8080);
        QVERIFY(v6.tcpInfo);
        QCOMPARE(v6.tcpInfo->rttUs, 1234u);
        QCOMPARE(v6.tcpInfo->totalRetrans, 2u);

        const KernelSocket &timeWait = parsed.sockets.at(2);
        QCOMPARE(timeWait.facts.state, SocketState::TimeWait);
        QCOMPARE(timeWait.facts.timerMs, 59000);
    }

    void udpStates()
    {
        Reply reply;
        reply.socket(AF_INET, 7, 5353, 0, v4(127, 0, 0, 1), v4(0, 0, 0, 0), 1);
        reply.socket(AF_INET, 1, 5354, 53, v4(127, 0, 0, 1), v4(127, 0, 0, 1), 2);
        const Parsed parsed = parse(reply.bytes(), Protocol::Udp);
        QVERIFY2(parsed.status == InetDiag::ParseStatus::More, qPrintable(parsed.error));
        QCOMPARE(parsed.sockets.size(), 2);
        QCOMPARE(parsed.sockets.at(0).facts.state, SocketState::Unconnected);
        QVERIFY(!parsed.sockets.at(0).remote);
        QCOMPARE(parsed.sockets.at(1).facts.state, SocketState::Established);
        QCOMPARE(parsed.sockets.at(1).protocol, Protocol::Udp);
    }

    void rejectsEveryTruncation()
    {
        // Every prefix that cuts a message short must be an error, never a crash; a prefix
        // that ends on a message boundary is a valid "more to come".
        const QByteArray good = goodReply();
        int errors = 0;
        for (qsizetype cut = 0; cut < good.size(); ++cut) {
            const Parsed parsed = parse(good.first(cut));
            QVERIFY(parsed.status != InetDiag::ParseStatus::Done);
            if (parsed.status == InetDiag::ParseStatus::Error) {
                QVERIFY(!parsed.error.isEmpty());
                ++errors;
            }
        }
        QCOMPARE(errors, good.size() - 3); // only the 3 message boundaries parse
    }

    void rejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("errorContains");

        const QByteArray good = goodReply();
        auto patched = [&](qsizetype offset, const void *value, size_t size) {
            QByteArray bytes = good;
            std::memcpy(bytes.data() + offset, value, size);
            return bytes;
        };
        const quint32 tiny = 4;
        QTest::newRow("nlmsg_len below header") << patched(0, &tiny, 4) << QStringLiteral("length");
        const quint32 huge = 0xFFFFFFF0u;
        QTest::newRow("nlmsg_len beyond buffer")
                << patched(0, &huge, 4) << QStringLiteral("length");
        const quint32 shortPayload = NLMSG_HDRLEN + 10;
        QTest::newRow("inet_diag_msg too short")
                << patched(0, &shortPayload, 4) << QStringLiteral("truncated");
        const quint8 family = AF_UNIX;
        QTest::newRow("wrong family")
                << patched(NLMSG_HDRLEN, &family, 1) << QStringLiteral("family");
        const quint16 type = 0x7777;
        QTest::newRow("unknown type") << patched(4, &type, 2) << QStringLiteral("type");

        // The second message carries an INET_DIAG_INFO attribute right after the header.
        const qsizetype second = NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(inet_diag_msg));
        const qsizetype attrAt = second + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg));
        const quint16 zeroAttr = 0;
        QTest::newRow("attribute length 0")
                << patched(attrAt, &zeroAttr, 2) << QStringLiteral("attribute");
        const quint16 longAttr = 0xFFF0;
        QTest::newRow("attribute overruns")
                << patched(attrAt, &longAttr, 2) << QStringLiteral("attribute");

        Reply refused;
        refused.error(-EPERM);
        QTest::newRow("kernel error") << refused.bytes() << QStringLiteral("refused");
        Reply failedDone;
        failedDone.done(-ENOBUFS);
        QTest::newRow("done with error") << failedDone.bytes() << QStringLiteral("error");
        Reply interrupted;
        interrupted.message(NLMSG_DONE, QByteArray(4, '\0'), NLM_F_MULTI | NLM_F_DUMP_INTR);
        QTest::newRow("dump interrupted") << interrupted.bytes() << QStringLiteral("");
        Reply errorTooShort;
        errorTooShort.message(NLMSG_ERROR, QByteArray(2, '\0'));
        QTest::newRow("NLMSG_ERROR truncated")
                << errorTooShort.bytes() << QStringLiteral("truncated");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("garbage") << QByteArray(7, '\xff') << QStringLiteral("truncated");
    }

    void rejectsMalformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, errorContains);
        const Parsed parsed = parse(bytes);
        // DONE with DUMP_INTR: the parser stops at DONE first; the flag matters on data.
        if (QByteArray(QTest::currentDataTag()) == "dump interrupted") {
            QVERIFY(parsed.status != InetDiag::ParseStatus::More);
            return;
        }
        QVERIFY(parsed.status == InetDiag::ParseStatus::Error);
        QVERIFY2(parsed.error.contains(errorContains), qPrintable(parsed.error));
    }

    void reportsKernelErrno()
    {
        // An exact lookup of a socket that is gone answers ENOENT: not a failure of the read.
        Reply reply;
        reply.error(-ENOENT);
        const QByteArray bytes = reply.bytes();
        KernelSnapshot sockets;
        QString error;
        int kernelErrno = -1;
        QCOMPARE(InetDiag::parseDumpReply(bytes, Protocol::Tcp, &sockets, &error, &kernelErrno),
                 InetDiag::ParseStatus::Error);
        QCOMPARE(kernelErrno, ENOENT);
        const QByteArray good = goodReply();
        QCOMPARE(InetDiag::parseDumpReply(good, Protocol::Tcp, &sockets, &error, &kernelErrno),
                 InetDiag::ParseStatus::Done);
        QCOMPARE(kernelErrno, 0);
    }

    void rejectsErrorCodesThatAreNoErrno_data()
    {
        // Found by tests/fuzz/fuzz_netlink: a positive code came back as a negative errno
        // (and "Unknown error" text), INT_MIN was negated (undefined behaviour).
        QTest::addColumn<bool>("done");
        QTest::addColumn<int>("status");
        QTest::newRow("error positive") << false << 0x6e6e6e6e;
        QTest::newRow("error INT_MIN") << false << std::numeric_limits<int>::min();
        QTest::newRow("error past MAX_ERRNO") << false << -4096;
        QTest::newRow("done INT_MIN") << true << std::numeric_limits<int>::min();
    }

    void rejectsErrorCodesThatAreNoErrno()
    {
        QFETCH(bool, done);
        QFETCH(int, status);
        Reply reply;
        if (done)
            reply.done(status);
        else
            reply.error(status);
        KernelSnapshot sockets;
        QString error;
        int kernelErrno = -1;
        QCOMPARE(InetDiag::parseDumpReply(reply.bytes(), Protocol::Tcp, &sockets, &error,
                                          &kernelErrno),
                 InetDiag::ParseStatus::Error);
        QCOMPARE(kernelErrno, 0);
        QVERIFY2(error.contains(QStringLiteral("no error code")), qPrintable(error));
    }

    void repliesMustAnswerTheRequest_data()
    {
        // Reply numbers every message sequence 1, port 0.
        QTest::addColumn<quint32>("seq");
        QTest::addColumn<quint32>("portId");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("the request") << 1U << 0U << true;
        QTest::newRow("an earlier request") << 2U << 0U << false;
        QTest::newRow("another socket") << 1U << 4242U << false;
    }

    void repliesMustAnswerTheRequest()
    {
        QFETCH(quint32, seq);
        QFETCH(quint32, portId);
        QFETCH(bool, accepted);
        KernelSnapshot sockets;
        QString error;
        const QByteArray good = goodReply();
        const auto status = InetDiag::parseDumpReply(good, Protocol::Tcp, &sockets, &error, nullptr,
                                                     InetDiag::Request{seq, portId});
        QCOMPARE(status, accepted ? InetDiag::ParseStatus::Done : InetDiag::ParseStatus::Error);
        QCOMPARE(sockets.size(), accepted ? 3 : 0);
        if (!accepted)
            QVERIFY2(error.contains(QStringLiteral("another request")), qPrintable(error));
        // A stale "no such socket" must not pass for the answer to this lookup.
        Reply enoent;
        enoent.error(-ENOENT);
        int kernelErrno = -1;
        QCOMPARE(InetDiag::parseDumpReply(enoent.bytes(), Protocol::Tcp, &sockets, &error,
                                          &kernelErrno, InetDiag::Request{seq, portId}),
                 InetDiag::ParseStatus::Error);
        QCOMPARE(kernelErrno, accepted ? ENOENT : 0);
    }

    void onlyTheKernelIsBelieved_data()
    {
        QTest::addColumn<quint32>("senderPort");
        QTest::addColumn<int>("flags");
        QTest::addColumn<bool>("fromKernel");
        QTest::newRow("the kernel") << 0U << 0 << true;
        QTest::newRow("another process") << 4242U << 0 << false;
        QTest::newRow("the kernel, cut short") << 0U << int(MSG_TRUNC) << false;
    }

    void onlyTheKernelIsBelieved()
    {
        QFETCH(quint32, senderPort);
        QFETCH(int, flags);
        QFETCH(bool, fromKernel);
        sockaddr_nl sender{};
        sender.nl_family = AF_NETLINK;
        sender.nl_pid = senderPort;
        msghdr message{};
        message.msg_name = &sender;
        message.msg_namelen = sizeof(sender);
        message.msg_flags = flags;
        QCOMPARE(InetDiag::isFromKernel(message), fromKernel);
        message.msg_namelen = 0; // no sender: not known to be the kernel
        QVERIFY(!InetDiag::isFromKernel(message));
    }

    void rejectsInterruptedData()
    {
        Reply reply;
        inet_diag_msg msg{};
        msg.idiag_family = AF_INET;
        msg.idiag_state = 1;
        reply.message(SOCK_DIAG_BY_FAMILY,
                      QByteArray(reinterpret_cast<const char *>(&msg), sizeof(msg)),
                      NLM_F_MULTI | NLM_F_DUMP_INTR);
        const Parsed parsed = parse(reply.bytes());
        QVERIFY(parsed.status == InetDiag::ParseStatus::Error);
        QVERIFY(parsed.error.contains(QStringLiteral("interrupted")));
    }

    void survivesRandomMutation()
    {
        // Bounded fuzzing: flip bytes of a good reply; any outcome but a crash or an
        // out-of-bounds read (ASan) is fine, and the parser must say why it failed.
        const QByteArray good = goodReply();
        QRandomGenerator random(20240601);
        int errors = 0;
        for (int round = 0; round < 5000; ++round) {
            QByteArray bytes = good;
            const int flips = 1 + int(random.bounded(4));
            for (int i = 0; i < flips; ++i)
                bytes[random.bounded(int(bytes.size()))] = char(random.bounded(256));
            if (random.bounded(3) == 0)
                bytes.truncate(random.bounded(int(bytes.size())));
            const Parsed parsed = parse(bytes);
            if (parsed.status == InetDiag::ParseStatus::Error) {
                QVERIFY(!parsed.error.isEmpty());
                ++errors;
            }
            QVERIFY(parsed.sockets.size()
                    <= bytes.size() / qsizetype(NLMSG_HDRLEN + sizeof(inet_diag_msg)));
        }
        QVERIFY(errors > 0);
    }
};

QTEST_GUILESS_MAIN(TestInetDiagParser)
#include "tst_inetdiagparser.moc"
