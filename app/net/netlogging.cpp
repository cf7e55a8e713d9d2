// SPDX-License-Identifier: MIT
#include "netlogging.h"

namespace SocketScope {
Q_LOGGING_CATEGORY(lcNet, "socketscope.net")
} // namespace SocketScope
