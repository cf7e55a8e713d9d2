// SPDX-License-Identifier: MIT
// Starts the real socketscope binary in a real X server (Xvfb, xcb platform), waits for its
// window, takes a screenshot from outside the app and quits it with its keyboard shortcut.
#include <QColor>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Runs a short X client to completion and returns its standard output.
QByteArray runX(const QString &display, const QString &program, const QStringList &arguments,
                int timeoutMs = 20000)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), display);
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return process.exitCode() == 0 ? process.readAllStandardOutput() : QByteArray();
}

} // namespace

class TestGuiSmoke : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void windowAppearsAndIsNotBlank();
    void cleanupTestCase();

private:
    QProcess m_xvfb;
    QString m_display;
    QTemporaryDir m_home;
};

void TestGuiSmoke::initTestCase()
{
    for (const char *tool : {"Xvfb", "xdotool", "import"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            QFAIL(qPrintable(QStringLiteral("%1 is missing: install the packages in "
                                            ".ci/debian-packages.txt")
                                     .arg(QString::fromLatin1(tool))));
    }
    QVERIFY(m_home.isValid());
    // -displayfd makes Xvfb choose a free display itself and print its number when ready.
    m_xvfb.start(QStringLiteral("Xvfb"),
                 {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                  QStringLiteral("0"), QStringLiteral("1280x800x24"), QStringLiteral("-nolisten"),
                  QStringLiteral("tcp")});
    QVERIFY2(m_xvfb.waitForStarted(5000), "Xvfb did not start");
    QTRY_VERIFY_WITH_TIMEOUT(m_xvfb.canReadLine(), 15000);
    const QByteArray number = m_xvfb.readLine().trimmed();
    QVERIFY2(!number.isEmpty(), "Xvfb printed no display number");
    m_display = QLatin1Char(':') + QString::fromLatin1(number);
}

void TestGuiSmoke::windowAppearsAndIsNotBlank()
{
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), m_display);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("HOME"), m_home.path());
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::SeparateChannels);
    const QString statePath = m_home.filePath(QStringLiteral("state.json"));
    const QString svgPath = m_home.filePath(QStringLiteral("diagram.svg"));
    // Ephemeral ports: the test must not depend on 9877 being free on this machine.
    app.start(QStringLiteral(SOCKETSCOPE_BINARY),
              {QStringLiteral("--tcp-port"), QStringLiteral("0"), QStringLiteral("--udp-port"),
               QStringLiteral("0"), QStringLiteral("--export-state"), statePath,
               QStringLiteral("--export-image"), svgPath, QStringLiteral("--quit-after"),
               QStringLiteral("60000")});
    QVERIFY2(app.waitForStarted(10000), "socketscope did not start");

    const QByteArray windows = runX(m_display, QStringLiteral("xdotool"),
                                    {QStringLiteral("search"), QStringLiteral("--sync"),
                                     QStringLiteral("--onlyvisible"), QStringLiteral("--name"),
                                     QStringLiteral("^SocketScope$")});
    QVERIFY2(!windows.trimmed().isEmpty(), "no visible window named SocketScope appeared");
    const QByteArray window = windows.trimmed().split('\n').first();

    const QByteArray geometry
            = runX(m_display, QStringLiteral("xdotool"),
                   {QStringLiteral("getwindowgeometry"), QString::fromLatin1(window)});
    QVERIFY2(geometry.contains("Geometry:"), geometry.constData());

    // Spawn three TCP and two UDP clients through the keyboard shortcuts a lecturer uses.
    runX(m_display, QStringLiteral("xdotool"),
         {QStringLiteral("windowfocus"), QStringLiteral("--sync"), QString::fromLatin1(window),
          QStringLiteral("key"), QStringLiteral("--delay"), QStringLiteral("150"),
          QStringLiteral("ctrl+n"), QStringLiteral("ctrl+n"), QStringLiteral("ctrl+n"),
          QStringLiteral("ctrl+u"), QStringLiteral("ctrl+u")});
    // Let the connections complete and the frames reach the screen before the picture.
    QTest::qWait(1500);
    const QString shotPath = m_home.filePath(QStringLiteral("shot.png"));
    runX(m_display, QStringLiteral("import"),
         {QStringLiteral("-window"), QStringLiteral("root"), shotPath});
    QImage shot(shotPath);
    QVERIFY2(!shot.isNull(), "the screenshot could not be read");
    // A blank or black screen has one or two colours; a window with a menu, toolbar, table
    // header and text has many.
    QSet<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 3) {
        for (int x = 0; x < shot.width(); x += 3)
            colours.insert(shot.pixel(x, y));
    }
    QVERIFY2(colours.size() > 20,
             qPrintable(QStringLiteral("only %1 colours").arg(colours.size())));

    // Quit through the real keyboard shortcut; the app must leave cleanly and write its state.
    runX(m_display, QStringLiteral("xdotool"),
         {QStringLiteral("windowfocus"), QStringLiteral("--sync"), QString::fromLatin1(window),
          QStringLiteral("key"), QStringLiteral("ctrl+q")});
    QVERIFY2(app.waitForFinished(20000), "socketscope did not quit on Ctrl+Q");
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    // Qt's complaints about the program's own wiring are bugs, even when nothing crashes.
    const QString errors = QString::fromLocal8Bit(app.readAllStandardError());
    for (const char *symptom :
         {"null action", "QObject::connect", "No such signal", "No such slot", "QPainter::"})
        QVERIFY2(!errors.contains(QLatin1String(symptom)), qPrintable(errors));

    // What the app exported at quit: the registry (JSON) and the diagram (SVG) of one moment.
    QFile stateFile(statePath);
    QVERIFY(stateFile.open(QIODevice::ReadOnly));
    const QJsonArray sockets = QJsonDocument::fromJson(stateFile.readAll())
                                       .object()
                                       .value(QStringLiteral("sockets"))
                                       .toArray();
    QMap<QString, int> roles;
    for (const QJsonValue &socket : sockets) {
        // Kernel-only records (a TIME_WAIT that happens to share a port with us while other
        // tests run) are real but not what the shortcuts made; count the app's own sockets.
        if (!socket.toObject().value(QStringLiteral("kernelOnly")).toBool())
            ++roles[socket.toObject().value(QStringLiteral("role")).toString()];
    }
    QCOMPARE(roles.value(QStringLiteral("tcp-listener")), 1);
    QCOMPARE(roles.value(QStringLiteral("tcp-client")), 3);
    QCOMPARE(roles.value(QStringLiteral("tcp-server-side")), 3);
    QCOMPARE(roles.value(QStringLiteral("udp-server")), 1);
    QCOMPARE(roles.value(QStringLiteral("udp-client")), 2);

    QFile svgFile(svgPath);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QString svg = QString::fromUtf8(svgFile.readAll());
    // Every socket card writes its protocol as a text of its own; nothing else does.
    static const QRegularExpression protocolLabel(QStringLiteral(">\\s*(TCP|UDP)\\s*</text>"));
    QCOMPARE(svg.count(protocolLabel), sockets.size());
    for (const QJsonValue &value : sockets) {
        const QJsonObject socket = value.toObject();
        const QJsonObject local = socket.value(QStringLiteral("local")).toObject();
        const QString localText = local.value(QStringLiteral("address")).toString()
                                  + QLatin1Char(':')
                                  + QString::number(local.value(QStringLiteral("port")).toInt());
        QVERIFY2(svg.contains(localText), qPrintable(localText));
    }
}

void TestGuiSmoke::cleanupTestCase()
{
    if (m_xvfb.state() != QProcess::NotRunning) {
        m_xvfb.terminate();
        if (!m_xvfb.waitForFinished(5000))
            m_xvfb.kill();
        m_xvfb.waitForFinished();
    }
}

QTEST_GUILESS_MAIN(TestGuiSmoke)
#include "tst_guismoke.moc"
