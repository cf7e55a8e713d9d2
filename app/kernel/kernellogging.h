// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace SocketScope {
Q_DECLARE_LOGGING_CATEGORY(lcKernel)
} // namespace SocketScope
