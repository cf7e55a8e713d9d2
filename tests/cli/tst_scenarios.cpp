// SPDX-License-Identifier: MIT
// Every shipped scenario played headless by the real binary on loopback (ephemeral ports),
// each step's expectations checked against the kernel; and what a failing or malformed
// scenario makes the program say.
#include "clirun.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace SocketScope::Test;

namespace {

Run playScenario(const QStringList &arguments, const QString &home)
{
    QProcess process;
    process.setProcessEnvironment(appEnvironment(home));
    process.start(QStringLiteral(SOCKETSCOPE_BINARY),
                  QStringList{QStringLiteral("--tcp-port"), QStringLiteral("0"),
                              QStringLiteral("--udp-port"), QStringLiteral("0")}
                          + arguments);
    return finish(process, 100000);
}

int stepCount(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    return static_cast<int>(
            QJsonDocument::fromJson(file.readAll()).object().value(u"steps").toArray().size());
}

} // namespace

class TestScenarios : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_home.isValid()); }
    void everyShippedScenarioPasses_data();
    void everyShippedScenarioPasses();
    void theBuiltInTourPlaysUpToAStep();
    void aFailedExpectationNamesTheStepAndTheKernelsView();
    void aMalformedScenarioChangesNothing();
    void restartWithoutReuseAddressShowsTheRealError();
    void clientsFromOtherLoopbackAddresses();
    void slidesAndAHandoutOfTheTour();
    void oneStepAsTheHallSeesIt();

private:
    QTemporaryDir m_home;
};

void TestScenarios::everyShippedScenarioPasses_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(SOCKETSCOPE_SCENARIO_DIR));
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files))
        QTest::newRow(qPrintable(name)) << dir.filePath(name);
}

