// SPDX-License-Identifier: MIT
#pragma once

#include "kernelsocketsource.h"

#include <QByteArrayView>

namespace SocketScope {

namespace ProcNet {

enum class Family { IPv4, IPv6 };

// Parses the text of /proc/net/{tcp,tcp6,udp,udp6}. Addresses there are the kernel's
// in-memory words printed in hex, i.e. host byte order word by word; ports are plain hex.
// Timer values are in clock ticks (`ticksPerSecond`, USER_HZ). Lines that do not parse are
// skipped and counted in *badLines, so one odd line never hides the rest.
KernelSnapshot parse(QByteArrayView text, Protocol protocol, Family family,
                     const KernelFilter &filter, long ticksPerSecond, int *badLines = nullptr);

} // namespace ProcNet

// Fallback for kernels without sock_diag: reads /proc/net/*. It cannot filter in the kernel,
// so its cost grows with every socket on the host.
class ProcNetSocketSource final : public KernelSocketSource
{
public:
    // `root` lets tests point the reader at a directory holding tcp, tcp6, udp, udp6.
    explicit ProcNetSocketSource(QString root = QStringLiteral("/proc/net"));
    QString name() const override { return QStringLiteral("proc"); }
    std::optional<KernelSnapshot> read(const KernelFilter &filter, QString *error) override;

private:
    QString m_root;
    long m_ticksPerSecond = 100;
};

} // namespace SocketScope
