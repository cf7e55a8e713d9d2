// SPDX-License-Identifier: MIT
// libFuzzer target: one datagram from NETLINK_SOCK_DIAG, as the probe's dump and lookup
// replies and the destroy notices hand it to InetDiag::parseDumpReply. The first byte picks
// the protocol the reply is read as (bit 0) and whether it must answer a request (bit 1: the
// one its first message names, so matching and mismatching messages both follow); the rest
// is the datagram.

#include "fuzzcheck.h"
#include "netlinksocketsource.h"

#include <cstdint>
#include <cstring>

using namespace SocketScope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const Protocol protocol = (data[0] & 1) != 0 ? Protocol::Udp : Protocol::Tcp;
    const QByteArrayView datagram(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    std::optional<InetDiag::Request> request;
    if ((data[0] & 2) != 0 && datagram.size() >= 16) {
        InetDiag::Request first;
        std::memcpy(&first.seq, datagram.data() + 8, sizeof first.seq); // nlmsghdr.nlmsg_seq
        std::memcpy(&first.portId, datagram.data() + 12, sizeof first.portId); // .nlmsg_pid
        request = first;
    }

    KernelSnapshot sockets;
    QString error;
    int kernelErrno = -1;
    const InetDiag::ParseStatus status
            = InetDiag::parseDumpReply(datagram, protocol, &sockets, &error, &kernelErrno, request);
    // Every failure says why; an errno comes only with a failure, and is one.
    check(status != InetDiag::ParseStatus::Error || !error.isEmpty());
    check(kernelErrno >= 0 && kernelErrno <= 4095);
    check(kernelErrno == 0 || status == InetDiag::ParseStatus::Error);
    // Memory follows the input: a socket takes at least a header and an inet_diag_msg.
    check(sockets.size() <= datagram.size() / 88);
    for (const KernelSocket &socket : std::as_const(sockets)) {
        check(socket.protocol == protocol);
        check(!socket.local.address.toString().isEmpty());
    }
    return 0;
}
