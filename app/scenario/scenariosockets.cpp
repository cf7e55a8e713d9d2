// SPDX-License-Identifier: MIT
#include "scenariosockets.h"

#include "kernelcounters.h"
#include "socketregistry.h"

#include <QCoreApplication>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::ScenarioSockets", text);
}

// States only the kernel knows of: a program never holds a socket in them.
bool isKernelOnlyState(SocketState state)
{
    return state == SocketState::TimeWait || state == SocketState::SynRecv;
}

} // namespace

std::optional<SocketState> checkedState(const SocketRecord &record)
{
    if (!isKernelViewAvailable())
        return record.state;
    if (record.kernel)
        return record.kernel->state;
    return std::nullopt;
}

void ScenarioSockets::addClients(Protocol protocol, const QList<SocketId> &ids)
{
    QList<Client> &clients = protocol == Protocol::Tcp ? m_tcpClients : m_udpClients;
    for (SocketId id : ids)
        clients.append(Client{id, std::nullopt, std::nullopt});
    learnTuples();
}

void ScenarioSockets::clear()
{
    m_tcpClients.clear();
    m_udpClients.clear();
}

int ScenarioSockets::clientCount(Protocol protocol) const
{
    return static_cast<int>(protocol == Protocol::Tcp ? m_tcpClients.size() : m_udpClients.size());
}

void ScenarioSockets::learnTuples()
{
    for (QList<Client> *clients : {&m_tcpClients, &m_udpClients}) {
        for (Client &client : *clients) {
            const SocketRecord *record = m_live.find(client.id);
            if (record && record->local.port != 0) {
                client.local = record->local;
                client.remote = record->remote;
            }
        }
    }
}

const SocketRecord *ScenarioSockets::findClient(Protocol protocol, int number) const
{
    const QList<Client> &clients = protocol == Protocol::Tcp ? m_tcpClients : m_udpClients;
    if (number < 1 || number > clients.size())
        return nullptr;
    const Client &client = clients.at(number - 1);
    const SocketRecord *record = m_live.find(client.id);
    if (record && record->isOpen())
        return record;
    // Closed by the program; the kernel may still hold its tuple (TIME_WAIT).
    if (client.local && client.remote) {
        const SocketRecord *leftover
                = m_live.find(m_live.findByTuple(protocol, *client.local, client.remote));
        if (leftover && leftover->isOpen())
            return leftover;
    }
    return nullptr;
}

const SocketRecord *ScenarioSockets::findAccepted(int number) const
{
    const SocketRecord *client = findClient(Protocol::Tcp, number);
    std::optional<Endpoint> local = client ? std::optional(client->local) : std::nullopt;
    std::optional<Endpoint> remote = client ? client->remote : std::nullopt;
    if (!client && number >= 1 && number <= m_tcpClients.size()) {
        local = m_tcpClients.at(number - 1).local;
        remote = m_tcpClients.at(number - 1).remote;
    }
    if (!local || !remote)
        return nullptr;
    // The server's end of the same connection: the client's tuple seen from the other side.
    const SocketRecord *accepted = m_live.find(m_live.findByTuple(Protocol::Tcp, *remote, local));
    return accepted && accepted->isOpen() ? accepted : nullptr;
}

const SocketRecord *ScenarioSockets::findServer(SocketRole role) const
{
    // The newest first: a restarted server's listener, not a record of the old one.
    const QList<SocketId> &ids = m_live.ids();
    for (qsizetype i = ids.size() - 1; i >= 0; --i) {
        const SocketRecord *record = m_live.find(ids.at(i));
        if (record && record->role == role && record->isOpen() && !record->remote
            && !record->kernelOnly)
            return record;
    }
    return nullptr;
}

const SocketRecord *ScenarioSockets::find(const SocketRef &ref) const
{
    switch (ref.kind) {
    case SocketRef::Kind::Listener:
        return findServer(SocketRole::TcpListener);
    case SocketRef::Kind::UdpServer:
        return findServer(SocketRole::UdpServer);
    case SocketRef::Kind::TcpClient:
        return findClient(Protocol::Tcp, ref.number);
    case SocketRef::Kind::UdpClient:
        return findClient(Protocol::Udp, ref.number);
    case SocketRef::Kind::Accepted:
        return findAccepted(ref.number);
    }
    return nullptr;
}

