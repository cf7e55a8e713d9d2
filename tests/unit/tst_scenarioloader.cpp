// SPDX-License-Identifier: MIT
// Scenario files: every shipped one loads; a malformed one is refused with the file, line,
// column and field of the first mistake, and what to write instead.
#include "jsonpositions.h"
#include "kernelcounters.h"
#include "scenarioloader.h"

#include <QDir>
#include <QTest>

using namespace SocketScope;

namespace {

// A valid file with one step, around whatever `step` holds.
QByteArray withStep(const QByteArray &step)
{
    return "{\n"
           "  \"format\": \"socketscope-scenario\",\n"
           "  \"version\": 1,\n"
           "  \"title\": \"t\",\n"
           "  \"steps\": [\n"
           "    "
           + step
           + "\n"
             "  ]\n"
             "}\n";
}

QByteArray withAction(const QByteArray &action)
{
    return withStep("{ \"title\": \"s\", \"caption\": \"c\", \"actions\": [\n      " + action
                    + "\n    ] }");
}

QByteArray withExpectation(const QByteArray &expectation)
{
    return withStep("{ \"title\": \"s\", \"caption\": \"c\", \"expect\": [\n      " + expectation
                    + "\n    ] }");
}

} // namespace

class TestScenarioLoader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyShippedScenarioLoads();
    void readsWhatAStepSays();
    void malformedFilesNameLineColumnAndField_data();
    void malformedFilesNameLineColumnAndField();
    void positionsCountCharactersNotBytes();
    void readsKernelCounterFiles();
};

void TestScenarioLoader::everyShippedScenarioLoads()
{
    const QDir dir(QStringLiteral(SOCKETSCOPE_SCENARIO_DIR));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files);
    QVERIFY2(files.size() >= 7, qPrintable(files.join(u',')));
    for (const QString &name : files) {
        const ScenarioLoadResult result = ScenarioLoader::load(dir.filePath(name));
        QVERIFY2(result.scenario, qPrintable(result.error));
        QVERIFY(!result.scenario->steps.isEmpty());
    }
    // The tour is built into the program too.
    const ScenarioLoadResult tour = ScenarioLoader::load(QStringLiteral(":/scenarios/tour.json"));
    QVERIFY2(tour.scenario, qPrintable(tour.error));
    QVERIFY(tour.scenario->steps.size() >= 8 && tour.scenario->steps.size() <= 12);
}

void TestScenarioLoader::readsWhatAStepSays()
{
    const ScenarioLoadResult result = ScenarioLoader::parse(
            withStep(R"({ "title": "Two", "caption": "Words.", "speed": 0.25,
                "highlight": ["accepted 2", "listener"],
                "question": { "text": "How many?", "choices": ["1", "2", "3"], "answer": 3 },
                "actions": [
                    { "do": "start-tcp-server", "port": "previous", "backlog": 3, "reuseAddress": false,
                      "model": "process", "expectError": "port-in-use" },
                    { "do": "spawn-udp-clients", "count": 2, "from": "127.0.0.2", "connected": true },
                    { "do": "burst", "socket": "udp-client 2", "count": 5, "text": "n %n" },
                    { "do": "wait-until", "socket": "tcp-client 1", "state": "TIME_WAIT", "timeoutMs": 700 }
                ],
                "expect": [
                    { "count": 2, "role": "tcp-server-side", "state": "ESTABLISHED" },
                    { "counter": "TcpExt.ListenOverflows", "risesBy": 2 },
                    { "socket": "accepted 1", "gone": true }
                ] })"),
            QStringLiteral("x.json"));
    QVERIFY2(result.scenario, qPrintable(result.error));
    const ScenarioStep &step = result.scenario->steps.at(0);
    QCOMPARE(step.title, QStringLiteral("Two"));
    QCOMPARE(step.speed, 0.25);
    QCOMPARE(step.highlight.size(), 2);
    QCOMPARE(step.highlight.at(0), (SocketRef{SocketRef::Kind::Accepted, 2}));
    QVERIFY(step.question);
    QCOMPARE(step.question->answer, 2);
    QCOMPARE(step.actions.size(), 4);
    const ScenarioAction &start = step.actions.at(0);
    QCOMPARE(start.kind, ScenarioActionKind::StartTcpServer);
    QVERIFY(start.previousPort);
    QCOMPARE(start.backlog, 3);
    QVERIFY(!start.reuseAddress);
    QCOMPARE(start.model, ConcurrencyModel::ProcessPerClient);
    QCOMPARE(start.expectError, NetError::PortInUse);
    const ScenarioAction &spawn = step.actions.at(1);
    QCOMPARE(spawn.from, QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(spawn.connected);
    QCOMPARE(step.actions.at(2).socketAction, SocketAction::SendBurst);
    QCOMPARE(step.actions.at(2).number, 5);
    const ScenarioAction &wait = step.actions.at(3);
    QCOMPARE(wait.until.kind, SocketCondition::Kind::State);
    QCOMPARE(wait.until.state, SocketState::TimeWait);
    QCOMPARE(wait.timeoutMs, 700);
    QCOMPARE(step.expectations.size(), 3);
    QCOMPARE(step.expectations.at(0).kind, SocketCondition::Kind::Count);
    QCOMPARE(step.expectations.at(0).countState, SocketState::Established);
    QCOMPARE(step.expectations.at(1).counter, QStringLiteral("TcpExt.ListenOverflows"));
    QCOMPARE(step.expectations.at(2).kind, SocketCondition::Kind::Gone);
}

