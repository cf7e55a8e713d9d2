// SPDX-License-Identifier: MIT
#include "eventjournal.h"

#include "eventlog.h"
#include "journalcodec.h"
#include "safefilewriter.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace SocketScope {

namespace {
const QString kSchemaName = QStringLiteral("socketscope-journal");
} // namespace

EventJournal::EventJournal(SocketRegistry &registry, EventLog *log, Limits limits, QObject *parent)
    : QObject(parent), m_limits(limits), m_registry(&registry)
{
    m_limits.maxEvents = qMax<qsizetype>(m_limits.maxEvents, 8);
    m_limits.keyframeEvery = qMax<qsizetype>(m_limits.keyframeEvery, 1);
    // The moment before the first event: what the registry already holds.
    m_keyframes.push_back({0, registry.records()});
    connect(&registry, &SocketRegistry::eventApplied, this, &EventJournal::record);
    if (log)
        connect(log, &EventLog::eventAppended, this, &EventJournal::recordLogLine);
}

EventJournal::EventJournal(Limits limits) : m_limits(limits)
{
    m_limits.maxEvents = qMax<qsizetype>(m_limits.maxEvents, 8);
    m_limits.keyframeEvery = qMax<qsizetype>(m_limits.keyframeEvery, 1);
    m_ownRegistry = std::make_unique<SocketRegistry>();
    m_registry = m_ownRegistry.get();
    connect(m_registry, &SocketRegistry::eventApplied, this, &EventJournal::record);
}

EventJournal::~EventJournal() = default;

quint64 EventJournal::firstSeq() const
{
    return m_events.empty() ? 0 : m_events.front().seq;
}

const SocketEvent *EventJournal::eventAt(quint64 seq) const
{
    if (m_events.empty() || seq < m_events.front().seq || seq > m_lastSeq)
        return nullptr;
    return &m_events[static_cast<size_t>(seq - m_events.front().seq)];
}

QList<SocketEvent> EventJournal::range(quint64 from, quint64 to) const
{
    QList<SocketEvent> events;
    if (m_events.empty())
        return events;
    from = qMax(from, m_events.front().seq);
    to = qMin(to, m_lastSeq);
    for (quint64 seq = from; seq <= to && seq >= from; ++seq)
        events.append(*eventAt(seq));
    return events;
}

void EventJournal::record(SocketEvent event)
{
    event.seq = ++m_lastSeq;
    if (event.kind == EventKind::Traffic && event.count > 1)
        m_folded += event.count - 1;
    m_events.push_back(event);
    ++m_sinceKeyframe;
    takeKeyframeIfDue();
    if (static_cast<qsizetype>(m_events.size()) > m_limits.maxEvents)
        dropOldest();
    Q_EMIT eventRecorded(m_events.back());
}

void EventJournal::recordLogLine(const LogEvent &line)
{
    SocketEvent event = m_registry->messageAbout(line);
    // A socket no longer here has no tuple to name it by: the line is about no one socket.
    if (!m_registry->contains(line.socket))
        event.socket = InvalidSocketId;
    record(std::move(event));
}

qsizetype EventJournal::keyframeInterval() const
{
    const qsizetype wanted = qMax(m_limits.keyframeEvery, 4 * m_registry->count());
    // At least four keyframes fit in the journal, so dropping the oldest interval never
    // takes more than a quarter of it.
    return qBound<qsizetype>(1, wanted, qMax<qsizetype>(m_limits.maxEvents / 4, 1));
}

void EventJournal::takeKeyframeIfDue()
{
    if (m_sinceKeyframe < keyframeInterval())
        return;
    m_keyframes.push_back({m_lastSeq, m_registry->records()});
    m_sinceKeyframe = 0;
}

void EventJournal::dropOldest()
{
    if (m_keyframes.size() < 2) {
        m_keyframes.push_back({m_lastSeq, m_registry->records()});
        m_sinceKeyframe = 0;
    }
    m_keyframes.pop_front();
    const quint64 keepAfter = m_keyframes.front().seq;
    while (!m_events.empty() && m_events.front().seq <= keepAfter) {
        m_events.pop_front();
        ++m_dropped;
    }
}

std::optional<QList<SocketRecord>> EventJournal::snapshotAt(quint64 seq) const
{
    if (m_keyframes.empty() || seq < m_keyframes.front().seq || seq > m_lastSeq)
        return std::nullopt;
    // The newest keyframe at or before seq.
    auto after = std::upper_bound(m_keyframes.begin(), m_keyframes.end(), seq,
                                  [](quint64 wanted, const Keyframe &k) { return wanted < k.seq; });
    const Keyframe &keyframe = *std::prev(after);
    SocketRegistry replay;
    replay.replaceAll(keyframe.records);
    for (quint64 s = keyframe.seq + 1; s <= seq; ++s)
        replay.apply(*eventAt(s));
    return replay.records();
}

bool EventJournal::restore(quint64 seq, SocketRegistry &into) const
{
    const std::optional<QList<SocketRecord>> records = snapshotAt(seq);
    if (!records)
        return false;
    into.replaceAll(*records);
    return true;
}

