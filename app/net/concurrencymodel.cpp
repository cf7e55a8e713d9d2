// SPDX-License-Identifier: MIT
#include "concurrencymodel.h"

namespace SocketScope {

QString concurrencyModelName(ConcurrencyModel model)
{
    switch (model) {
    case ConcurrencyModel::EventLoop:
        return QStringLiteral("event-loop");
    case ConcurrencyModel::ThreadPerClient:
        return QStringLiteral("thread");
    case ConcurrencyModel::ProcessPerClient:
        return QStringLiteral("process");
    }
    return QStringLiteral("event-loop");
}

std::optional<ConcurrencyModel> concurrencyModelFromName(const QString &name)
{
    const QString key = name.trimmed().toLower();
    for (ConcurrencyModel candidate :
         {ConcurrencyModel::EventLoop, ConcurrencyModel::ThreadPerClient,
          ConcurrencyModel::ProcessPerClient}) {
        if (key == concurrencyModelName(candidate))
            return candidate;
    }
    return std::nullopt;
}

QString udpModelName(UdpModel model)
{
    return model == UdpModel::ConnectedPerClient ? QStringLiteral("connected")
                                                 : QStringLiteral("single");
}

std::optional<UdpModel> udpModelFromName(const QString &name)
{
    const QString key = name.trimmed().toLower();
    if (key == udpModelName(UdpModel::Single))
        return UdpModel::Single;
    if (key == udpModelName(UdpModel::ConnectedPerClient))
        return UdpModel::ConnectedPerClient;
    return std::nullopt;
}

} // namespace SocketScope
