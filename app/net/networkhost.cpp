// SPDX-License-Identifier: MIT
#include "networkhost.h"

#include "eventlog.h"
#include "networkengine.h"
#include "registrymirror.h"
#include "socketregistry.h"

namespace SocketScope {

NetworkHost::NetworkHost() : m_context(std::make_unique<QObject>())
{
    m_thread.setObjectName(QStringLiteral("network"));
    m_context->moveToThread(&m_thread);
    m_thread.start();
    // Sockets and timers belong to the thread that makes them: make them there.
    run([this] {
        m_registry = new SocketRegistry;
        m_log = new EventLog;
        m_engine = new NetworkEngine(*m_registry, *m_log);
        m_mirror = new RegistryMirror(*m_registry, *m_log);
    });
}

void NetworkHost::mirrorInto(SocketRegistry &registry, EventLog &log)
{
    QObject::connect(
            m_mirror, &RegistryMirror::batchReady, &registry,
            [&registry, &log](const RegistryBatch &batch) { applyBatch(batch, registry, &log); });
}

void NetworkHost::syncNow(SocketRegistry &registry, EventLog &log)
{
    applyBatch(run([this] { return m_mirror->takeBatch(); }), registry, &log);
}

NetworkHost::~NetworkHost()
{
    run([this] {
        // The engine reports its sockets' end to the registry and the log, so it goes first.
        delete m_engine;
        delete m_mirror;
        delete m_log;
        delete m_registry;
    });
    // Deleted in its own thread: the thread handles deferred deletions as it finishes.
    m_context.release()->deleteLater();
    m_thread.quit();
    m_thread.wait();
}

} // namespace SocketScope
