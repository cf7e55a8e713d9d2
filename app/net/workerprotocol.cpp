// SPDX-License-Identifier: MIT
#include "workerprotocol.h"

#include <QElapsedTimer>
#include <QList>

#include <array>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace SocketScope::WorkerProtocol {

namespace {

constexpr std::array<std::pair<Verb, const char *>, 11> kVerbs{{
        {Verb::Serve, "serve"},
        {Verb::Send, "send"},
        {Verb::HalfClose, "half-close"},
        {Verb::Close, "close"},
        {Verb::Abort, "abort"},
        {Verb::StartPeriodic, "periodic"},
        {Verb::StopPeriodic, "stop-periodic"},
        {Verb::Received, "rx"},
        {Verb::Sent, "tx"},
        {Verb::Closed, "closed"},
        {Verb::Stalled, "stalled"},
}};

constexpr std::array<std::pair<CloseReason, const char *>, 5> kReasons{{
        {CloseReason::PeerClosed, "peer-fin"},
        {CloseReason::PeerReset, "peer-rst"},
        {CloseReason::ClosedByUs, "local-fin"},
        {CloseReason::AbortedByUs, "local-rst"},
        {CloseReason::Failed, "error"},
}};

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

// Strict decimal: digits only, no sign, no spaces, within [min, max].
std::optional<qint64> number(QByteArrayView text, qint64 min, qint64 max)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max)
        return std::nullopt;
    return value;
}

std::optional<QByteArray> base64(QByteArrayView text)
{
    const auto result = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                       QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return *result;
}

bool isBehaviourName(QByteArrayView name)
{
    return name == "echo" || name == "discard" || name == "daytime";
}

void closeAll(const QList<int> &descriptors)
{
    for (int fd : descriptors)
        ::close(fd);
}

} // namespace

