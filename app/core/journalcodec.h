// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"

#include <QJsonObject>

namespace SocketScope {

// One journal line: an event, or a record inside one (a keyframe, an opened socket), as JSON.
// Unlike the state export, which shows what a reader wants (the kernel's owner, the state
// to show), this keeps every field exactly as it is, so a loaded journal replays to the very
// records it was saved from. The schema is documented in README.md ("Journal file").
QJsonObject recordToJournalJson(const SocketRecord &record);
QJsonObject eventToJournalJson(const SocketEvent &event);

// Parse back; on failure false, with `error` saying which field and what is wrong.
bool recordFromJournalJson(const QJsonValue &value, const QString &where, SocketRecord &out,
                           QString &error);
bool eventFromJournalJson(const QJsonObject &object, SocketEvent &out, QString &error);

} // namespace SocketScope
