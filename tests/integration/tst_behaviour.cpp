// SPDX-License-Identifier: MIT
#include "behaviour.h"

#include <QTest>

using namespace SocketScope;

class TestBehaviour : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void names_data();
    void names();
    void unknownName();
    void echo();
    void discard();
    void daytime();
    void factory();
};

void TestBehaviour::names_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<Behaviour>("behaviour");
    QTest::newRow("echo") << QStringLiteral("echo") << Behaviour::Echo;
    QTest::newRow("discard") << QStringLiteral("discard") << Behaviour::Discard;
    QTest::newRow("daytime") << QStringLiteral("daytime") << Behaviour::Daytime;
    QTest::newRow("upper case") << QStringLiteral(" ECHO ") << Behaviour::Echo;
}

void TestBehaviour::names()
{
    QFETCH(QString, name);
    QFETCH(Behaviour, behaviour);
    QCOMPARE(behaviourFromName(name), behaviour);
    QCOMPARE(behaviourFromName(behaviourName(behaviour)), behaviour);
}

void TestBehaviour::unknownName()
{
    QCOMPARE(behaviourFromName(QStringLiteral("chargen")), std::nullopt);
    QCOMPARE(behaviourFromName(QString()), std::nullopt);
}

void TestBehaviour::echo()
{
    const EchoBehaviour echo;
    QVERIFY(echo.onTcpConnected().reply.isEmpty());
    QVERIFY(!echo.onTcpConnected().closeAfterReply);
    const TcpReaction reaction = echo.onTcpData("hello\r\n");
    QCOMPARE(reaction.reply, QByteArray("hello\r\n"));
    QVERIFY(!reaction.closeAfterReply);
    QCOMPARE(echo.onDatagram(QByteArray("x\0y", 3)), QByteArray("x\0y", 3));
}

void TestBehaviour::discard()
{
    const DiscardBehaviour discard;
    QVERIFY(discard.onTcpConnected().reply.isEmpty());
    QVERIFY(discard.onTcpData("anything").reply.isEmpty());
    QVERIFY(!discard.onTcpData("anything").closeAfterReply);
    QCOMPARE(discard.onDatagram("anything"), std::nullopt);
}

void TestBehaviour::daytime()
{
    const QDateTime fixed(QDate(1982, 2, 22), QTime(17, 37, 43), Qt::UTC);
    const DaytimeBehaviour daytime([fixed] { return fixed; });
    const QByteArray line = daytime.dateLine();
    QCOMPARE(line, QByteArray("Monday, February 22, 1982 17:37:43 UTC\r\n"));
    const TcpReaction connected = daytime.onTcpConnected();
    QCOMPARE(connected.reply, line);
    QVERIFY(connected.closeAfterReply);
    // What a client sends is ignored on TCP; any datagram is answered on UDP.
    QVERIFY(daytime.onTcpData("hi").reply.isEmpty());
    QCOMPARE(daytime.onDatagram(QByteArray()), line);
}

void TestBehaviour::factory()
{
    for (Behaviour kind : {Behaviour::Echo, Behaviour::Discard, Behaviour::Daytime})
        QCOMPARE(makeBehaviour(kind)->kind(), kind);
}

QTEST_GUILESS_MAIN(TestBehaviour)
#include "tst_behaviour.moc"