QString closeReasonName(CloseReason reason)
{
    for (const auto &[candidate, name] : kReasons) {
        if (candidate == reason)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("error");
}

bool isCommand(Verb verb)
{
    switch (verb) {
    case Verb::Serve:
    case Verb::Send:
    case Verb::HalfClose:
    case Verb::Close:
    case Verb::Abort:
    case Verb::StartPeriodic:
    case Verb::StopPeriodic:
        return true;
    case Verb::Received:
    case Verb::Sent:
    case Verb::Closed:
    case Verb::Stalled:
        return false;
    }
    return false;
}

bool isReport(Verb verb)
{
    return !isCommand(verb);
}

QByteArray encode(const Message &message)
{
    QByteArray line;
    for (const auto &[verb, name] : kVerbs) {
        if (verb == message.verb)
            line = name;
    }
    switch (message.verb) {
    case Verb::Serve:
        line += ' ' + message.behaviour.toLatin1();
        break;
    case Verb::Send:
        line += ' ' + message.data.toBase64();
        break;
    case Verb::StartPeriodic:
        line += ' ' + QByteArray::number(message.number) + ' ' + message.data.toBase64();
        break;
    case Verb::Received:
    case Verb::Sent:
    case Verb::Stalled:
        line += ' ' + QByteArray::number(message.number);
        break;
    case Verb::Closed:
        line += ' ' + closeReasonName(message.reason).toLatin1();
        if (!message.data.isEmpty())
            line += ' ' + message.data.toBase64();
        break;
    case Verb::HalfClose:
    case Verb::Close:
    case Verb::Abort:
    case Verb::StopPeriodic:
        break;
    }
    return line + '\n';
}

std::optional<Message> decode(QByteArrayView line, QString *error)
{
    if (line.size() > MaxLineBytes) {
        setError(error, QStringLiteral("line longer than %1 bytes").arg(MaxLineBytes));
        return std::nullopt;
    }
    // Exactly one space between fields: "rx  5" or a trailing space is malformed.
    const QList<QByteArray> fields = line.toByteArray().split(' ');
    if (fields.size() > 3) {
        setError(error, QStringLiteral("more than two arguments"));
        return std::nullopt;
    }
    for (const QByteArray &field : fields) {
        if (field.isEmpty()) {
            setError(error, QStringLiteral("empty field"));
            return std::nullopt;
        }
    }
    std::optional<Verb> verb;
    for (const auto &[candidate, name] : kVerbs) {
        if (fields.constFirst() == name)
            verb = candidate;
    }
    if (!verb) {
        setError(error, QStringLiteral("unknown verb"));
        return std::nullopt;
    }
    const qsizetype arguments = fields.size() - 1;
    const auto wrongCount = [&] {
        setError(error, QStringLiteral("wrong number of arguments for %1")
                                .arg(QString::fromLatin1(fields.constFirst())));
        return std::nullopt;
    };
    Message message;
    message.verb = *verb;
    switch (*verb) {
    case Verb::Serve:
        if (arguments != 1)
            return wrongCount();
        if (!isBehaviourName(fields.at(1))) {
            setError(error, QStringLiteral("unknown behaviour"));
            return std::nullopt;
        }
        message.behaviour = QString::fromLatin1(fields.at(1));
        return message;
    case Verb::Send: {
        if (arguments != 1)
            return wrongCount();
        const std::optional<QByteArray> data = base64(fields.at(1));
        if (!data || data->isEmpty()) {
            setError(error, QStringLiteral("bad base64 payload"));
            return std::nullopt;
        }
        message.data = *data;
        return message;
    }
    case Verb::StartPeriodic: {
        if (arguments != 2)
            return wrongCount();
        const std::optional<qint64> ms = number(fields.at(1), 10, 3600000);
        const std::optional<QByteArray> data = base64(fields.at(2));
        if (!ms || !data || data->isEmpty()) {
            setError(error, QStringLiteral("bad periodic interval or payload"));
            return std::nullopt;
        }
        message.number = *ms;
        message.data = *data;
        return message;
    }
    case Verb::Received:
    case Verb::Sent: {
        if (arguments != 1)
            return wrongCount();
        // One report never covers more than one read or write; 1 GiB is generous.
        const std::optional<qint64> bytes = number(fields.at(1), 1, qint64(1) << 30);
        if (!bytes) {
            setError(error, QStringLiteral("bad byte count"));
            return std::nullopt;
        }
        message.number = *bytes;
        return message;
    }
    case Verb::Stalled: {
        if (arguments != 1)
            return wrongCount();
        const std::optional<qint64> flag = number(fields.at(1), 0, 1);
        if (!flag) {
            setError(error, QStringLiteral("stalled takes 0 or 1"));
            return std::nullopt;
        }
        message.number = *flag;
        return message;
    }
    case Verb::Closed: {
        if (arguments < 1 || arguments > 2)
            return wrongCount();
        bool known = false;
        for (const auto &[reason, name] : kReasons) {
            if (fields.at(1) == name) {
                message.reason = reason;
                known = true;
            }
        }
        if (!known) {
            setError(error, QStringLiteral("unknown close reason"));
            return std::nullopt;
        }
        if (arguments == 2) {
            const std::optional<QByteArray> text = base64(fields.at(2));
            if (!text) {
                setError(error, QStringLiteral("bad base64 detail"));
                return std::nullopt;
            }
            message.data = *text;
        }
        return message;
    }
    case Verb::HalfClose:
    case Verb::Close:
    case Verb::Abort:
    case Verb::StopPeriodic:
        if (arguments != 0)
            return wrongCount();
        return message;
    }
    return std::nullopt;
}

bool LineFramer::append(QByteArrayView bytes)
{
    if (m_overflowed)
        return false;
    m_buffer.append(bytes);
    // Without a '\n' in reach the line is already too long: nothing can make it valid.
    const qsizetype newline = m_buffer.indexOf('\n', m_scanned);
    if (newline < 0) {
        m_scanned = m_buffer.size();
        if (m_buffer.size() > MaxLineBytes) {
            m_overflowed = true;
            m_buffer.clear();
            return false;
        }
    }
    return true;
}

std::optional<QByteArray> LineFramer::takeLine()
{
    if (m_overflowed)
        return std::nullopt;
    const qsizetype newline = m_buffer.indexOf('\n');
    if (newline < 0) {
        m_scanned = m_buffer.size();
        if (m_buffer.size() > MaxLineBytes) {
            m_overflowed = true;
            m_buffer.clear();
        }
        return std::nullopt;
    }
    if (newline > MaxLineBytes) {
        m_overflowed = true;
        m_buffer.clear();
        return std::nullopt;
    }
    QByteArray line = m_buffer.left(newline);
    m_buffer.remove(0, newline + 1);
    m_scanned = 0;
    return line;
}

bool sendDescriptor(int channel, int descriptor, QByteArrayView payload, QString *error)
{
    if (payload.isEmpty() || descriptor < 0) {
        setError(error, QStringLiteral("nothing to send"));
        return false;
    }
    iovec data{const_cast<char *>(payload.data()), static_cast<size_t>(payload.size())};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    // A fresh socket pair's buffer holds far more than one short line: one call suffices,
    // and a partial send (which would split the line from its descriptor) is an error.
    ssize_t sent = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
        sent = ::sendmsg(channel, &message, MSG_NOSIGNAL);
        if (sent >= 0 || errno != EINTR)
            break;
    }
    if (sent != payload.size()) {
        setError(error, sent < 0 ? QString::fromLocal8Bit(std::strerror(errno))
                                 : QStringLiteral("short write"));
        return false;
    }
    return true;
}

