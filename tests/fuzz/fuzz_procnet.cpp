// SPDX-License-Identifier: MIT
// libFuzzer target: the text of /proc/net/{tcp,tcp6,udp,udp6} through ProcNet::parse. The
// first byte picks the table (protocol, address family), the filter (the whole host or two
// ports) and the clock tick rate (USER_HZ, or the nonsense 0 and -1); the rest is the file.

#include "fuzzcheck.h"
#include "procnetsocketsource.h"

#include <cstdint>

using namespace SocketScope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t knobs = data[0];
    const Protocol protocol = (knobs & 1) != 0 ? Protocol::Udp : Protocol::Tcp;
    const ProcNet::Family family = (knobs & 2) != 0 ? ProcNet::Family::IPv6 : ProcNet::Family::IPv4;
    KernelFilter filter;
    filter.wholeHost = (knobs & 4) != 0;
    filter.ports = {9877, 8080};
    filter.udpPorts = {9877};
    static constexpr long ticks[] = {100, 0, -1, 1000};
    const long ticksPerSecond = ticks[(knobs >> 3) & 3];
    const QByteArrayView text(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    int badLines = -1;
    const KernelSnapshot sockets
            = ProcNet::parse(text, protocol, family, filter, ticksPerSecond, &badLines);
    const qsizetype lines = text.count('\n') + 1;
    check(badLines >= 0 && badLines <= lines);
    check(sockets.size() + badLines <= lines); // the header line is never a socket
    for (const KernelSocket &socket : sockets) {
        check(socket.protocol == protocol);
        check(filter.matches(protocol, socket.local.port, socket.remote ? socket.remote->port : 0));
        check(socket.facts.timerMs >= -1);
    }
    return 0;
}
