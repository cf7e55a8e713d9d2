// SPDX-License-Identifier: MIT
#include "kernellogging.h"

namespace SocketScope {
Q_LOGGING_CATEGORY(lcKernel, "socketscope.kernel")
} // namespace SocketScope
