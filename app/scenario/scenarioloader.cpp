// SPDX-License-Identifier: MIT
#include "scenarioloader.h"

#include "jsonpositions.h"
#include "netinput.h"
#include "networkengine.h"
#include "scenariofieldreader.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace SocketScope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SocketScope::ScenarioLoader", text);
}

struct ActionSpec
{
    const char *name;
    ScenarioActionKind kind;
    QStringList fields; // besides "do"
};

const QList<ActionSpec> &actionSpecs()
{
    using K = ScenarioActionKind;
    static const QList<ActionSpec> specs{
            {"start-tcp-server", K::StartTcpServer,
             names({"address", "port", "backlog", "reuseAddress", "behaviour", "model",
                    "expectError"})},
            {"stop-tcp-server", K::StopTcpServer, QStringList()},
            {"pause-accepting", K::PauseAccepting, QStringList()},
            {"resume-accepting", K::ResumeAccepting, QStringList()},
            {"start-udp-server", K::StartUdpServer,
             names({"address", "port", "behaviour", "delayMs", "model", "expectError"})},
            {"stop-udp-server", K::StopUdpServer, QStringList()},
            {"set-udp-delay", K::SetUdpDelay, names({"ms"})},
            {"set-tcp-model", K::SetTcpModel, names({"model"})},
            {"set-udp-model", K::SetUdpModel, names({"model"})},
            {"spawn-tcp-clients", K::SpawnTcpClients, names({"count", "from"})},
            {"spawn-udp-clients", K::SpawnUdpClients, names({"count", "from", "connected"})},
            {"connect-to-closed-port", K::ConnectToClosedPort, QStringList()},
            {"send", K::SocketAction, names({"socket", "text"})},
            {"burst", K::SocketAction, names({"socket", "count", "text"})},
            {"half-close", K::SocketAction, names({"socket"})},
            {"close", K::SocketAction, names({"socket"})},
            {"abort", K::SocketAction, names({"socket"})},
            {"wait-until", K::WaitUntil,
             names({"socket", "state", "gone", "bytesReceived", "datagramsReceived", "count",
                    "role", "protocol", "counter", "risesBy", "timeoutMs"})},
            {"wait", K::Wait, names({"ms"})},
    };
    return specs;
}

const QStringList &conditionFields()
{
    static const QStringList fields
            = names({"socket", "state", "gone", "bytesReceived", "datagramsReceived", "count",
                     "role", "protocol", "counter", "risesBy"});
    return fields;
}

// The scenario's own fields, on the generic checks.
class Reader : public ScenarioFieldReader
{
public:
    using ScenarioFieldReader::ScenarioFieldReader;

    bool condition(const QJsonObject &object, const QString &path, SocketCondition &out);
    bool action(const QJsonValue &value, const QString &path, ScenarioAction &out);
    bool question(const QJsonValue &value, const QString &path, ScenarioQuestion &out);
    bool step(const QJsonValue &value, const QString &path, ScenarioStep &out);
    bool scenario(const QJsonValue &value, Scenario &out);

private:
    bool serverFields(const QJsonObject &object, const QString &path, ScenarioAction &out);
};

const QString StateChoices = QStringLiteral("the kernel's state names (LISTEN, SYN_SENT, SYN_RECV, "
                                            "ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, "
                                            "CLOSING, LAST_ACK, TIME_WAIT, UNCONN)");

