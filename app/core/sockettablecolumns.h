// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QDateTime>
#include <QString>
#include <QVariant>

#include <functional>

namespace SocketScope {

// What a UDP socket's Recv-Q counts: the kernel memory its waiting datagrams take (each
// buffer's truesize, 832 B for a datagram of a few bytes on this kernel), not their payload.
// Said wherever the number is shown for UDP, since TCP's Recv-Q in the same column is payload.
QString udpRecvQMeaning();

// What each column of the socket table says about a record: its netstat-like text, the raw
// value it sorts by, its alignment and tooltip, and the column headers. Columns are
// SocketTableModel::Column. Free functions of a record, apart from SocketTableModel (which
// keeps its rows in step with the registry, coalesces them and times the highlights), so
// that how a column reads is in one place that knows nothing of rows.
namespace SocketTableColumns {

// The moment a socket's age is measured to (see SocketTableModel::setWallClock).
using WallClock = std::function<QDateTime()>;

QVariant displayText(const SocketRecord &record, int column, const WallClock &now);
// Raw values, so that ports sort as numbers and ages by time.
QVariant sortValue(const SocketRecord &record, int column, const WallClock &now);
QVariant alignment(int column);
QVariant toolTip(const SocketRecord &record, int column);
// A header's text (Qt::DisplayRole) or tooltip (Qt::ToolTipRole); horizontal headers only.
QVariant headerData(int section, int role);
QString ageText(qint64 seconds); // "42s", "3m 05s", "2h 07m"

} // namespace SocketTableColumns

} // namespace SocketScope