QByteArray EventJournal::toJsonLines() const
{
    QByteArray out;
    QJsonObject header;
    header.insert(QStringLiteral("schema"), kSchemaName);
    header.insert(QStringLiteral("version"), SchemaVersion);
    header.insert(QStringLiteral("host"), m_registry->hostName());
    header.insert(QStringLiteral("events"), static_cast<qint64>(m_events.size()));
    header.insert(QStringLiteral("dropped"), static_cast<qint64>(m_dropped));
    header.insert(QStringLiteral("folded"), static_cast<qint64>(m_folded));
    out += QJsonDocument(header).toJson(QJsonDocument::Compact) + '\n';

    QJsonArray sockets;
    const Keyframe &start = m_keyframes.front();
    for (const SocketRecord &record : start.records)
        sockets.append(recordToJournalJson(record));
    QJsonObject keyframe;
    keyframe.insert(QStringLiteral("seq"), static_cast<qint64>(start.seq));
    keyframe.insert(QStringLiteral("sockets"), sockets);
    QJsonObject keyframeLine;
    keyframeLine.insert(QStringLiteral("keyframe"), keyframe);
    out += QJsonDocument(keyframeLine).toJson(QJsonDocument::Compact) + '\n';

    for (const SocketEvent &event : m_events)
        out += QJsonDocument(eventToJournalJson(event)).toJson(QJsonDocument::Compact) + '\n';
    return out;
}

bool EventJournal::writeFile(const QString &path, QString *errorMessage) const
{
    return SafeFileWriter::write(path, toJsonLines(), errorMessage);
}

std::unique_ptr<EventJournal> EventJournal::fromJsonLines(const QByteArray &bytes, QString *error,
                                                          Limits limits)
{
    std::unique_ptr<EventJournal> journal(new EventJournal(limits));
    const QList<QByteArray> lines = bytes.split('\n');
    qsizetype lineNumber = 0;
    const auto fail = [&](const QString &what) {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(lineNumber).arg(what);
        return nullptr;
    };
    const auto parse = [&](const QByteArray &line, QJsonObject &object) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            if (error)
                *error = QStringLiteral("line %1, column %2: %3")
                                 .arg(lineNumber)
                                 .arg(parseError.offset + 1)
                                 .arg(parseError.errorString());
            return false;
        }
        if (!document.isObject()) {
            if (error)
                *error = QStringLiteral("line %1: expected a JSON object").arg(lineNumber);
            return false;
        }
        object = document.object();
        return true;
    };

    bool haveHeader = false;
    qsizetype lastContentLine = 0;
    quint64 foldedBeforeStart = 0;
    bool haveKeyframe = false;
    for (const QByteArray &line : lines) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        lastContentLine = lineNumber;
        QJsonObject object;
        if (!parse(line, object))
            return nullptr;
        if (!haveHeader) {
            if (object.value(QStringLiteral("schema")).toString() != kSchemaName)
                return fail(QStringLiteral("schema: expected \"%1\" (is this a SocketScope "
                                           "journal?)")
                                    .arg(kSchemaName));
            const QJsonValue version = object.value(QStringLiteral("version"));
            if (version.toInt() != SchemaVersion)
                return fail(QStringLiteral("version: expected %1, found %2")
                                    .arg(SchemaVersion)
                                    .arg(version.toVariant().toString()));
            journal->m_registry->setHostName(object.value(QStringLiteral("host")).toString());
            journal->m_dropped
                    = static_cast<quint64>(object.value(QStringLiteral("dropped")).toInteger());
            // What was folded counts whole; the events left only show part of it.
            foldedBeforeStart
                    = static_cast<quint64>(object.value(QStringLiteral("folded")).toInteger());
            haveHeader = true;
            continue;
        }
        if (!haveKeyframe) {
            const QJsonObject keyframe = object.value(QStringLiteral("keyframe")).toObject();
            const QJsonValue seq = keyframe.value(QStringLiteral("seq"));
            if (!seq.isDouble() || seq.toInteger() < 0)
                return fail(QStringLiteral("keyframe.seq: expected a number of 0 or more"));
            const QJsonArray sockets = keyframe.value(QStringLiteral("sockets")).toArray();
            QList<SocketRecord> records;
            for (qsizetype i = 0; i < sockets.size(); ++i) {
                SocketRecord record;
                QString what;
                if (!recordFromJournalJson(sockets.at(i),
                                           QStringLiteral("keyframe.sockets[%1]").arg(i), record,
                                           what))
                    return fail(what);
                records.append(record);
            }
            journal->m_registry->replaceAll(records);
            journal->m_lastSeq = static_cast<quint64>(seq.toInteger());
            journal->m_keyframes.push_back({journal->m_lastSeq, records});
            haveKeyframe = true;
            continue;
        }
        SocketEvent event;
        QString what;
        if (!eventFromJournalJson(object, event, what))
            return fail(what);
        if (event.seq != journal->m_lastSeq + 1)
            return fail(QStringLiteral("seq: expected %1, found %2")
                                .arg(journal->m_lastSeq + 1)
                                .arg(event.seq));
        if (!journal->m_registry->apply(event))
            return fail(QStringLiteral("socket: a '%1' event that does not fit socket %2 at "
                                       "this point (unknown, or already there)")
                                .arg(eventKindName(event.kind))
                                .arg(event.socket));
    }
    if (!haveHeader || !haveKeyframe) {
        lineNumber = lastContentLine + 1;
        return fail(haveHeader ? QStringLiteral("the keyframe line is missing")
                               : QStringLiteral("empty: not a SocketScope journal"));
    }
    journal->m_folded = qMax(journal->m_folded, foldedBeforeStart);
    return journal;
}

} // namespace SocketScope