bool Reader::condition(const QJsonObject &object, const QString &path, SocketCondition &out)
{
    using K = SocketCondition::Kind;
    const QStringList kinds
            = names({"state", "gone", "bytesReceived", "datagramsReceived", "count", "counter"});
    QStringList present;
    for (const QString &kind : kinds)
        if (object.contains(kind))
            present << kind;
    // With a count, "state" narrows what is counted.
    if (present.contains(QStringLiteral("count")))
        present.removeAll(QStringLiteral("state"));
    if (present.size() != 1)
        return fail(path, present.isEmpty() ? tr("says nothing to check: give one of %1")
                                                      .arg(kinds.join(QStringLiteral(", ")))
                                            : tr("checks %1 at once: give one per entry")
                                                      .arg(present.join(QStringLiteral(" and "))));
    const QString kind = present.first();
    if (kind == QLatin1String("count")) {
        out.kind = K::Count;
        int count = 0;
        if (!integer(object, path, kind, count, 0, NetworkEngine::MaxSpawn * 2))
            return false;
        out.amount = static_cast<quint64>(count);
        if (!name(object, path, QStringLiteral("role"), out.role, roleFromName,
                  tr("tcp-listener, tcp-server-side, tcp-client, udp-server, udp-client, "
                     "external-peer"))
            || !name(object, path, QStringLiteral("protocol"), out.protocol, protocolFromName,
                     QStringLiteral("tcp, udp"))
            || !name(object, path, QStringLiteral("state"), out.countState, stateFromName,
                     StateChoices))
            return false;
        return object.contains(QStringLiteral("socket"))
                       ? fail(JsonPositions::member(path, QStringLiteral("socket")),
                              tr("a count is over all sockets: use role, protocol and state"), true)
                       : true;
    }
    if (kind == QLatin1String("counter")) {
        out.kind = K::CounterIncrease;
        int rise = 1;
        if (!string(object, path, kind, out.counter, true, 64)
            || !integer(object, path, QStringLiteral("risesBy"), rise, 1, 1000000))
            return false;
        if (!out.counter.contains(QLatin1Char('.')))
            return fail(JsonPositions::member(path, kind),
                        tr("must be Group.Name as in /proc/net/netstat or /proc/net/snmp, "
                           "e.g. \"TcpExt.ListenOverflows\""));
        out.amount = static_cast<quint64>(rise);
        return true;
    }
    if (!socket(object, path, out.socket))
        return false;
    if (kind == QLatin1String("state")) {
        out.kind = K::State;
        std::optional<SocketState> state;
        if (!name(object, path, kind, state, stateFromName, StateChoices))
            return false;
        out.state = *state;
        return true;
    }
    if (kind == QLatin1String("gone")) {
        out.kind = K::Gone;
        bool gone = false;
        if (!boolean(object, path, kind, gone))
            return false;
        return gone
               || fail(JsonPositions::member(path, kind),
                       tr("can only be true; to check that a socket is there, check its "
                          "state"));
    }
    out.kind = kind == QLatin1String("bytesReceived") ? K::BytesReceived : K::DatagramsReceived;
    int amount = 0;
    if (!integer(object, path, kind, amount, 0, 1 << 30))
        return false;
    out.amount = static_cast<quint64>(amount);
    return true;
}

bool Reader::serverFields(const QJsonObject &object, const QString &path, ScenarioAction &out)
{
    const bool tcp = out.kind == ScenarioActionKind::StartTcpServer;
    std::optional<QHostAddress> address;
    if (!loopbackAddress(object, path, QStringLiteral("address"), address))
        return false;
    if (address)
        out.address = *address;
    const QString portKey = QStringLiteral("port");
    const QJsonValue port = object.value(portKey);
    const double portNumber = port.toDouble(-1);
    if (port == QJsonValue(QStringLiteral("previous")))
        out.previousPort = true;
    else if (!object.contains(portKey))
        out.port = DefaultServerPort;
    else if (!port.isDouble() || std::floor(portNumber) != portNumber || portNumber < 0
             || portNumber > 65535)
        return fail(JsonPositions::member(path, portKey),
                    tr("must be a port from 0 to 65535 (0: any free port) or \"previous\" "
                       "(the port this server had last), not %1")
                            .arg(kindOf(port)));
    else
        out.port = static_cast<int>(portNumber);
    std::optional<Behaviour> behaviour;
    if (!name(object, path, QStringLiteral("behaviour"), behaviour, behaviourFromName,
              QStringLiteral("echo, discard, daytime")))
        return false;
    out.behaviour = behaviour.value_or(Behaviour::Echo);
    if (tcp) {
        if (!integer(object, path, QStringLiteral("backlog"), out.backlog, 1, 65535)
            || !boolean(object, path, QStringLiteral("reuseAddress"), out.reuseAddress)
            || !name(object, path, QStringLiteral("model"), out.model, concurrencyModelFromName,
                     QStringLiteral("event-loop, thread, process")))
            return false;
    } else if (!integer(object, path, QStringLiteral("delayMs"), out.delayMs, 0, 2000)
               || !name(object, path, QStringLiteral("model"), out.udpModel, udpModelFromName,
                        QStringLiteral("single, connected"))) {
        return false;
    }
    const QString errorKey = QStringLiteral("expectError");
    if (!object.contains(errorKey))
        return true;
    const QString expected = object.value(errorKey).toString();
    for (NetError error :
         {NetError::PortInUse, NetError::PrivilegedPort, NetError::AddressNotLocal}) {
        if (expected == netErrorName(error)) {
            out.expectError = error;
            return true;
        }
    }
    return fail(JsonPositions::member(path, errorKey),
                tr("must be port-in-use, privileged-port or address-not-local, not %1")
                        .arg(kindOf(object.value(errorKey))));
}

