// SPDX-License-Identifier: MIT
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <type_traits>
#include <utility>

namespace SocketScope {

// Runs f() in the thread `context` lives in and returns its result: directly when that is
// the calling thread, else by a blocking hop into that thread's event loop, which must be
// running and must never be waiting for the caller in turn.
template<typename F>
auto callInThreadOf(QObject *context, F &&f) -> std::invoke_result_t<F>
{
    using Result = std::invoke_result_t<F>;
    if (context->thread() == QThread::currentThread())
        return f();
    if constexpr (std::is_void_v<Result>) {
        QMetaObject::invokeMethod(context, std::forward<F>(f), Qt::BlockingQueuedConnection);
    } else {
        Result result{};
        QMetaObject::invokeMethod(
                context, [&result, &f] { result = f(); }, Qt::BlockingQueuedConnection);
        return result;
    }
}

} // namespace SocketScope
