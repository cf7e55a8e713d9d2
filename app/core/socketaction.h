// SPDX-License-Identifier: MIT
#pragma once

#include <QFlags>

namespace SocketScope {

// What the user can do with one socket. The network layer says which apply to a socket;
// the UI offers exactly those in its menus.
enum class SocketAction {
    SendText = 0x01,
    StartPeriodic = 0x02,
    StopPeriodic = 0x04,
    HalfClose = 0x08, // TCP only: shutdown(SHUT_WR)
    Close = 0x10,
    Abort = 0x20, // TCP only: close with RST
    SendBurst = 0x40, // UDP only
};
Q_DECLARE_FLAGS(SocketActions, SocketAction)
Q_DECLARE_OPERATORS_FOR_FLAGS(SocketActions)

} // namespace SocketScope
