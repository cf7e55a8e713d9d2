// SPDX-License-Identifier: MIT
#pragma once

#include "socketevent.h"
#include "socketregistry.h"

#include <QByteArray>
#include <QObject>

#include <deque>
#include <memory>
#include <optional>

namespace SocketScope {

class EventLog;

// How much history the journal keeps (outside the class: a default argument cannot use a
// nested struct's member initializers before the class is complete).
struct JournalLimits
{
    qsizetype maxEvents = 200'000;
    // A keyframe after this many events, or after four events per open socket if that is
    // more: a keyframe costs a copy of every record, so with many sockets it comes less
    // often and keyframes never cost more than the events between them.
    qsizetype keyframeEvery = 1'000;
};

// Everything that happened, in order: every event the registry applied and every line of the
// event log, each with a sequence number. The registry is the journal's projection at its
// newest event; keyframes (copies of the records) every so often let snapshotAt() rebuild
// any earlier moment by replaying from the nearest one.
//
// Bounded: at most Limits::maxEvents events are kept. Past that the oldest keyframe interval
// goes as a whole, so the journal always starts at a keyframe and every moment it still
// holds can be rebuilt; droppedEvents() counts what went. Floods are folded before they get
// here (RegistryMirror): foldedEvents() counts the sends and receives folded into others.
class EventJournal : public QObject
{
    Q_OBJECT
public:
    using Limits = JournalLimits;
    static constexpr int SchemaVersion = 1;

    // Records what `registry` applies and `log` (if any) appends from now on.
    EventJournal(SocketRegistry &registry, EventLog *log, Limits limits, QObject *parent = nullptr);
    EventJournal(SocketRegistry &registry, EventLog *log, QObject *parent = nullptr)
        : EventJournal(registry, log, Limits{}, parent)
    { }
    ~EventJournal() override;

    // A journal read from a JSON Lines file (see toJsonLines), not attached to anything. On
    // failure nullptr, and `error` says which line and field and what is wrong.
    static std::unique_ptr<EventJournal> fromJsonLines(const QByteArray &bytes, QString *error,
                                                       Limits limits = {});

    // The sequence numbers held: [firstSeq(), lastSeq()]; both 0 while empty. A snapshot can
    // be had for every seq from firstSeq() - 1 (the state before the first event) on.
    quint64 firstSeq() const;
    quint64 lastSeq() const { return m_lastSeq; }
    qsizetype size() const { return static_cast<qsizetype>(m_events.size()); }
    bool isEmpty() const { return m_events.empty(); }
    const SocketEvent *eventAt(quint64 seq) const;
    // The events with from <= seq <= to that are still held.
    QList<SocketEvent> range(quint64 from, quint64 to) const;

    // The records as they were right after event `seq` (0: before anything), in their order;
    // nullopt for a moment no longer held or not yet reached.
    std::optional<QList<SocketRecord>> snapshotAt(quint64 seq) const;
    // Makes `into` hold that moment (it announces the change as removals and additions).
    bool restore(quint64 seq, SocketRegistry &into) const;

    quint64 droppedEvents() const { return m_dropped; }
    quint64 foldedEvents() const { return m_folded; }
    qsizetype keyframeCount() const { return static_cast<qsizetype>(m_keyframes.size()); }
    const Limits &limits() const { return m_limits; }

    // The file: a header line, one keyframe line (the records at the start), then one line
    // per event. Documented in README.md ("Journal file").
    QByteArray toJsonLines() const;
    bool writeFile(const QString &path, QString *errorMessage) const;

Q_SIGNALS:
    void eventRecorded(const SocketScope::SocketEvent &event);

private:
    struct Keyframe
    {
        quint64 seq = 0; // the records right after this event
        QList<SocketRecord> records;
    };

    explicit EventJournal(Limits limits); // detached: replays into a registry of its own
    void record(SocketEvent event);
    void recordLogLine(const LogEvent &line);
    void takeKeyframeIfDue();
    void dropOldest();
    qsizetype keyframeInterval() const;

    Limits m_limits;
    std::unique_ptr<SocketRegistry> m_ownRegistry; // a loaded journal's projection
    SocketRegistry *m_registry = nullptr;
    std::deque<SocketEvent> m_events;
    std::deque<Keyframe> m_keyframes;
    quint64 m_lastSeq = 0;
    quint64 m_dropped = 0;
    quint64 m_folded = 0;
    qsizetype m_sinceKeyframe = 0;
};

} // namespace SocketScope