bool Reader::action(const QJsonValue &value, const QString &path, ScenarioAction &out)
{
    QJsonObject object;
    if (!this->object(value, path, object))
        return false;
    out.path = path;
    const QString verb = object.value(QStringLiteral("do")).toString();
    const ActionSpec *spec = nullptr;
    QStringList verbs;
    for (const ActionSpec &candidate : actionSpecs()) {
        verbs << QLatin1String(candidate.name);
        if (verb == QLatin1String(candidate.name))
            spec = &candidate;
    }
    if (!spec)
        return fail(object.contains(QStringLiteral("do"))
                            ? JsonPositions::member(path, QStringLiteral("do"))
                            : path,
                    tr("\"do\" must name an action: %1").arg(verbs.join(QStringLiteral(", "))));
    out.kind = spec->kind;
    if (!allowOnly(object, path, QStringList(spec->fields) << QStringLiteral("do")))
        return false;
    using K = ScenarioActionKind;
    switch (out.kind) {
    case K::StartTcpServer:
    case K::StartUdpServer:
        return serverFields(object, path, out);
    case K::SetUdpDelay:
        return integer(object, path, QStringLiteral("ms"), out.delayMs, 0, 2000, true);
    case K::SetTcpModel:
        return name(object, path, QStringLiteral("model"), out.model, concurrencyModelFromName,
                    QStringLiteral("event-loop, thread, process"))
               && (out.model || fail(path, tr("needs the field \"model\"")));
    case K::SetUdpModel:
        return name(object, path, QStringLiteral("model"), out.udpModel, udpModelFromName,
                    QStringLiteral("single, connected"))
               && (out.udpModel || fail(path, tr("needs the field \"model\"")));
    case K::SpawnTcpClients:
    case K::SpawnUdpClients:
        return integer(object, path, QStringLiteral("count"), out.count, 1, NetworkEngine::MaxSpawn)
               && loopbackAddress(object, path, QStringLiteral("from"), out.from)
               && boolean(object, path, QStringLiteral("connected"), out.connected);
    case K::SocketAction: {
        if (verb == QLatin1String("send"))
            out.socketAction = SocketAction::SendText;
        else if (verb == QLatin1String("burst"))
            out.socketAction = SocketAction::SendBurst;
        else if (verb == QLatin1String("half-close"))
            out.socketAction = SocketAction::HalfClose;
        else if (verb == QLatin1String("close"))
            out.socketAction = SocketAction::Close;
        else
            out.socketAction = SocketAction::Abort;
        const bool sends = out.socketAction == SocketAction::SendText
                           || out.socketAction == SocketAction::SendBurst;
        return socket(object, path, out.socket)
               && (!sends
                   || string(object, path, QStringLiteral("text"), out.text, true,
                             static_cast<int>(MaxTextBytes)))
               && (out.socketAction != SocketAction::SendBurst
                   || integer(object, path, QStringLiteral("count"), out.number, 1, 10000, true));
    }
    case K::WaitUntil: {
        QJsonObject condition = object;
        condition.remove(QStringLiteral("do"));
        condition.remove(QStringLiteral("timeoutMs"));
        return integer(object, path, QStringLiteral("timeoutMs"), out.timeoutMs, 1, 600000)
               && this->condition(condition, path, out.until);
    }
    case K::Wait:
        return integer(object, path, QStringLiteral("ms"), out.ms, 0, 60000, true);
    case K::StopTcpServer:
    case K::PauseAccepting:
    case K::ResumeAccepting:
    case K::StopUdpServer:
    case K::ConnectToClosedPort:
        return true;
    }
    return true;
}

