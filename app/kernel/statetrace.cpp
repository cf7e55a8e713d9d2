// SPDX-License-Identifier: MIT
#include "statetrace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostAddress>

#include <cstring>
#include <limits>

#if SOCKETSCOPE_LINUX_KERNEL_PROBE
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::StateTrace", text);
}

// "TCP_FIN_WAIT1" -> FinWait1, by the kernel's names (include/trace/events/sock.h).
std::optional<SocketState> stateFromTraceName(QByteArrayView name)
{
    static const std::pair<const char *, SocketState> names[] = {
            {"TCP_ESTABLISHED", SocketState::Established},
            {"TCP_SYN_SENT", SocketState::SynSent},
            {"TCP_SYN_RECV", SocketState::SynRecv},
            {"TCP_FIN_WAIT1", SocketState::FinWait1},
            {"TCP_FIN_WAIT2", SocketState::FinWait2},
            {"TCP_TIME_WAIT", SocketState::TimeWait},
            {"TCP_CLOSE", SocketState::Close},
            {"TCP_CLOSE_WAIT", SocketState::CloseWait},
            {"TCP_LAST_ACK", SocketState::LastAck},
            {"TCP_LISTEN", SocketState::Listen},
            {"TCP_CLOSING", SocketState::Closing},
            // A request socket's state; its transitions are the listener's child's.
            {"TCP_NEW_SYN_RECV", SocketState::SynRecv},
    };
    for (const auto &[text, state] : names) {
        if (name == QByteArrayView(text))
            return state;
    }
    return std::nullopt;
}

// The value of "key=value" in a line of space-separated fields; empty when missing.
QByteArrayView fieldValue(QByteArrayView fields, QByteArrayView key)
{
    qsizetype at = 0;
    while (at < fields.size()) {
        qsizetype end = fields.indexOf(' ', at);
        if (end < 0)
            end = fields.size();
        const QByteArrayView field = fields.sliced(at, end - at);
        if (field.size() > key.size() && field.startsWith(key) && field.at(key.size()) == '=')
            return field.sliced(key.size() + 1);
        at = end + 1;
    }
    return {};
}

std::optional<quint16> portFrom(QByteArrayView text)
{
    bool ok = false;
    const uint port = text.toByteArray().toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    return quint16(port);
}

// "22415.345048" (seconds.microseconds) -> ns, or nullopt.
std::optional<qint64> timestampNs(QByteArrayView text)
{
    const qsizetype dot = text.indexOf('.');
    if (dot <= 0 || text.size() - dot - 1 != 6)
        return std::nullopt;
    bool secondsOk = false;
    bool microsOk = false;
    const qint64 seconds = text.first(dot).toByteArray().toLongLong(&secondsOk);
    const qint64 micros = text.sliced(dot + 1).toByteArray().toLongLong(&microsOk);
    // A mono clock this far (292 years of uptime) is no clock: the line is not what we read.
    constexpr qint64 maxSeconds = std::numeric_limits<qint64>::max() / 1'000'000'000 - 1;
    if (!secondsOk || !microsOk || seconds < 0 || micros < 0 || seconds > maxSeconds)
        return std::nullopt;
    return seconds * 1'000'000'000 + micros * 1'000;
}

} // namespace

namespace StateTraceFormat {

std::optional<TraceTransition> parseLine(QByteArrayView line)
{
    static constexpr QByteArrayView marker = " inet_sock_set_state: ";
    const qsizetype at = line.indexOf(marker);
    if (at <= 0 || line.at(at - 1) != ':')
        return std::nullopt;
    // The timestamp is the word just before the event's name, ending in ':'.
    const QByteArrayView head = line.first(at - 1);
    const QByteArrayView stamp = head.sliced(head.lastIndexOf(' ') + 1);
    const QByteArrayView fields = line.sliced(at + marker.size()).trimmed();
    const std::optional<qint64> ns = timestampNs(stamp);
    if (!ns || fieldValue(fields, "protocol") != QByteArrayView("IPPROTO_TCP"))
        return std::nullopt;
    const QByteArrayView family = fieldValue(fields, "family");
    const bool v4 = family == QByteArrayView("AF_INET");
    if (!v4 && family != QByteArrayView("AF_INET6"))
        return std::nullopt;
    const QHostAddress local(QString::fromLatin1(fieldValue(fields, v4 ? "saddr" : "saddrv6")));
    const QHostAddress remote(QString::fromLatin1(fieldValue(fields, v4 ? "daddr" : "daddrv6")));
    const std::optional<quint16> sport = portFrom(fieldValue(fields, "sport"));
    const std::optional<quint16> dport = portFrom(fieldValue(fields, "dport"));
    const std::optional<SocketState> from = stateFromTraceName(fieldValue(fields, "oldstate"));
    const std::optional<SocketState> to = stateFromTraceName(fieldValue(fields, "newstate"));
    if (local.isNull() || remote.isNull() || !sport || !dport || !from || !to)
        return std::nullopt;
    TraceTransition transition;
    transition.monotonicNs = *ns;
    transition.local = {local, *sport};
    transition.remote = {remote, *dport};
    transition.from = *from;
    transition.to = *to;
    return transition;
}

} // namespace StateTraceFormat

