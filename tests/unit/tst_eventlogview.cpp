// SPDX-License-Identifier: MIT
#include "eventlogview.h"

#include "eventjournal.h"

#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include <ctime>

using namespace SocketScope;

class TestEventLogView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void longMessageStaysOneBoundedLine();
    void lineBreaksDoNotMakeMoreLines();
    void journalLinesNameTheirSocket();
    void aBatchOfLinesIsAddedOnceInOrder();
    void followsNewLinesUnlessScrolledUp();
    void copiesTheSelectedLines();
    void timeIsLocalAcrossAnOffsetChange();
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
    view.flush();
    const EventLogModel &lines = view.lines();
    QCOMPARE(lines.rowCount(), 3);
    // Laying out text costs time in proportion to its length: no line may be long.
    for (int row = 0; row < lines.rowCount(); ++row)
        QVERIFY2(lines.lineAt(row).size() < EventLogView::MaxLineChars + 40,
                 qPrintable(QString::number(lines.lineAt(row).size())));
    QVERIFY(lines.lineAt(2).endsWith(QStringLiteral("after")));
    QCOMPARE(lines.severityAt(1), EventSeverity::Error);
}

void TestEventLogView::lineBreaksDoNotMakeMoreLines()
{
    EventLog log(10);
    EventLogView view(log);
    // A message of a thousand lines is still one event: one line of the bounded list.
    log.append(EventSeverity::Warning, QStringLiteral("line\n").repeated(1000));
    log.append(EventSeverity::Info, QStringLiteral("a\r\nb"));
    view.flush();
    QCOMPARE(view.lines().rowCount(), 2);
    QVERIFY(view.lines().lineAt(1).endsWith(QStringLiteral("a\u21B5\u21B5b")));
    QCOMPARE(EventLogView::lineFor(log.events().constLast()), view.lines().lineAt(1));
    QVERIFY(!view.lines().lineAt(0).contains(QLatin1Char('\n')));
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
    view.flush();
    const EventLogModel &lines = view.lines();
    QCOMPARE(lines.rowCount(), 1); // the socket's own events are not lines yet
    const QString expected
            = QStringLiteral("ERROR   TCP #%1 (127.0.0.1:9877 \u2194 127.0.0.1:40001): "
                             "Connection reset by peer")
                      .arg(id);
    QVERIFY2(lines.lineAt(0).endsWith(expected), qPrintable(lines.lineAt(0)));
    registry.remove(id);
    view.setEveryEvent(true); // rebuilt from the journal, the socket long gone
    QCOMPARE(lines.rowCount(), 3);
    QVERIFY(lines.lineAt(0).contains(QStringLiteral("accepted")));
    QVERIFY(lines.lineAt(1).endsWith(expected));
    QVERIFY(lines.lineAt(2).endsWith(QStringLiteral("removed")));
    view.setEveryEvent(false);
    QCOMPARE(lines.rowCount(), 1);
}