QString ScenarioSockets::unknownReason(const SocketRef &ref) const
{
    const bool tcp
            = ref.kind == SocketRef::Kind::TcpClient || ref.kind == SocketRef::Kind::Accepted;
    const bool udp = ref.kind == SocketRef::Kind::UdpClient;
    if ((tcp || udp) && ref.number > clientCount(tcp ? Protocol::Tcp : Protocol::Udp))
        return tr("the scenario has spawned %1 %2 client(s) so far, so there is no %3")
                .arg(clientCount(tcp ? Protocol::Tcp : Protocol::Udp))
                .arg(tcp ? QStringLiteral("TCP") : QStringLiteral("UDP"), ref.text());
    return {};
}

int ScenarioSockets::countMatching(const SocketCondition &condition) const
{
    int count = 0;
    for (SocketId id : m_live.ids()) {
        const SocketRecord *record = m_live.find(id);
        if (!record->isOpen() || (condition.role && record->role != *condition.role)
            || (condition.protocol && record->protocol != *condition.protocol))
            continue;
        if (condition.countState && checkedState(*record) != condition.countState)
            continue;
        ++count;
    }
    return count;
}

ScenarioCheck ScenarioSockets::check(const SocketCondition &condition,
                                     const QHash<QString, quint64> &countersAtStart) const
{
    using K = SocketCondition::Kind;
    ScenarioCheck result;
    result.expected = condition.text();
    const bool kernelView = isKernelViewAvailable();
    if (condition.kind == K::Count) {
        if (!kernelView && condition.countState && isKernelOnlyState(*condition.countState)) {
            result.unknowable = true;
            return result;
        }
        const int count = countMatching(condition);
        result.passed = static_cast<quint64>(count) == condition.amount;
        result.actual = tr("%1 found").arg(count);
        // The program's sockets are a part of the kernel's: without its view, fewer than
        // expected may be the kernel's own (an accept queue, TIME_WAIT), more is wrong anyway.
        result.unknowable = !kernelView && static_cast<quint64>(count) < condition.amount;
        return result;
    }
    if (condition.kind == K::CounterIncrease) {
        const QHash<QString, quint64> now = KernelCounters::read();
        if (!now.contains(condition.counter)) {
            result.unknowable = now.isEmpty();
            result.actual = tr("this kernel has no counter %1").arg(condition.counter);
            return result;
        }
        const quint64 rise
                = now.value(condition.counter) - countersAtStart.value(condition.counter);
        result.passed = rise >= condition.amount;
        result.actual = tr("it rose by %1").arg(rise);
        return result;
    }
    const QString unknown = unknownReason(condition.socket);
    if (!unknown.isEmpty()) {
        result.actual = unknown;
        return result;
    }
    const SocketRecord *record = find(condition.socket);
    if (condition.kind == K::Gone) {
        result.passed = record == nullptr;
        result.unknowable = !result.passed ? false : !kernelView;
        if (record)
            result.actual = tr("it is still there, in %1")
                                    .arg(stateName(checkedState(*record).value_or(record->state)));
        return result;
    }
    if (!record) {
        // Without a kernel view, a socket the program closed may still be the kernel's.
        result.unknowable = !kernelView;
        result.actual = tr("neither the program nor the kernel has it");
        return result;
    }
    if (condition.kind == K::State) {
        const std::optional<SocketState> state = checkedState(*record);
        if (!kernelView && isKernelOnlyState(condition.state)) {
            result.unknowable = true;
            return result;
        }
        result.passed = state == condition.state;
        result.actual
                = !state ? tr("the kernel has not reported it yet")
                  : kernelView
                          ? tr("the kernel shows %1").arg(stateName(*state))
                          : tr("the program shows %1 (no kernel view here)").arg(stateName(*state));
        return result;
    }
    const quint64 received = condition.kind == K::BytesReceived ? record->bytesReceived
                                                                : record->datagramsReceived;
    result.passed = received == condition.amount;
    result.actual = tr("it has received %1").arg(received);
    return result;
}

} // namespace SocketScope