ControlScan scanControl(QByteArrayView control, bool truncated)
{
    ControlScan scan;
    const auto refuse = [&scan](const QString &why) {
        if (scan.wellFormed)
            scan.error = why; // the first reason is the one worth reading
        scan.wellFormed = false;
    };
    if (truncated)
        refuse(QStringLiteral("ancillary data truncated"));
    const char *begin = control.data();
    const auto length = size_t(control.size());
    // Not CMSG_FIRSTHDR/NXTHDR: they trust cmsg_len, which here is untrusted input. Headers
    // are copied out, so the buffer needs no particular alignment.
    size_t at = 0;
    while (begin && length - at >= sizeof(cmsghdr)) {
        cmsghdr header;
        std::memcpy(&header, begin + at, sizeof header);
        if (header.cmsg_len < CMSG_LEN(0) || header.cmsg_len > length - at) {
            refuse(QStringLiteral("malformed control message length"));
            break;
        }
        if (header.cmsg_level == SOL_SOCKET && header.cmsg_type == SCM_RIGHTS) {
            const size_t bytes = header.cmsg_len - CMSG_LEN(0);
            if (bytes % sizeof(int) != 0)
                refuse(QStringLiteral("partial descriptor in SCM_RIGHTS"));
            const size_t count = bytes / sizeof(int);
            // Bounded: the kernel passes at most SCM_MAX_FD (253) descriptors per message.
            for (size_t i = 0; i < count && i < 253; ++i) {
                int fd = -1;
                std::memcpy(&fd, begin + at + CMSG_LEN(0) + i * sizeof(int), sizeof(int));
                if (fd >= 0)
                    scan.descriptors.append(fd);
            }
        } else {
            refuse(QStringLiteral("unexpected control message (level %1, type %2)")
                           .arg(header.cmsg_level)
                           .arg(header.cmsg_type));
        }
        const size_t step = CMSG_ALIGN(header.cmsg_len);
        if (step == 0 || step >= length - at)
            break;
        at += step;
    }
    return scan;
}

std::optional<int> takeSingleDescriptor(const msghdr &message, QString *error)
{
    const ControlScan scan = scanControl(
            QByteArrayView(static_cast<const char *>(message.msg_control),
                           message.msg_control ? qsizetype(message.msg_controllen) : 0),
            (message.msg_flags & MSG_CTRUNC) != 0);
    const QList<int> &found = scan.descriptors;
    if (!scan.wellFormed)
        setError(error, scan.error);
    else if (found.size() != 1)
        setError(error, found.isEmpty() ? QStringLiteral("no descriptor attached")
                                        : QStringLiteral("%1 descriptors where one was expected")
                                                  .arg(found.size()));
    if (!scan.wellFormed || found.size() != 1) {
        closeAll(found);
        return std::nullopt;
    }
    return found.constFirst();
}

std::optional<ReceivedDescriptor> receiveDescriptor(int channel, int timeoutMs, QString *error)
{
    pollfd waiting{channel, POLLIN, 0};
    QElapsedTimer clock;
    clock.start();
    int ready = 0;
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int left = static_cast<int>(qMax<qint64>(0, timeoutMs - clock.elapsed()));
        ready = ::poll(&waiting, 1, left);
        if (ready >= 0 || errno != EINTR)
            break;
    }
    if (ready <= 0) {
        setError(error, ready == 0 ? QStringLiteral("no descriptor within %1 ms").arg(timeoutMs)
                                   : QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    QByteArray payload(4096, Qt::Uninitialized);
    iovec data{payload.data(), static_cast<size_t>(payload.size())};
    // Room for more than one descriptor, so a sender that attaches several is seen (and
    // refused) instead of having the extras silently cut off.
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t received = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
        received = ::recvmsg(channel, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (received >= 0 || errno != EINTR)
            break;
    }
    if (received <= 0) {
        setError(error, received == 0 ? QStringLiteral("the parent closed the channel")
                                      : QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    const std::optional<int> descriptor = takeSingleDescriptor(message, error);
    if (!descriptor)
        return std::nullopt;
    payload.truncate(received);
    return ReceivedDescriptor{*descriptor, payload};
}

} // namespace SocketScope::WorkerProtocol