void TestScenarioLoader::malformedFilesNameLineColumnAndField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("start"); // the message begins with file:line:column: field
    QTest::addColumn<QString>("says"); // and says this

    // Qt reports a syntax error just after the character it could not take.
    QTest::newRow("not JSON") << QByteArray("{\n  \"format\": ,\n}") << "x.json:2:14"
                              << "not valid JSON";
    QTest::newRow("a list, not an object") << QByteArray("[1]") << "x.json:1:1: the file"
                                           << "must be an object";
    QTest::newRow("no format") << QByteArray(R"({"version": 1})") << "x.json:1:1: the file"
                               << "\"format\": \"socketscope-scenario\"";
    QTest::newRow("newer version")
            << QByteArray("{\"format\": \"socketscope-scenario\",\n \"version\": 2}")
            << "x.json:2:13: version"
            << "reads scenario version 1";
    QTest::newRow("unknown top-level field")
            << withStep("{ \"title\": \"s\", \"caption\": \"c\" }")
                       .replace("\"title\": \"t\"", "\"titel\": \"t\"")
            << "x.json:4:3: titel"
            << "unknown field";
    QTest::newRow("no steps") << QByteArray(
            "{\"format\": \"socketscope-scenario\", \"version\": 1, \"title\": "
            "\"t\", \"steps\": []}")
                              << "x.json:1:73: steps"
                              << "1 to 200 steps";
    QTest::newRow("step without caption")
            << withStep("{ \"title\": \"s\" }") << "x.json:6:5: steps[0]"
            << "\"caption\"";
    QTest::newRow("misspelt step field")
            << withStep("{ \"title\": \"s\", \"caption\": \"c\", \"expects\": [] }")
            << "x.json:6:37: steps[0].expects"
            << "unknown field";
    QTest::newRow("unknown action")
            << withAction("{ \"do\": \"fly\" }") << "x.json:7:15: steps[0].actions[0].do"
            << "start-tcp-server";
    QTest::newRow("count in words")
            << withAction("{ \"do\": \"spawn-tcp-clients\", \"count\": \"two\" }")
            << "x.json:7:45: steps[0].actions[0].count"
            << "whole number from 1 to 20000, not \"two\"";
    QTest::newRow("count too large")
            << withAction("{ \"do\": \"spawn-udp-clients\", \"count\": 20001 }")
            << "x.json:7:45: steps[0].actions[0].count"
            << "from 1 to 20000";
    QTest::newRow("field of another action")
            << withAction("{ \"do\": \"close\", \"socket\": \"tcp-client 1\", \"text\": \"x\" }")
            << "x.json:7:50: steps[0].actions[0].text"
            << "unknown field";
    QTest::newRow("bad socket name")
            << withAction("{ \"do\": \"send\", \"socket\": \"client one\", \"text\": \"x\" }")
            << "x.json:7:33: steps[0].actions[0].socket"
            << "tcp-client N";
    QTest::newRow("send without text")
            << withAction("{ \"do\": \"send\", \"socket\": \"tcp-client 1\" }")
            << "x.json:7:7: steps[0].actions[0]"
            << "\"text\"";
    QTest::newRow("port out of range")
            << withAction("{ \"do\": \"start-tcp-server\", \"port\": 70000 }")
            << "x.json:7:43: steps[0].actions[0].port"
            << "\"previous\"";
    QTest::newRow("not loopback") << withAction(
            "{ \"do\": \"start-udp-server\", \"address\": \"0.0.0.0\" }")
                                  << "x.json:7:46: steps[0].actions[0].address"
                                  << "only use loopback";
    QTest::newRow("client from another machine")
            << withAction("{ \"do\": \"spawn-tcp-clients\", \"from\": \"192.0.2.1\" }")
            << "x.json:7:44: steps[0].actions[0].from"
            << "only use loopback";
    QTest::newRow("unknown model")
            << withAction("{ \"do\": \"set-tcp-model\", \"model\": \"fork\" }")
            << "x.json:7:41: steps[0].actions[0].model"
            << "event-loop, thread, process";
    QTest::newRow("reuseAddress as text")
            << withAction("{ \"do\": \"start-tcp-server\", \"reuseAddress\": \"no\" }")
            << "x.json:7:51: steps[0].actions[0].reuseAddress"
            << "true or false";
    QTest::newRow("unknown error to expect")
            << withAction("{ \"do\": \"start-tcp-server\", \"expectError\": \"oops\" }")
            << "x.json:7:50: steps[0].actions[0].expectError"
            << "port-in-use";
    QTest::newRow("unknown state")
            << withExpectation("{ \"socket\": \"tcp-client 1\", \"state\": \"TIMEWAIT\" }")
            << "x.json:7:44: steps[0].expect[0].state"
            << "TIME_WAIT";
    QTest::newRow("two checks in one") << withExpectation(
            "{ \"socket\": \"listener\", \"state\": \"LISTEN\", \"gone\": true }")
                                       << "x.json:7:7: steps[0].expect[0]"
                                       << "state and gone at once";
    QTest::newRow("nothing to check")
            << withExpectation("{ \"socket\": \"listener\" }") << "x.json:7:7: steps[0].expect[0]"
            << "says nothing to check";
    QTest::newRow("counter without group")
            << withExpectation("{ \"counter\": \"ListenOverflows\" }")
            << "x.json:7:20: steps[0].expect[0].counter"
            << "Group.Name";
    QTest::newRow("answer out of range")
            << withStep("{ \"title\": \"s\", \"caption\": \"c\", \"question\": { \"text\": \"q\", "
                        "\"choices\": [\"a\", \"b\"], \"answer\": 3 } }")
            << "x.json:6:97: steps[0].question.answer"
            << "from 1 to 2";
    QTest::newRow("slower than slow motion")
            << withStep("{ \"title\": \"s\", \"caption\": \"c\", \"speed\": 0 }")
            << "x.json:6:46: steps[0].speed"
            << "0.05";
}

