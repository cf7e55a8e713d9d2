// SPDX-License-Identifier: MIT
#include "kernelcounters.h"

#include <QFile>
#include <QList>

namespace SocketScope {

QHash<QString, quint64> KernelCounters::parse(const QByteArray &text)
{
    QHash<QString, quint64> counters;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); i += 2) {
        const QList<QByteArray> names = lines.at(i).simplified().split(' ');
        const QList<QByteArray> values = lines.at(i + 1).simplified().split(' ');
        // Both lines start with the same "Group:"; a file out of step is read no further.
        if (names.size() != values.size() || names.isEmpty() || names.first() != values.first()
            || !names.first().endsWith(':'))
            break;
        const QString group = QString::fromLatin1(names.first().chopped(1));
        for (qsizetype k = 1; k < names.size(); ++k) {
            bool ok = false;
            const quint64 value = values.at(k).toULongLong(&ok);
            if (ok) // Tcp's MaxConn is -1: not a counter
                counters.insert(group + QLatin1Char('.') + QString::fromLatin1(names.at(k)), value);
        }
    }
    return counters;
}

QHash<QString, quint64> KernelCounters::read()
{
    QHash<QString, quint64> counters;
    for (const char *path : {"/proc/net/snmp", "/proc/net/netstat"}) {
        QFile file(QString::fromLatin1(path));
        // procfs files report size 0: read until the end, bounded.
        if (file.open(QIODevice::ReadOnly))
            counters.insert(parse(file.read(1 << 20)));
    }
    return counters;
}

} // namespace SocketScope
