// SPDX-License-Identifier: MIT
#include "socketevent.h"

#include <QCoreApplication>

#include <array>
#include <utility>

namespace SocketScope {

namespace {

constexpr std::array<std::pair<EventKind, const char *>, 22> kKindNames{{
        {EventKind::Listening, "listening"},
        {EventKind::Accepted, "accepted"},
        {EventKind::ConnectStarted, "connect-started"},
        {EventKind::Bound, "bound"},
        {EventKind::Opened, "opened"},
        {EventKind::Connected, "connected"},
        {EventKind::StateChanged, "state-changed"},
        {EventKind::KernelFactsChanged, "kernel-facts"},
        {EventKind::OwnerChanged, "owner"},
        {EventKind::ActivityChanged, "activity"},
        {EventKind::Traffic, "traffic"},
        {EventKind::Closed, "closed"},
        {EventKind::Removed, "removed"},
        {EventKind::Revised, "revised"},
        {EventKind::Message, "message"},
        {EventKind::UserCommand, "user-command"},
        {EventKind::Caption, "caption"},
        {EventKind::Error, "error"},
        {EventKind::FinSent, "fin-sent"},
        {EventKind::FinReceived, "fin-received"},
        {EventKind::RstSent, "rst-sent"},
        {EventKind::RstReceived, "rst-received"},
}};

constexpr std::array<std::pair<StateSource, const char *>, 4> kSourceNames{{
        {StateSource::Qt, "qt"},
        {StateSource::KernelPoll, "kernel-poll"},
        {StateSource::KernelTrace, "kernel-trace"},
        {StateSource::DestroyNotice, "destroy-notice"},
}};

template<typename Enum, std::size_t N>
QString nameIn(const std::array<std::pair<Enum, const char *>, N> &table, Enum value)
{
    for (const auto &[candidate, name] : table) {
        if (candidate == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
std::optional<Enum> valueIn(const std::array<std::pair<Enum, const char *>, N> &table,
                            const QString &name)
{
    for (const auto &[value, candidate] : table) {
        if (name == QLatin1String(candidate))
            return value;
    }
    return std::nullopt;
}

template<typename T>
bool samePointee(const std::shared_ptr<const T> &a, const std::shared_ptr<const T> &b)
{
    if (a == b)
        return true;
    return a && b && *a == *b;
}

SocketState kernelState(const SocketRecord &record)
{
    return record.kernel ? record.kernel->state : SocketState::Unknown;
}

bool sameOwner(const SocketRecord &a, const SocketRecord &b)
{
    return a.pid == b.pid && a.threadId == b.threadId && a.program == b.program;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::SocketEvent", text);
}

} // namespace

bool SocketEvent::createsSocket() const
{
    switch (kind) {
    case EventKind::Listening:
    case EventKind::Accepted:
    case EventKind::ConnectStarted:
    case EventKind::Opened:
        return true;
    case EventKind::Bound:
        // A bind creates the UDP sockets' records; a later one only names the local address.
        return record != nullptr;
    default:
        return false;
    }
}

LogEvent logLineOf(const SocketEvent &event)
{
    LogEvent line{event.wallTime, event.severity, event.socket, event.text, LogKind::Note, {}};
    switch (event.kind) {
    case EventKind::UserCommand:
        line.kind = LogKind::UserCommand;
        break;
    case EventKind::Caption:
        line.kind = LogKind::Caption;
        break;
    case EventKind::Error:
        line.kind = LogKind::Error;
        line.code = event.code;
        break;
    default:
        break;
    }
    return line;
}

bool SocketEvent::isLogLine() const
{
    return kind == EventKind::Message || kind == EventKind::UserCommand
           || kind == EventKind::Caption || kind == EventKind::Error;
}

bool SocketEvent::operator==(const SocketEvent &other) const
{
    return seq == other.seq && monotonicNs == other.monotonicNs && wallTime == other.wallTime
           && host == other.host && kind == other.kind && socket == other.socket
           && protocol == other.protocol && local == other.local && remote == other.remote
           && from == other.from && to == other.to && source == other.source
           && history == other.history && code == other.code && samePointee(facts, other.facts)
           && direction == other.direction && bytes == other.bytes && count == other.count
           && datagram == other.datagram && peer == other.peer && pid == other.pid
           && threadId == other.threadId && text == other.text && severity == other.severity
           && samePointee(record, other.record);
}

QString eventKindName(EventKind kind)
{
    return nameIn(kKindNames, kind);
}

std::optional<EventKind> eventKindFromName(const QString &name)
{
    return valueIn(kKindNames, name);
}

QString stateSourceName(StateSource source)
{
    return nameIn(kSourceNames, source);
}

std::optional<StateSource> stateSourceFromName(const QString &name)
{
    return valueIn(kSourceNames, name);
}

SocketEvent eventAbout(const SocketRecord &record, EventKind kind)
{
    SocketEvent event;
    event.kind = kind;
    event.socket = record.id;
    event.protocol = record.protocol;
    event.local = record.local;
    event.remote = record.remote;
    return event;
}

EventKind creationKindFor(const SocketRecord &record)
{
    if (record.kernelOnly)
        return EventKind::Opened;
    switch (record.role) {
    case SocketRole::TcpListener:
        return EventKind::Listening;
    case SocketRole::TcpServerSide:
        return EventKind::Accepted;
    case SocketRole::TcpClient:
        return EventKind::ConnectStarted;
    case SocketRole::UdpServer:
    case SocketRole::UdpClient:
        return EventKind::Bound;
    case SocketRole::ExternalPeer:
        return EventKind::Opened;
    }
    return EventKind::Opened;
}

QList<SocketEvent> eventsForChange(const SocketRecord &before, const SocketRecord &after)
{
    QList<SocketEvent> events;
    // Every event carries the tuple as it is afterwards, so a tuple change needs its own
    // event only when nothing else happens with it.
    const bool closing = before.closed.isNull() && !after.closed.isNull();
    if (closing) {
        SocketEvent event = eventAbout(after, EventKind::Closed);
        event.from = before.state;
        event.to = after.state;
        event.wallTime = after.closed;
        events.append(event);
    } else if (before.state != after.state) {
        SocketEvent event = eventAbout(after, EventKind::StateChanged);
        event.from = before.state;
        event.to = after.state;
        event.source = StateSource::Qt;
        events.append(event);
    }
    if (before.kernel != after.kernel) {
        const bool stateMoved = after.kernel && kernelState(before) != kernelState(after);
        SocketEvent event = eventAbout(after, stateMoved ? EventKind::StateChanged
                                                         : EventKind::KernelFactsChanged);
        if (stateMoved) {
            event.from = kernelState(before);
            event.to = kernelState(after);
            event.source = StateSource::KernelPoll;
        }
        if (after.kernel)
            event.facts = std::make_shared<const KernelFacts>(*after.kernel);
        events.append(event);
    }
    if (!sameOwner(before, after)) {
        SocketEvent event = eventAbout(after, EventKind::OwnerChanged);
        event.pid = after.pid;
        event.threadId = after.threadId;
        event.text = after.program;
        events.append(event);
    }
    if (before.activity != after.activity) {
        SocketEvent event = eventAbout(after, EventKind::ActivityChanged);
        event.text = after.activity;
        events.append(event);
    }
    // Whatever is left (the tuple alone, a role, a counter set by hand) is checked by applying
    // what we have: if that does not give `after`, one more event says the rest.
    SocketRecord applied = before;
    for (const SocketEvent &event : std::as_const(events))
        applyEvent(event, applied);
    if (applied != after) {
        SocketRecord tupleOnly = applied;
        tupleOnly.local = after.local;
        tupleOnly.remote = after.remote;
        if (tupleOnly == after) {
            events.append(eventAbout(after, applied.local != after.local ? EventKind::Bound
                                                                         : EventKind::Connected));
        } else {
            SocketEvent event = eventAbout(after, EventKind::Revised);
            SocketRecord revised = after;
            revised.kernel.reset(); // Revised never speaks for the kernel (see applyEvent)
            event.record = std::make_shared<const SocketRecord>(std::move(revised));
            events.append(event);
        }
    }
    return events;
}

void applyEvent(const SocketEvent &event, SocketRecord &record)
{
    record.local = event.local;
    record.remote = event.remote;
    switch (event.kind) {
    case EventKind::Closed:
        record.closed = event.wallTime;
        record.state = event.to;
        break;
    case EventKind::StateChanged:
        if (event.history) {
            break; // the path's past, not the present state
        } else if (event.source == StateSource::Qt) {
            record.state = event.to;
        } else if (event.facts) {
            record.kernel = *event.facts;
        } else if (record.kernel) {
            record.kernel->state = event.to; // a trace or destroy notice: the state alone
        } else {
            KernelFacts facts;
            facts.state = event.to;
            record.kernel = facts;
        }
        break;
    case EventKind::KernelFactsChanged:
        if (event.facts)
            record.kernel = *event.facts;
        else
            record.kernel.reset();
        break;
    case EventKind::OwnerChanged:
        record.pid = event.pid;
        record.threadId = event.threadId;
        record.program = event.text;
        break;
    case EventKind::ActivityChanged:
        record.activity = event.text;
        break;
    case EventKind::Traffic:
        if (event.direction == TrafficDirection::Sent) {
            record.bytesSent += event.bytes;
            record.datagramsSent += event.datagram ? event.count : 0;
        } else {
            record.bytesReceived += event.bytes;
            record.datagramsReceived += event.datagram ? event.count : 0;
        }
        break;
    case EventKind::Revised:
        if (event.record) {
            // The kernel's facts are the receiving side's own (its KernelMerger put them
            // there); another registry's record never overwrites them.
            std::optional<KernelFacts> kernel = std::move(record.kernel);
            const SocketId id = record.id;
            record = *event.record;
            record.id = id;
            record.kernel = std::move(kernel);
        }
        break;
    default:
        break; // creating kinds, Bound and Connected (the tuple above), Removed, Message
    }
}

QString describeSocket(const SocketEvent &event)
{
    if (event.socket == InvalidSocketId)
        return {};
    const QString tuple = event.remote ? event.local.toString() + QStringLiteral(" \u2194 ")
                                                 + event.remote->toString()
                                       : event.local.toString();
    return QStringLiteral("%1 #%2 (%3)")
            .arg(protocolName(event.protocol).toUpper())
            .arg(event.socket)
            .arg(tuple);
}

QString describeEvent(const SocketEvent &event)
{
    const QString who = describeSocket(event);
    QString what;
    switch (event.kind) {
    case EventKind::Listening:
        what = tr("listening");
        break;
    case EventKind::Accepted:
        what = tr("accepted");
        break;
    case EventKind::ConnectStarted:
        what = tr("connect() started");
        break;
    case EventKind::Bound:
        what = tr("bound");
        break;
    case EventKind::Opened:
        what = tr("seen");
        break;
    case EventKind::Connected:
        what = tr("remote address set");
        break;
    case EventKind::StateChanged:
        what = tr("%1 \u2192 %2 (%3)")
                       .arg(stateName(event.from), stateName(event.to),
                            stateSourceName(event.source));
        break;
    case EventKind::KernelFactsChanged:
        what = event.facts ? tr("kernel facts changed") : tr("no longer in the kernel's view");
        break;
    case EventKind::OwnerChanged:
        what = tr("owner %1, pid %2").arg(event.text).arg(event.pid);
        break;
    case EventKind::ActivityChanged:
        what = event.text.isEmpty() ? tr("idle") : event.text;
        break;
    case EventKind::Traffic:
        what = (event.direction == TrafficDirection::Sent ? tr("sent %1") : tr("received %1"))
                       .arg(byteCountText(event.bytes));
        if (event.count > 1)
            what += tr(" in %1 %2")
                            .arg(event.count)
                            .arg(event.datagram ? tr("datagrams") : tr("reads/writes"));
        break;
    case EventKind::Closed:
        what = tr("closed (%1)").arg(stateName(event.to));
        break;
    case EventKind::Removed:
        what = tr("removed");
        break;
    case EventKind::Revised:
        what = tr("record revised");
        break;
    case EventKind::Message:
    case EventKind::UserCommand:
    case EventKind::Caption:
        what = event.text;
        break;
    case EventKind::Error:
        what = event.code.isEmpty() ? event.text : event.code + QStringLiteral(": ") + event.text;
        break;
    case EventKind::FinSent:
        what = tr("FIN sent");
        break;
    case EventKind::FinReceived:
        what = tr("FIN received");
        break;
    case EventKind::RstSent:
        what = tr("RST sent");
        break;
    case EventKind::RstReceived:
        what = tr("RST received");
        break;
    }
    return who.isEmpty() ? what : who + QStringLiteral(": ") + what;
}

} // namespace SocketScope
