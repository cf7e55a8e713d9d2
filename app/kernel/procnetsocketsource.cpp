// SPDX-License-Identifier: MIT
#include "procnetsocketsource.h"

#include <QFile>
#include <QSet>
#include <QtEndian>

#include <cstring>
#include <limits>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace SocketScope {

namespace {

// Splits on runs of blanks without allocating: the fields are views into the line.
QList<QByteArrayView> fields(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const qsizetype start = i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            out.append(line.sliced(start, i - start));
    }
    return out;
}

std::optional<quint64> hexNumber(QByteArrayView text, int maxDigits)
{
    if (text.isEmpty() || text.size() > maxDigits)
        return std::nullopt;
    bool ok = false;
    const quint64 value = text.toULongLong(&ok, 16);
    return ok ? std::optional<quint64>(value) : std::nullopt;
}

std::optional<quint64> decimalNumber(QByteArrayView text)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok, 10);
    return ok ? std::optional<quint64>(value) : std::nullopt;
}

// "0100007F:1F90" -> 127.0.0.1:8080 (IPv4) or 32 hex digits for IPv6.
std::optional<Endpoint> endpoint(QByteArrayView text, ProcNet::Family family)
{
    const qsizetype colon = text.indexOf(':');
    const int addressDigits = family == ProcNet::Family::IPv4 ? 8 : 32;
    if (colon != addressDigits)
        return std::nullopt;
    const auto port = hexNumber(text.sliced(colon + 1), 4);
    if (!port)
        return std::nullopt;
    // Each 8-digit group is one 32-bit word as the kernel holds it (network-order bytes)
    // printed as a native integer, so copying the integer back out in native order restores
    // the bytes whatever the host's endianness.
    quint8 bytes[16] = {};
    for (qsizetype word = 0; word < addressDigits / 8; ++word) {
        const auto value = hexNumber(text.sliced(word * 8, 8), 8);
        if (!value)
            return std::nullopt;
        const auto native = quint32(*value);
        std::memcpy(bytes + word * 4, &native, 4);
    }
    QHostAddress address;
    if (family == ProcNet::Family::IPv4) {
        quint32 v4;
        std::memcpy(&v4, bytes, 4);
        address = QHostAddress(qFromBigEndian(v4));
    } else {
        address = QHostAddress(bytes);
    }
    return Endpoint{address, quint16(*port)};
}

// "00000000:00000000" -> two hex numbers.
std::optional<std::pair<quint64, quint64>> hexPair(QByteArrayView text)
{
    const qsizetype colon = text.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    const auto first = hexNumber(text.first(colon), 16);
    const auto second = hexNumber(text.sliced(colon + 1), 16);
    if (!first || !second)
        return std::nullopt;
    return std::pair{*first, *second};
}

} // namespace

