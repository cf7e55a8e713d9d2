// SPDX-License-Identifier: MIT
#include "eventlogview.h"

#include <QTest>
#include <QTextBlock>

using namespace SocketScope;

class TestEventLogView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void longMessageStaysOneBoundedLine();
    void lineBreaksDoNotMakeMoreLines();
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

QTEST_MAIN(TestEventLogView)
#include "tst_eventlogview.moc"
