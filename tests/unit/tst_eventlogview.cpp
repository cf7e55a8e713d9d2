// SPDX-License-Identifier: MIT
#include "eventlogview.h"

#include "eventjournal.h"

#include <QTest>
#include <QTextBlock>

using namespace SocketScope;

class TestEventLogView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void longMessageStaysOneBoundedLine();
    void lineBreaksDoNotMakeMoreLines();
    void journalLinesNameTheirSocket();
};

void TestEventLogView::longMessageStaysOneBoundedLine()
{
    EventLog log;
    EventLogView view(log);
    view.resize(600, 300);
    view.show();
    log.append(EventSeverity::Info, QStringLiteral("before"));
    log.append(EventSeverity::Error, QStringLiteral("connection lost ").repeated(1500000 / 16));
    log.append(EventSeverity::Info, QStringLiteral("after"));
    QCOMPARE(view.document()->blockCount(), 3);
    // Laying out text costs time in proportion to its length: no line may be long.
    for (QTextBlock block = view.document()->begin(); block.isValid(); block = block.next())
        QVERIFY2(block.length() < EventLogView::MaxLineChars + 40,
                 qPrintable(QString::number(block.length())));
    QVERIFY(view.document()->lastBlock().text().endsWith(QStringLiteral("after")));
}

void TestEventLogView::lineBreaksDoNotMakeMoreLines()
{
    EventLog log(10);
    EventLogView view(log);
    // A message of a thousand lines is still one event: one line of the bounded document.
    log.append(EventSeverity::Warning, QStringLiteral("line\n").repeated(1000));
    log.append(EventSeverity::Info, QStringLiteral("a\r\nb"));
    QCOMPARE(view.document()->blockCount(), 2);
    QVERIFY(view.document()->lastBlock().text().endsWith(QStringLiteral("a\u21B5\u21B5b")));
    QCOMPARE(EventLogView::lineFor(log.events().constLast()), view.document()->lastBlock().text());
}

// The log as the journal has it: a line about a socket names it by its tuple, and keeps
// naming it after the socket is gone; every event can be listed too.
void TestEventLogView::journalLinesNameTheirSocket()
{
    SocketRegistry registry;
    EventLog log;
    EventJournal journal(registry, &log);
    EventLogView view(journal);
    SocketRecord record;
    record.role = SocketRole::TcpServerSide;
    record.local = {QHostAddress(QHostAddress::LocalHost), 9877};
    record.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), 40001};
    const SocketId id = registry.add(record);
    log.append(EventSeverity::Error, QStringLiteral("Connection reset by peer"), id);
    QCOMPARE(view.document()->blockCount(), 1); // the socket's own events are not lines yet
    const QString expected
            = QStringLiteral("ERROR   TCP #%1 (127.0.0.1:9877 \u2194 127.0.0.1:40001): "
                             "Connection reset by peer")
                      .arg(id);
    QVERIFY2(view.document()->lastBlock().text().endsWith(expected),
             qPrintable(view.document()->lastBlock().text()));
    registry.remove(id);
    view.setEveryEvent(true); // rebuilt from the journal, the socket long gone
    QCOMPARE(view.document()->blockCount(), 3);
    QVERIFY(view.document()->firstBlock().text().contains(QStringLiteral("accepted")));
    QVERIFY(view.document()->findBlockByNumber(1).text().endsWith(expected));
    QVERIFY(view.document()->lastBlock().text().endsWith(QStringLiteral("removed")));
    view.setEveryEvent(false);
    QCOMPARE(view.document()->blockCount(), 1);
}

QTEST_MAIN(TestEventLogView)
#include "tst_eventlogview.moc"
