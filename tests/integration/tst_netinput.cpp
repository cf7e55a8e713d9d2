// SPDX-License-Identifier: MIT
#include "netinput.h"

#include <QTest>

using namespace SocketScope;

class TestNetInput : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void addresses_data();
    void addresses();
    void badAddresses_data();
    void badAddresses();
    void ports_data();
    void ports();
    void integers();
    void behaviours();
};

void TestNetInput::addresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QHostAddress>("expected");
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1") << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("spaces") << QStringLiteral(" 127.0.0.1 ")
                            << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("ipv6") << QStringLiteral("::1") << QHostAddress(QHostAddress::LocalHostIPv6);
    QTest::newRow("bracketed ipv6")
            << QStringLiteral("[::1]") << QHostAddress(QHostAddress::LocalHostIPv6);
    QTest::newRow("localhost") << QStringLiteral("localhost")
                               << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("any") << QStringLiteral("any") << QHostAddress(QHostAddress::AnyIPv4);
    QTest::newRow("star") << QStringLiteral("*") << QHostAddress(QHostAddress::AnyIPv4);
}

void TestNetInput::addresses()
{
    QFETCH(QString, text);
    QFETCH(QHostAddress, expected);
    const Parsed<QHostAddress> parsed = parseAddress(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(*parsed.value, expected);
    QVERIFY(parsed.error.isEmpty());
}

void TestNetInput::badAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("name") << QStringLiteral("example.org");
    QTest::newRow("octet too big") << QStringLiteral("127.0.0.256");
    QTest::newRow("with port") << QStringLiteral("127.0.0.1:9877");
    QTest::newRow("garbage") << QStringLiteral("12..7");
}

void TestNetInput::badAddresses()
{
    QFETCH(QString, text);
    const Parsed<QHostAddress> parsed = parseAddress(text);
    QVERIFY(!parsed.ok());
    // The message tells what would be accepted.
    QVERIFY2(parsed.error.contains(QLatin1String("127.0.0.1")), qPrintable(parsed.error));
}

void TestNetInput::ports_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<int>("expected"); // -1: rejected
    QTest::newRow("default") << QStringLiteral("9877") << true << 9877;
    QTest::newRow("zero allowed") << QStringLiteral("0") << true << 0;
    QTest::newRow("zero refused") << QStringLiteral("0") << false << -1;
    QTest::newRow("max") << QStringLiteral("65535") << true << 65535;
    QTest::newRow("too big") << QStringLiteral("65536") << true << -1;
    QTest::newRow("negative") << QStringLiteral("-1") << true << -1;
    QTest::newRow("huge") << QStringLiteral("99999999999999999999") << true << -1;
    QTest::newRow("text") << QStringLiteral("http") << true << -1;
    QTest::newRow("empty") << QString() << true << -1;
}

void TestNetInput::ports()
{
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(int, expected);
    const Parsed<quint16> parsed = parsePort(text, allowZero);
    if (expected < 0) {
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error.contains(QLatin1String("65535")), qPrintable(parsed.error));
    } else {
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        QCOMPARE(int(*parsed.value), expected);
    }
}

void TestNetInput::integers()
{
    const QString what = QStringLiteral("--clients");
    QCOMPARE(parseInteger(QStringLiteral("3"), 0, 20000, what).value, 3);
    const Parsed<int> absurd = parseInteger(QStringLiteral("1000000"), 0, 20000, what);
    QVERIFY(!absurd.ok());
    QVERIFY(absurd.error.startsWith(what));
    QVERIFY(!parseInteger(QStringLiteral("-2"), 0, 20000, what).ok());
    QVERIFY(!parseInteger(QStringLiteral("2.5"), 0, 20000, what).ok());
}

void TestNetInput::behaviours()
{
    QCOMPARE(parseBehaviour(QStringLiteral("daytime")).value, Behaviour::Daytime);
    const Parsed<Behaviour> bad = parseBehaviour(QStringLiteral("chargen"));
    QVERIFY(!bad.ok());
    QVERIFY(bad.error.contains(QLatin1String("echo, discard or daytime")));
}

QTEST_GUILESS_MAIN(TestNetInput)
#include "tst_netinput.moc"
