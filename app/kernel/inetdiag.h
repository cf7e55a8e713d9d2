// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsnapshot.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

#include <optional>

struct msghdr;

// What sock_diag says, as bytes: the port filter a request carries and the replies the
// kernel sends (dumps, lookups, destroy notices). Pure functions with no socket of their own,
// kept apart from NetlinkSocketSource (which owns the socket and decides what to ask) so that
// tests and the fuzz target can feed them any bytes at all, and DestroyNoticeFollower can
// read its notices without a socket source.
namespace SocketScope::InetDiag {

// inet_diag bytecode that accepts a socket whose source OR destination port is in `ports`
// (the kernel then skips every other socket before formatting a reply for it). Empty for an
// empty list. Jumps are laid out the way inet_diag_bc_audit() wants: every op sits on the
// "yes" chain and a failed last test jumps 4 bytes past the end, which means "reject".
QByteArray portFilterBytecode(const QList<quint16> &ports);

enum class ParseStatus {
    More, // every message was well-formed, the dump goes on in the next datagram
    Done, // NLMSG_DONE seen
    Error, // malformed, truncated or an error from the kernel: drop the whole read
};

// The request a reply must answer: the kernel copies the request's sequence number into
// every message of its answer and addresses each to the asking socket's port id.
struct Request
{
    quint32 seq = 0;
    quint32 portId = 0;
};

// Parses one datagram of a SOCK_DIAG_BY_FAMILY dump reply (any number of netlink messages)
// and appends the sockets to *out. Reads nothing outside `bytes`, whatever they contain.
// *kernelErrno (when given) receives the positive errno of an NLMSG_ERROR reply, 0 otherwise,
// so a caller can tell "no such socket" (ENOENT) from a real failure. With `request`, a
// message that does not answer it (another sequence number or port id: a late answer to an
// earlier request, or not from the kernel) fails the whole datagram, before its content is
// believed. Destroy notices answer no request (sequence 0, port 0), so they pass none.
ParseStatus parseDumpReply(QByteArrayView bytes, Protocol protocol, KernelSnapshot *out,
                           QString *error, int *kernelErrno = nullptr,
                           std::optional<Request> request = std::nullopt);

// Whether a datagram recvmsg() gave (with msg_name pointing at a sockaddr_nl) is the
// kernel's: sent from port 0, and whole. A local process with CAP_NET_ADMIN may send to our
// port id too, and what it says need not be true.
bool isFromKernel(const msghdr &message);

// The address sock_diag reports for "none": a listener bound to any address, or the
// remote end of a socket with no peer.
bool isAnyAddress(const QHostAddress &address);

} // namespace SocketScope::InetDiag