void TestScenarioLoader::malformedFilesNameLineColumnAndField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, start);
    QFETCH(QString, says);
    const ScenarioLoadResult result = ScenarioLoader::parse(json, QStringLiteral("x.json"));
    QVERIFY(!result.scenario);
    QVERIFY2(result.error.startsWith(start), qPrintable(result.error));
    QVERIFY2(result.error.contains(says), qPrintable(result.error));
}

void TestScenarioLoader::positionsCountCharactersNotBytes()
{
    const QByteArray json = "{\"é\": {\"ü\": [1, {\"k\": true}]}}";
    const JsonPositions positions(json);
    QCOMPARE(positions.valueAt(QStringLiteral("é.ü[1].k")).column, 23);
    QCOMPARE(positions.keyAt(QStringLiteral("é.ü[1].k")).column, 18);
    // An unknown path falls back to the nearest value that is there.
    QCOMPARE(positions.valueAt(QStringLiteral("é.ü[7]")).column, 13);
}

void TestScenarioLoader::readsKernelCounterFiles()
{
    const QHash<QString, quint64> counters
            = KernelCounters::parse("TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 17\n"
                                    "Tcp: RtoMin MaxConn OutRsts\nTcp: 200 -1 9\n");
    QCOMPARE(counters.value(QStringLiteral("TcpExt.ListenOverflows")), 17u);
    QCOMPARE(counters.value(QStringLiteral("Tcp.OutRsts")), 9u);
    QVERIFY(!counters.contains(QStringLiteral("Tcp.MaxConn"))); // -1 is no counter
    // This machine's own files, as the runner reads them.
    QVERIFY(KernelCounters::read().contains(QStringLiteral("Tcp.OutRsts")));
}

QTEST_GUILESS_MAIN(TestScenarioLoader)
#include "tst_scenarioloader.moc"
