// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QString>

namespace SocketScope {

// The kernel's protocol counters of this network namespace, as `nstat` and `netstat -s`
// read them: /proc/net/snmp and /proc/net/netstat, keyed "Group.Name" ("Tcp.OutRsts",
// "TcpExt.ListenOverflows"). Empty where the files are not there.
class KernelCounters
{
public:
    static QHash<QString, quint64> read();
    // One file's text: pairs of lines "Group: Name Name ..." / "Group: value value ...".
    static QHash<QString, quint64> parse(const QByteArray &text);
};

} // namespace SocketScope
