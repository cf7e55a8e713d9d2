// SPDX-License-Identifier: MIT
#pragma once

#include "scenario.h"

#include <QHash>
#include <QList>

namespace SocketScope {

class SocketRegistry;

// How a condition stood when it was checked.
struct ScenarioCheck
{
    QString expected; // the condition in words
    bool passed = false;
    bool unknowable = false; // this machine gives no kernel view that could tell
    QString actual; // what was there instead, when it did not pass
};

// The sockets a scenario names, found in the live registry (the kernel's view merged in),
// and the conditions on them checked there. A client is remembered by its tuple too, so
// that after close it is still found as the kernel's TIME_WAIT leftover of that tuple.
class ScenarioSockets
{
public:
    explicit ScenarioSockets(const SocketRegistry &live) : m_live(live) { }

    void addClients(Protocol protocol, const QList<SocketId> &ids);
    void clear();
    int clientCount(Protocol protocol) const;
    // Remembers each client's tuple while the program still has its record.
    void learnTuples();

    // The record `ref` names now, or nullptr when neither the program nor the kernel has it.
    const SocketRecord *find(const SocketRef &ref) const;
    // Why find() gives nothing for a ref the scenario cannot name ("tcp-client 3" of two).
    QString unknownReason(const SocketRef &ref) const;

    // `countersAtStart`: the kernel counters when the step began, for CounterIncrease.
    ScenarioCheck check(const SocketCondition &condition,
                        const QHash<QString, quint64> &countersAtStart) const;

private:
    struct Client
    {
        SocketId id = InvalidSocketId;
        std::optional<Endpoint> local;
        std::optional<Endpoint> remote;
    };
    const SocketRecord *findClient(Protocol protocol, int number) const;
    const SocketRecord *findAccepted(int number) const;
    const SocketRecord *findServer(SocketRole role) const;
    int countMatching(const SocketCondition &condition) const;

    const SocketRegistry &m_live;
    QList<Client> m_tcpClients;
    QList<Client> m_udpClients;
};

// The state to check a record by: the kernel's when this machine has a kernel view (and
// nullopt while the kernel has not reported it yet), the program's otherwise.
std::optional<SocketState> checkedState(const SocketRecord &record);

} // namespace SocketScope
