// SPDX-License-Identifier: MIT
#pragma once

#include "behaviour.h"

#include <QHostAddress>
#include <QString>

#include <optional>

namespace SocketScope {

// A value parsed from user input, or a sentence saying what was wrong and what would do.
template<typename T>
struct Parsed
{
    std::optional<T> value;
    QString error;
    bool ok() const { return value.has_value(); }
};

// "127.0.0.1", "::1", "[::1]", "localhost" (= 127.0.0.1), "any"/"*" (= 0.0.0.0). No name
// lookups: a teaching tool should not depend on DNS.
Parsed<QHostAddress> parseAddress(const QString &text);
// 0..65535; 0 (the kernel picks a free port) only where allowZero.
Parsed<quint16> parsePort(const QString &text, bool allowZero = true);
// A whole number in [minimum, maximum]; `what` names the field in the error.
Parsed<int> parseInteger(const QString &text, int minimum, int maximum, const QString &what);
// "echo", "discard", "daytime", any case.
Parsed<Behaviour> parseBehaviour(const QString &text);

} // namespace SocketScope
