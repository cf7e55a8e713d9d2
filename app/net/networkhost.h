// SPDX-License-Identifier: MIT
#pragma once

#include "threadcall.h"

#include <QThread>

#include <memory>
#include <type_traits>

namespace SocketScope {

class EventLog;
class NetworkEngine;
class RegistryMirror;
class SocketRegistry;

// The network in a thread of its own: an engine with its own registry and event log, and a
// RegistryMirror that sends what changed to the window's registry once per frame. With a
// thousand clients the event loop that serves their sockets polls thousands of descriptors
// on every turn; here that no longer delays a frame.
//
// Everything inside lives in the network thread. Signals cross by themselves (queued);
// calls go through run(), which waits for the answer.
class NetworkHost
{
public:
    NetworkHost();
    ~NetworkHost(); // closes every socket in the network thread, then stops it
    NetworkHost(const NetworkHost &) = delete;
    NetworkHost &operator=(const NetworkHost &) = delete;

    // Keeps `registry` and `log` (in the calling thread) a copy of the network's own, one
    // batch per frame. Call once, from the thread that owns them.
    void mirrorInto(SocketRegistry &registry, EventLog &log);
    // What changed since the last batch, applied now (before an export reads the copy).
    void syncNow(SocketRegistry &registry, EventLog &log);

    NetworkEngine &engine() const { return *m_engine; }
    RegistryMirror &mirror() const { return *m_mirror; }
    QThread *thread() { return &m_thread; }

    // Runs f() in the network thread and returns its result.
    template<typename F>
    auto run(F &&f) -> std::invoke_result_t<F>
    {
        return callInThreadOf(m_context.get(), std::forward<F>(f));
    }

private:
    QThread m_thread;
    std::unique_ptr<QObject> m_context; // lives in the thread: where run() calls land
    SocketRegistry *m_registry = nullptr;
    EventLog *m_log = nullptr;
    NetworkEngine *m_engine = nullptr;
    RegistryMirror *m_mirror = nullptr;
};

} // namespace SocketScope