bool Reader::question(const QJsonValue &value, const QString &path, ScenarioQuestion &out)
{
    QJsonObject object;
    if (!this->object(value, path, object)
        || !allowOnly(object, path, names({"text", "choices", "answer", "explanation"}))
        || !string(object, path, QStringLiteral("text"), out.text, true, 500)
        || !string(object, path, QStringLiteral("explanation"), out.explanation, false, 2000))
        return false;
    const QString choicesPath = JsonPositions::member(path, QStringLiteral("choices"));
    const QJsonValue choices = object.value(QStringLiteral("choices"));
    if (!choices.isArray() || choices.toArray().size() < 2 || choices.toArray().size() > 6)
        return fail(object.contains(QStringLiteral("choices")) ? choicesPath : path,
                    tr("needs \"choices\": a list of 2 to 6 answers in quotes"));
    const QJsonArray list = choices.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isString() || list.at(i).toString().trimmed().isEmpty())
            return fail(JsonPositions::element(choicesPath, i),
                        tr("must be an answer in quotes, not %1").arg(kindOf(list.at(i))));
        out.choices << list.at(i).toString();
    }
    int answer = 0;
    if (!integer(object, path, QStringLiteral("answer"), answer, 1, static_cast<int>(list.size()),
                 true))
        return false;
    out.answer = answer - 1;
    return true;
}

bool Reader::step(const QJsonValue &value, const QString &path, ScenarioStep &out)
{
    QJsonObject object;
    if (!this->object(value, path, object)
        || !allowOnly(
                object, path,
                names({"title", "caption", "highlight", "speed", "question", "actions", "expect"}))
        || !string(object, path, QStringLiteral("title"), out.title, true, 120)
        || !string(object, path, QStringLiteral("caption"), out.caption, true, 2000))
        return false;
    out.path = path;
    if (object.contains(QStringLiteral("speed"))) {
        const QJsonValue speed = object.value(QStringLiteral("speed"));
        if (!speed.isDouble() || speed.toDouble() < 0.05 || speed.toDouble() > 4)
            return fail(
                    JsonPositions::member(path, QStringLiteral("speed")),
                    tr("must be a number from 0.05 (slow motion) to 4, not %1").arg(kindOf(speed)));
        out.speed = speed.toDouble();
    }
    if (object.contains(QStringLiteral("question"))
        && !question(object.value(QStringLiteral("question")),
                     JsonPositions::member(path, QStringLiteral("question")),
                     out.question.emplace()))
        return false;
    const auto list = [&](const char *key, int maximum, auto &&readOne) {
        const QString where = JsonPositions::member(path, QLatin1String(key));
        if (!object.contains(QLatin1String(key)))
            return true;
        const QJsonValue items = object.value(QLatin1String(key));
        if (!items.isArray())
            return fail(where, tr("must be a list [ ... ], not %1").arg(kindOf(items)));
        if (items.toArray().size() > maximum)
            return fail(where, tr("has more than %1 entries").arg(maximum));
        for (qsizetype i = 0; i < items.toArray().size(); ++i)
            if (!readOne(items.toArray().at(i), JsonPositions::element(where, i)))
                return false;
        return true;
    };
    return list("highlight", 50,
                [&](const QJsonValue &item, const QString &where) {
                    const std::optional<SocketRef> ref = SocketRef::parse(item.toString());
                    if (!item.isString() || !ref)
                        return fail(where, tr("must name a socket: %1").arg(SocketRef::grammar()));
                    out.highlight << *ref;
                    return true;
                })
           && list("actions", ScenarioLoader::MaxActionsPerStep,
                   [&](const QJsonValue &item, const QString &where) {
                       return action(item, where, out.actions.emplace_back());
                   })
           && list("expect", 50, [&](const QJsonValue &item, const QString &where) {
                  QJsonObject condition;
                  return this->object(item, where, condition)
                         && allowOnly(condition, where, conditionFields())
                         && this->condition(condition, where, out.expectations.emplace_back());
              });
}