void TestScenarios::everyShippedScenarioPasses()
{
    QFETCH(QString, path);
    const int steps = stepCount(path);
    QVERIFY(steps > 0);
    const Run run = playScenario({QStringLiteral("--scenario"), path}, m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    for (int step = 1; step <= steps; ++step)
        QVERIFY2(run.out.contains(QStringLiteral("✓ step %1/%2 ").arg(step).arg(steps)),
                 qPrintable(run.out + run.err));
    QVERIFY2(!run.err.contains(u"✗"), qPrintable(run.err));
}

void TestScenarios::theBuiltInTourPlaysUpToAStep()
{
    const QString state = m_home.filePath(QStringLiteral("tour-step4.json"));
    const Run run = playScenario({QStringLiteral("--tour"), QStringLiteral("--step"),
                                  QStringLiteral("4"), QStringLiteral("--export-state"), state},
                                 m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY(run.out.contains(u"✓ step 4/"));
    QVERIFY(!run.out.contains(u"step 5/"));
    // The export is of that moment: a listener and two connections, nothing of step 5 on.
    QFile file(state);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray sockets
            = QJsonDocument::fromJson(file.readAll()).object().value(u"sockets").toArray();
    int listeners = 0, accepted = 0, udp = 0;
    for (const QJsonValue &socket : sockets) {
        const QString role = socket.toObject().value(u"role").toString();
        listeners += role == u"tcp-listener";
        accepted += role == u"tcp-server-side";
        udp += role.startsWith(u"udp");
    }
    QCOMPARE(listeners, 1);
    QCOMPARE(accepted, 2);
    QCOMPARE(udp, 0);

    const Run tooFar = playScenario(
            {QStringLiteral("--tour"), QStringLiteral("--step"), QStringLiteral("99")},
            m_home.path());
    QCOMPARE(tooFar.exitCode, 2);
    QVERIFY2(tooFar.err.contains(u"socketscope: --step 99: the scenario has"),
             qPrintable(tooFar.err));
}

void TestScenarios::aFailedExpectationNamesTheStepAndTheKernelsView()
{
    const QString path = m_home.filePath(QStringLiteral("wrong.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({ "format": "socketscope-scenario", "version": 1, "title": "wrong",
        "steps": [
          { "title": "listen", "caption": "c", "actions": [ { "do": "start-tcp-server" } ],
            "expect": [ { "socket": "listener", "state": "LISTEN" } ] },
          { "title": "connect", "caption": "c", "actions": [ { "do": "spawn-tcp-clients" } ],
            "expect": [ { "socket": "tcp-client 1", "state": "CLOSE_WAIT" },
                        { "count": 0, "role": "tcp-server-side" } ] }
        ] })");
    file.close();
    const Run run = playScenario({QStringLiteral("--scenario"), path}, m_home.path());
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.contains(u"✓ step 1/2 \"listen\""));
    QVERIFY2(run.err.contains(QRegularExpression(
                     QStringLiteral("socketscope: ✗ step 2/2 \"connect\": expected that "
                                    "tcp-client 1 is in CLOSE_WAIT, but the (kernel|program) "
                                    "shows ESTABLISHED"))),
             qPrintable(run.err));
    QVERIFY2(run.err.contains(u"expected that 0 × tcp-server-side, but 1 found"),
             qPrintable(run.err));
}

void TestScenarios::aMalformedScenarioChangesNothing()
{
    const QString path = m_home.filePath(QStringLiteral("malformed.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
            "{ \"format\": \"socketscope-scenario\", \"version\": 1, \"title\": \"t\",\n"
            "  \"steps\": [ { \"title\": \"s\", \"caption\": \"c\",\n"
            "    \"actions\": [ { \"do\": \"start-tcp-server\" }, { \"do\": \"spawn\" } ] } ] }");
    file.close();
    const QString state = m_home.filePath(QStringLiteral("malformed-state.json"));
    const Run run = playScenario(
            {QStringLiteral("--scenario"), path, QStringLiteral("--export-state"), state},
            m_home.path());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(path + QStringLiteral(":3:56: steps[0].actions[1].do: ")),
             qPrintable(run.err));
    // Nothing ran: not even the valid first action started a server.
    QVERIFY(!run.err.contains(u"listening"));
    QVERIFY(!QFile::exists(state));
}

void TestScenarios::restartWithoutReuseAddressShowsTheRealError()
{
    const Run run = playScenario({QStringLiteral("--scenario"),
                                  QStringLiteral(SOCKETSCOPE_SCENARIO_DIR "/reuse-address.json")},
                                 m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(run.out.contains(QRegularExpression(
                     QStringLiteral("✓ step 2/3 [^\n]*Failed as expected: bind\\(\\) to "
                                    "127\\.0\\.0\\.1:\\d+ failed: Address already in use "
                                    "\\(EADDRINUSE\\)"))),
             qPrintable(run.out));
}

void TestScenarios::clientsFromOtherLoopbackAddresses()
{
    // "from": the server's sockets then differ by the remote address, not only the port.
    const QString path = m_home.filePath(QStringLiteral("from.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({ "format": "socketscope-scenario", "version": 1, "title": "hosts",
        "steps": [ { "title": "two hosts", "caption": "c", "actions": [
            { "do": "start-tcp-server" },
            { "do": "spawn-tcp-clients", "from": "127.0.0.2" },
            { "do": "spawn-tcp-clients", "from": "127.0.0.3" } ],
          "expect": [ { "socket": "accepted 1", "state": "ESTABLISHED" },
                      { "socket": "accepted 2", "state": "ESTABLISHED" } ] } ] })");
    file.close();
    const QString state = m_home.filePath(QStringLiteral("from-state.json"));
    const Run run = playScenario(
            {QStringLiteral("--scenario"), path, QStringLiteral("--export-state"), state},
            m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QFile exported(state);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    QStringList remotes;
    for (const QJsonValue &socket :
         QJsonDocument::fromJson(exported.readAll()).object().value(u"sockets").toArray()) {
        const QJsonObject object = socket.toObject();
        if (object.value(u"role").toString() == u"tcp-server-side")
            remotes << object.value(u"remote").toObject().value(u"address").toString();
    }
    remotes.sort();
    QCOMPARE(remotes, (QStringList{QStringLiteral("127.0.0.2"), QStringLiteral("127.0.0.3")}));
}

void TestScenarios::slidesAndAHandoutOfTheTour()
{
    const QString dir = m_home.filePath(QStringLiteral("slides"));
    const Run run = playScenario({QStringLiteral("--tour"), QStringLiteral("--export-slides"), dir},
                                 m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const int steps = stepCount(QStringLiteral(SOCKETSCOPE_SCENARIO_DIR "/tour.json"));
    QFile handout(QDir(dir).filePath(QStringLiteral("index.html")));
    QVERIFY(handout.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(handout.readAll());
    for (int step = 1; step <= steps; ++step) {
        const QString name = QStringLiteral("step-%1").arg(step, 2, 10, QLatin1Char('0'));
        const QImage png(QDir(dir).filePath(name + QStringLiteral(".png")));
        QCOMPARE(png.size(), QSize(1280, 720));
        QFile svg(QDir(dir).filePath(name + QStringLiteral(".svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QVERIFY(html.contains(QStringLiteral("Step %1 of %2: ").arg(step).arg(steps)));
        QVERIFY(html.contains(name + QStringLiteral(".png")));
    }
    QCOMPARE(html.count(QStringLiteral("The kernel showed it.")), steps);
    // The answers are in the handout.
    QVERIFY(html.contains(u"<b>Three: the listener and one per client</b> (the answer)"));

    const Run badSize = playScenario({QStringLiteral("--tour"), QStringLiteral("--export-slides"),
                                      dir, QStringLiteral("--slide-size"), QStringLiteral("huge")},
                                     m_home.path());
    QCOMPARE(badSize.exitCode, 2);
    QVERIFY(badSize.err.contains(u"socketscope: --slide-size: 'huge' is not a size"));
}

void TestScenarios::oneStepAsTheHallSeesIt()
{
    const QString image = m_home.filePath(QStringLiteral("step2.png"));
    const Run run = playScenario({QStringLiteral("--tour"), QStringLiteral("--step"),
                                  QStringLiteral("2"), QStringLiteral("--export-image"), image,
                                  QStringLiteral("--slide-size"), QStringLiteral("1024x768")},
                                 m_home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY(run.out.contains(u"✓ step 2/"));
    QVERIFY(!run.out.contains(u"step 3/"));
    QCOMPARE(QImage(image).size(), QSize(1024, 768));
}

QTEST_GUILESS_MAIN(TestScenarios)
#include "tst_scenarios.moc"