#if SOCKETSCOPE_LINUX_KERNEL_PROBE

namespace {

constexpr char kInstancePrefix[] = "socketscope-";

QString tracefsRoot()
{
    for (const QString &root :
         {QStringLiteral("/sys/kernel/tracing"), QStringLiteral("/sys/kernel/debug/tracing")}) {
        if (QFile::exists(root + QStringLiteral("/events/sock/inet_sock_set_state")))
            return root;
    }
    return {};
}

bool writeSetting(const QString &path, QByteArrayView value)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(value.data(), value.size()) == value.size();
}

void removeInstance(const QString &path)
{
    writeSetting(path + QStringLiteral("/events/sock/inet_sock_set_state/enable"), "0");
    QDir().rmdir(path);
}

// Instances whose program is gone (a crash, a kill -9) are ours to clear away.
void removeStaleInstances(const QString &root)
{
    const QDir instances(root + QStringLiteral("/instances"));
    const QStringList names = instances.entryList(
            {QLatin1String(kInstancePrefix) + QLatin1Char('*')}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        bool ok = false;
        const qint64 pid = name.mid(int(std::strlen(kInstancePrefix))).toLongLong(&ok);
        if (ok && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            removeInstance(instances.filePath(name));
    }
}

} // namespace

std::unique_ptr<StateTrace> StateTrace::open(QString *why)
{
    const QString root = tracefsRoot();
    if (root.isEmpty()) {
        *why = tr("Exact transitions need the kernel's tracefs (mounted at /sys/kernel/tracing) "
                  "with its sock:inet_sock_set_state tracepoint; here it is missing or cannot "
                  "be read, so the path shown is what polling saw.");
        return nullptr;
    }
    removeStaleInstances(root);
    const QString instance = root + QStringLiteral("/instances/") + QLatin1String(kInstancePrefix)
                             + QString::number(QCoreApplication::applicationPid());
    if (!QDir(instance).exists() && !QDir().mkdir(instance)) {
        *why = tr("Exact transitions need root (or write access to tracefs) to follow the "
                  "kernel's sock:inet_sock_set_state tracepoint, so the path shown is what "
                  "polling saw.");
        return nullptr;
    }
    const QString event = instance + QStringLiteral("/events/sock/inet_sock_set_state");
    // The mono clock is CLOCK_MONOTONIC, every event's own; buffer_percent 0 wakes the reader
    // at the first transition instead of when the buffer is half full.
    const bool configured = writeSetting(instance + QStringLiteral("/trace_clock"), "mono")
                            && writeSetting(instance + QStringLiteral("/buffer_size_kb"), "1024")
                            && writeSetting(instance + QStringLiteral("/buffer_percent"), "0")
                            && writeSetting(event + QStringLiteral("/filter"), "protocol == 6")
                            && writeSetting(event + QStringLiteral("/enable"), "1");
    const int pipe
            = configured ? ::open(
                      QFile::encodeName(instance + QStringLiteral("/trace_pipe")).constData(),
                      O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                         : -1;
    if (pipe < 0) {
        removeInstance(instance);
        *why = tr("The kernel's tracepoint could not be set up in %1, so the path shown is what "
                  "polling saw.")
                       .arg(instance);
        return nullptr;
    }
    std::unique_ptr<StateTrace> trace(new StateTrace);
    trace->m_instance = instance;
    trace->m_pipe = pipe;
    return trace;
}

StateTrace::~StateTrace()
{
    if (m_pipe >= 0)
        ::close(m_pipe);
    if (!m_instance.isEmpty())
        removeInstance(m_instance);
}

QList<TraceTransition> StateTrace::read()
{
    QList<TraceTransition> out;
    if (m_pipe < 0)
        return out;
    char buffer[65536];
    // Bounded: a flood waits for the next read rather than holding the window's thread.
    for (int chunk = 0; chunk < 64; ++chunk) {
        const ssize_t received = ::read(m_pipe, buffer, sizeof(buffer));
        if (received <= 0)
            break; // EAGAIN: all read
        m_partialLine.append(buffer, received);
        qsizetype start = 0;
        for (qsizetype end = m_partialLine.indexOf('\n'); end >= 0;
             end = m_partialLine.indexOf('\n', start)) {
            if (auto transition = StateTraceFormat::parseLine(
                        QByteArrayView(m_partialLine).sliced(start, end - start)))
                out.append(*transition);
            start = end + 1;
        }
        m_partialLine.remove(0, start);
        if (m_partialLine.size() > 4096)
            m_partialLine.clear(); // no line is this long: not the format we read
    }
    return out;
}

#else

std::unique_ptr<StateTrace> StateTrace::open(QString *why)
{
    *why = tr("This build does not read the kernel, so the path shown is what Qt saw.");
    return nullptr;
}

StateTrace::~StateTrace() = default;

QList<TraceTransition> StateTrace::read()
{
    return {};
}

#endif

} // namespace SocketScope