bool Reader::scenario(const QJsonValue &value, Scenario &out)
{
    QJsonObject object;
    if (!this->object(value, QString(), object)
        || !allowOnly(object, QString(),
                      names({"format", "version", "title", "description", "steps"})))
        return false;
    if (object.value(QStringLiteral("format")).toString() != QLatin1String("socketscope-scenario"))
        return fail(object.contains(QStringLiteral("format")) ? QStringLiteral("format")
                                                              : QString(),
                    tr(R"(a scenario file starts with "format": "socketscope-scenario")"));
    if (!integer(object, QString(), QStringLiteral("version"), out.version, 1, 1000, true))
        return false;
    if (out.version != Scenario::SchemaVersion)
        return fail(QStringLiteral("version"),
                    tr("this program reads scenario version %1; the file is version %2 (a newer "
                       "SocketScope may read it)")
                            .arg(Scenario::SchemaVersion)
                            .arg(out.version));
    if (!string(object, QString(), QStringLiteral("title"), out.title, true, 120)
        || !string(object, QString(), QStringLiteral("description"), out.description, false, 2000))
        return false;
    const QJsonValue steps = object.value(QStringLiteral("steps"));
    if (!steps.isArray() || steps.toArray().isEmpty()
        || steps.toArray().size() > ScenarioLoader::MaxSteps)
        return fail(object.contains(QStringLiteral("steps")) ? QStringLiteral("steps") : QString(),
                    tr("needs \"steps\": a list of 1 to %1 steps").arg(ScenarioLoader::MaxSteps));
    const QJsonArray list = steps.toArray();
    for (qsizetype i = 0; i < list.size(); ++i)
        if (!step(list.at(i), JsonPositions::element(QStringLiteral("steps"), i),
                  out.steps.emplace_back()))
            return false;
    return true;
}

} // namespace

ScenarioLoadResult ScenarioLoader::parse(const QByteArray &json, const QString &sourceName)
{
    ScenarioLoadResult result;
    if (json.size() > MaxFileBytes) {
        result.error = tr("%1: the file is larger than 1 MiB; a scenario is a few kilobytes")
                               .arg(sourceName);
        return result;
    }
    QJsonParseError syntax;
    const QJsonDocument document = QJsonDocument::fromJson(json, &syntax);
    if (syntax.error != QJsonParseError::NoError) {
        const TextPosition at = JsonPositions::positionOf(json, syntax.offset);
        result.error = tr("%1:%2:%3: not valid JSON: %4")
                               .arg(sourceName)
                               .arg(at.line)
                               .arg(at.column)
                               .arg(syntax.errorString());
        return result;
    }
    Reader reader(json, sourceName);
    Scenario scenario;
    const QJsonValue root
            = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    if (!reader.scenario(root, scenario)) {
        result.error = reader.error;
        return result;
    }
    result.scenario = std::move(scenario);
    return result;
}

ScenarioLoadResult ScenarioLoader::load(const QString &path)
{
    QFile file(path);
    const QString name = path.startsWith(QLatin1Char(':')) ? QFileInfo(path).fileName() : path;
    if (!file.open(QIODevice::ReadOnly)) {
        ScenarioLoadResult result;
        result.error = tr("%1: cannot read it: %2").arg(name, file.errorString());
        return result;
    }
    return parse(file.read(MaxFileBytes + 1), name);
}

} // namespace SocketScope