// Lines that arrive together are added together when control returns to the event loop, in
// order, and what waits is bounded by the log's capacity.
void TestEventLogView::aBatchOfLinesIsAddedOnceInOrder()
{
    EventLog log(50);
    EventLogView view(log);
    const EventLogModel &lines = view.lines();
    log.append(EventSeverity::Info, QStringLiteral("first"));
    QCOMPARE(lines.pendingLineCount(), 1);
    QCOMPARE(lines.rowCount(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(lines.pendingLineCount(), 0);
    QCOMPARE(lines.rowCount(), 1);
    QVERIFY(lines.lineAt(0).endsWith(QStringLiteral("first")));

    QSignalSpy inserted(&lines, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&lines, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 175; ++i)
        log.append(i % 7 == 0 ? EventSeverity::Error : EventSeverity::Info,
                   QStringLiteral("line %1").arg(i));
    QCOMPARE(lines.pendingLineCount(), 50); // older ones would be trimmed on arrival anyway
    QCoreApplication::processEvents();
    QCOMPARE(inserted.size(), 1); // one line at a time would be 175
    QCOMPARE(removed.size(), 1); // "first", trimmed to the bound
    QCOMPARE(lines.rowCount(), 50);
    QVERIFY(lines.lineAt(0).endsWith(QStringLiteral("line 125")));
    QVERIFY(lines.lineAt(49).endsWith(QStringLiteral("line 174")));
    for (int row = 1; row < 50; ++row)
        QVERIFY(lines.lineAt(row).endsWith(QStringLiteral("line %1").arg(125 + row)));
    // Errors keep their colour.
    const QModelIndex errorLine = lines.index(168 - 125);
    QVERIFY(errorLine.data().toString().endsWith(QStringLiteral("line 168")));
    QCOMPARE(errorLine.data(Qt::ForegroundRole).value<QColor>(), QColor(0xD5, 0x5E, 0x00));
    QVERIFY(!lines.index(2).data(Qt::ForegroundRole).isValid()); // line 127
    QCOMPARE(errorLine.data(Qt::ToolTipRole), errorLine.data());
}

// New lines scroll into view while the reader is at the bottom, and leave an older line the
// reader scrolled up to where it is.
void TestEventLogView::followsNewLinesUnlessScrolledUp()
{
    EventLog log(500);
    EventLogView view(log);
    view.resize(500, 120);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (int i = 0; i < 100; ++i)
        log.append(EventSeverity::Info, QStringLiteral("line %1").arg(i));
    view.flush();
    QScrollBar *bar = view.verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
    bar->setValue(3);
    log.append(EventSeverity::Info, QStringLiteral("while reading"));
    view.flush();
    QCOMPARE(bar->value(), 3);
    QCoreApplication::processEvents(); // laid out, as a reader sees it, who scrolls down
    bar->setValue(bar->maximum());
    const int before = bar->maximum();
    for (int i = 0; i < 20; ++i)
        log.append(EventSeverity::Info, QStringLiteral("more %1").arg(i));
    view.flush();
    QVERIFY(bar->maximum() > before);
    QCOMPARE(bar->value(), bar->maximum());
    // Behind another tab it scrolls when shown again.
    view.hide();
    for (int i = 0; i < 50; ++i)
        log.append(EventSeverity::Info, QStringLiteral("hidden %1").arg(i));
    view.flush();
    view.show();
    QCoreApplication::processEvents();
    QVERIFY(bar->maximum() > before + 40);
    QCOMPARE(bar->value(), bar->maximum());
}

void TestEventLogView::copiesTheSelectedLines()
{
    EventLog log;
    EventLogView view(log);
    for (int i = 0; i < 5; ++i)
        log.append(EventSeverity::Info, QStringLiteral("line %1").arg(i));
    view.flush();
    QCOMPARE(view.selectedText().count(QLatin1Char('\n')), 4); // nothing selected: all
    view.selectionModel()->select(view.lines().index(3), QItemSelectionModel::Select);
    view.selectionModel()->select(view.lines().index(1), QItemSelectionModel::Select);
    const QStringList copied = view.selectedText().split(QLatin1Char('\n'));
    QCOMPARE(copied.size(), 2);
    QVERIFY(copied.at(0).endsWith(QStringLiteral("line 1"))); // in the log's order
    QVERIFY(copied.at(1).endsWith(QStringLiteral("line 3")));
}

// The line's clock is local time as QDateTime has it, also on both sides of a change of the
// zone's offset (Berlin's spring and autumn changes of 2026).
void TestEventLogView::timeIsLocalAcrossAnOffsetChange()
{
    const QByteArray zoneBefore = qgetenv("TZ");
    qputenv("TZ", "Europe/Berlin");
    tzset();
    const QDateTime springChange(QDate(2026, 3, 29), QTime(1, 0), Qt::UTC);
    const QDateTime autumnChange(QDate(2026, 10, 25), QTime(1, 0), Qt::UTC);
    for (const QDateTime &change : {springChange, autumnChange}) {
        for (qint64 deltaMs : {-3600001LL, -1LL, 0LL, 1LL, 999LL, 3599999LL, 86400000LL}) {
            LogEvent event;
            event.time = change.addMSecs(deltaMs);
            event.message = QStringLiteral("x");
            const QString expected
                    = event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
            QVERIFY2(EventLogView::lineFor(event).startsWith(expected),
                     qPrintable(EventLogView::lineFor(event) + QStringLiteral(" vs ") + expected));
        }
    }
    if (zoneBefore.isNull())
        qunsetenv("TZ");
    else
        qputenv("TZ", zoneBefore);
    tzset();
}

QTEST_MAIN(TestEventLogView)
#include "tst_eventlogview.moc"
