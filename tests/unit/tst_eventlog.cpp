// SPDX-License-Identifier: MIT
#include "eventlog.h"

#include <QSignalSpy>
#include <QTest>

using namespace SocketScope;

class TestEventLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void longMessageIsBounded();
    void boundingIsIdempotent();
    void boundingKeepsWholeCharacters();
    void shortMessageIsKept();
    void capacityDropsTheOldest();
};

void TestEventLog::longMessageIsBounded()
{
    // The size of a worker's "closed" detail that once held the window for minutes.
    const QString huge = QStringLiteral("connection lost ").repeated(1500000 / 16);
    EventLog log;
    QSignalSpy appended(&log, &EventLog::eventAppended);
    log.append(EventSeverity::Error, huge, 7);
    QCOMPARE(log.events().size(), 1);
    const QString stored = log.events().constFirst().message;
    QVERIFY2(stored.size() <= EventLog::MaxMessageChars,
             qPrintable(QString::number(stored.size())));
    QVERIFY(stored.startsWith(QStringLiteral("connection lost connection lost")));
    // Says how much is missing, so a reader knows the message was cut.
    const qsizetype kept = stored.indexOf(QStringLiteral(" \u2026 ("));
    QVERIFY(kept > 0);
    QVERIFY(stored.endsWith(
            QStringLiteral(" \u2026 (%1 more characters)").arg(huge.size() - kept)));
    // What the signal carries (to the window, to the mirror) is the bounded copy.
    QCOMPARE(appended.size(), 1);
    QCOMPARE(appended.constFirst().constFirst().value<LogEvent>().message, stored);
    QCOMPARE(log.events().constFirst().socket, SocketId(7));
}

void TestEventLog::boundingIsIdempotent()
{
    // The mirror appends the network's (bounded) events to the window's log once more.
    const QString once = boundedText(QString(5000, QLatin1Char('a')), EventLog::MaxMessageChars);
    QCOMPARE(boundedText(once, EventLog::MaxMessageChars), once);
    EventLog log;
    log.append(EventSeverity::Info, once);
    QCOMPARE(log.events().constFirst().message, once);
}

void TestEventLog::boundingKeepsWholeCharacters()
{
    // U+1F600 is two UTF-16 units: a cut between them would leave half a character.
    const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80");
    for (int shift = 0; shift < 2; ++shift) {
        const QString text = QString(shift, QLatin1Char('x')) + emoji.repeated(100);
        const QString bounded = boundedText(text, 100);
        QVERIFY(bounded.size() <= 100);
        for (qsizetype i = 0; i < bounded.size(); ++i) {
            if (bounded.at(i).isHighSurrogate())
                QVERIFY(i + 1 < bounded.size() && bounded.at(i + 1).isLowSurrogate());
        }
    }
}

void TestEventLog::shortMessageIsKept()
{
    const QString text(EventLog::MaxMessageChars, QLatin1Char('b'));
    QCOMPARE(boundedText(text, EventLog::MaxMessageChars), text);
}

void TestEventLog::capacityDropsTheOldest()
{
    EventLog log(20);
    for (int i = 0; i < 25; ++i)
        log.append(EventSeverity::Info, QString::number(i));
    QVERIFY(log.events().size() <= 20);
    QCOMPARE(log.events().constLast().message, QStringLiteral("24"));
}

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