namespace ProcNet {

KernelSnapshot parse(QByteArrayView text, Protocol protocol, Family family,
                     const KernelFilter &filter, long ticksPerSecond, int *badLines)
{
    KernelSnapshot out;
    QSet<QByteArray> seen;
    int bad = 0;
    if (ticksPerSecond <= 0)
        ticksPerSecond = 100;
    qsizetype lineStart = 0;
    bool header = true;
    while (lineStart < text.size()) {
        qsizetype lineEnd = text.indexOf('\n', lineStart);
        if (lineEnd < 0)
            lineEnd = text.size();
        const QByteArrayView line = text.sliced(lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        if (header) { // "  sl  local_address rem_address   st tx_queue ..."
            header = false;
            continue;
        }
        const QList<QByteArrayView> f = fields(line);
        if (f.isEmpty())
            continue;
        // sl local remote st tx:rx tr:when retrnsmt uid timeout inode ...
        if (f.size() < 10) {
            ++bad;
            continue;
        }
        const auto local = endpoint(f[1], family);
        const auto remote = endpoint(f[2], family);
        const auto state = hexNumber(f[3], 2);
        const auto queues = hexPair(f[4]);
        const auto timer = hexPair(f[5]);
        const auto uid = decimalNumber(f[7]);
        const auto inode = decimalNumber(f[9]);
        // The kernel prints a timer's ticks left, never negative; one too long to hold in ms
        // (millions of years) is not a timer.
        constexpr auto maxTicks = quint64(std::numeric_limits<qint64>::max() / 1000);
        if (!local || !remote || !state || !queues || !timer || !uid || !inode
            || timer->second > maxTicks) {
            ++bad;
            continue;
        }
        if (!filter.matches(protocol, local->port, remote->port))
            continue;
        // The kernel writes these files a chunk per read() and resumes at a position in its
        // hash table; a socket that comes or goes meanwhile can shift the rest, so a line may
        // come twice (seen with sockets churning in other processes). Tuple and inode say
        // which socket a line is.
        QByteArray key = f[1].toByteArray();
        key.append(' ').append(f[2]).append(' ').append(f[9]);
        if (seen.contains(key))
            continue;
        seen.insert(std::move(key));
        KernelSocket socket;
        socket.protocol = protocol;
        socket.local = *local;
        const bool anyRemote = remote->port == 0
                               && (remote->address == QHostAddress::AnyIPv4
                                   || remote->address == QHostAddress::AnyIPv6);
        if (!anyRemote)
            socket.remote = *remote;
        if (protocol == Protocol::Udp)
            socket.facts.state = *state == 1 ? SocketState::Established : SocketState::Unconnected;
        else
            socket.facts.state = stateFromLinuxTcpState(int(*state));
        socket.facts.sendQ = quint32(queues->first);
        socket.facts.recvQ = quint32(queues->second);
        socket.facts.inode = *inode;
        socket.facts.timerMs
                = timer->first != 0 ? qint64(timer->second) * 1000 / ticksPerSecond : -1;
        socket.uid = quint32(*uid);
        out.append(std::move(socket));
    }
    if (badLines)
        *badLines = bad;
    return out;
}

} // namespace ProcNet

ProcNetSocketSource::ProcNetSocketSource(QString root) : m_root(std::move(root))
{
#ifdef Q_OS_UNIX
    const long ticks = sysconf(_SC_CLK_TCK);
    if (ticks > 0)
        m_ticksPerSecond = ticks;
#endif
}

std::optional<KernelSnapshot> ProcNetSocketSource::read(const KernelFilter &filter, QString *error)
{
    KernelSnapshot snapshot;
    if (filter.isEmpty())
        return snapshot;
    struct Table
    {
        const char *file;
        Protocol protocol;
        ProcNet::Family family;
    };
    static constexpr Table tables[] = {
            {"tcp", Protocol::Tcp, ProcNet::Family::IPv4},
            {"tcp6", Protocol::Tcp, ProcNet::Family::IPv6},
            {"udp", Protocol::Udp, ProcNet::Family::IPv4},
            {"udp6", Protocol::Udp, ProcNet::Family::IPv6},
    };
    bool readAny = false;
    for (const Table &table : tables) {
        if (table.protocol == Protocol::Tcp ? !filter.tcp : !filter.udp)
            continue;
        QFile file(m_root + QLatin1Char('/') + QLatin1String(table.file));
        // IPv6 may be disabled; a missing tcp6 is not an error as long as something reads.
        if (!file.open(QIODevice::ReadOnly))
            continue;
        // /proc files report size 0, so read until EOF rather than trusting size().
        const QByteArray text = file.readAll();
        readAny = true;
        snapshot.append(
                ProcNet::parse(text, table.protocol, table.family, filter, m_ticksPerSecond));
    }
    if (!readAny) {
        if (error)
            *error = QStringLiteral("cannot read %1/{tcp,tcp6,udp,udp6}").arg(m_root);
        return std::nullopt;
    }
    return snapshot;
}

} // namespace SocketScope
