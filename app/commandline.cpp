// SPDX-License-Identifier: MIT
#include "commandline.h"

#include "netinput.h"
#include "networkengine.h"
#include "slideexport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

namespace SocketScope {

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "socketscope: %s\n", qPrintable(message));
}

QString text(const char *source)
{
    return QCoreApplication::translate("main", source);
}

} // namespace

std::optional<CommandLineOptions> parseCommandLine(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
            text("Makes client-server sockets visible: real TCP and UDP endpoints on this "
                 "machine, drawn live with the kernel's own view of each socket."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption exportState(
            QStringLiteral("export-state"),
            text("Write the state (every socket and event) as JSON to <file> when the app quits."),
            QStringLiteral("file"));
    const QCommandLineOption exportImage(
            QStringLiteral("export-image"),
            text("Write the diagram to <file> (.png or .svg) when the app quits."),
            QStringLiteral("file"));
    const QCommandLineOption exportJournal(
            QStringLiteral("export-journal"),
            text("Write the event journal (everything that happened, in order) as JSON Lines "
                 "to <file> when the app quits."),
            QStringLiteral("file"));
    const QCommandLineOption exportTimeline(
            QStringLiteral("export-timeline"),
            text("Write the event timeline (.png or .svg) to <file> when the app quits."),
            QStringLiteral("file"));
    const QCommandLineOption quitAfter(QStringLiteral("quit-after"),
                                       text("Quit by itself after <ms> milliseconds."),
                                       QStringLiteral("ms"));
    const QCommandLineOption bind(QStringLiteral("bind"),
                                  text("Address the servers bind to (default 127.0.0.1). "
                                       "Anything but loopback exposes them to the network."),
                                  QStringLiteral("address"));
    const QCommandLineOption tcpPort(
            QStringLiteral("tcp-port"),
            text("TCP server port (default %1; 0 = any free port).").arg(DefaultServerPort),
            QStringLiteral("port"));
    const QCommandLineOption udpPort(
            QStringLiteral("udp-port"),
            text("UDP server port (default %1; 0 = any free port).").arg(DefaultServerPort),
            QStringLiteral("port"));
    const QCommandLineOption connectTimeout(
            QStringLiteral("connect-timeout"),
            text("Seconds a TCP client waits for the server to answer its SYN before it gives "
                 "up (default %1; 0 = the kernel's own limit, its SYN retries).")
                    .arg(DefaultConnectTimeoutSeconds),
            QStringLiteral("seconds"));
    const QCommandLineOption clients(QStringLiteral("clients"),
                                     text("Spawn <n> TCP clients at start."), QStringLiteral("n"));
    const QCommandLineOption udpClients(QStringLiteral("udp-clients"),
                                        text("Spawn <n> UDP clients at start."),
                                        QStringLiteral("n"));
    const QCommandLineOption behaviour(QStringLiteral("behaviour"),
                                       text("What both servers do: echo, discard or daytime."),
                                       QStringLiteral("name"));
    const QCommandLineOption noTcp(QStringLiteral("no-tcp"), text("Do not start the TCP server."));
    const QCommandLineOption noUdp(QStringLiteral("no-udp"), text("Do not start the UDP server."));
    const QCommandLineOption pauseAccepting(
            QStringLiteral("pause-accepting"),
            text("Start the TCP server without accepting: connections wait in the kernel's "
                 "accept queue until you resume."));
    const QCommandLineOption model(
            QStringLiteral("model"),
            text("How the TCP server serves its clients: event-loop (one thread for all), "
                 "thread (a thread per client) or process (a child process per client)."),
            QStringLiteral("name"), QStringLiteral("event-loop"));
    const QCommandLineOption udpModel(
            QStringLiteral("udp-model"),
            text("How the UDP server receives: single (one socket for every client) or "
                 "connected (a connected socket per client, SO_REUSEPORT)."),
            QStringLiteral("name"), QStringLiteral("single"));
    const QCommandLineOption tour(QStringLiteral("tour"),
                                  text("Play the guided tour of socket states (built in)."));
    const QCommandLineOption scenario(
            QStringLiteral("scenario"),
            text("Play the scenario in <file> (JSON; see README, Scenario files). Headless, it "
                 "runs every step, checks each step's kernel expectations and exits non-zero "
                 "naming the first step that failed."),
            QStringLiteral("file"));
    const QCommandLineOption step(QStringLiteral("step"),
                                  text("With --tour or --scenario: play up to step <n> (from 1)."),
                                  QStringLiteral("n"));
    const QCommandLineOption exportSlides(
            QStringLiteral("export-slides"),
            text("With --tour or --scenario, headless: play every step and write a slide per "
                 "step (PNG and SVG, as the hall sees it) and an HTML handout to <folder>, then "
                 "quit; non-zero, naming the step, when a step's kernel expectation failed."),
            QStringLiteral("folder"));
    const QCommandLineOption slideSize(
            QStringLiteral("slide-size"),
            text("Size of the slides and of a scenario step's --export-image (default 1280x720)."),
            QStringLiteral("WxH"));
    const QCommandLineOption presentation(
            QStringLiteral("presentation"),
            text("Start in presentation view: the diagram alone, full screen (Esc leaves)."));
    const QCommandLineOption textScale(
            QStringLiteral("text-scale"),
            text("Write text <x> times as large, from 1 to 3 (e.g. 2 for the back of a hall; "
                 "remembered, as Ctrl+= and Ctrl+- are)."),
            QStringLiteral("x"));
    // main() runs the worker before any parsing; listed here so the parser knows it too.
    QCommandLineOption worker(QStringLiteral("worker"),
                              text("Internal: serve one client handed over by the app."));
    worker.setFlags(QCommandLineOption::HiddenFromHelp);
    // For tests: the program a process-per-client server starts instead of this one.
    QCommandLineOption workerProgram(QStringLiteral("worker-program"),
                                     text("Internal: the program that serves one client."),
                                     QStringLiteral("path"));
    workerProgram.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({exportState,  exportImage, exportJournal, exportTimeline, quitAfter,
                       bind,         tcpPort,     udpPort,       connectTimeout, clients,
                       udpClients,   behaviour,   noTcp,         noUdp,          pauseAccepting,
                       model,        udpModel,    presentation,  textScale,      tour,
                       scenario,     step,        exportSlides,  slideSize,      worker,
                       workerProgram});
    parser.process(app); // exits on --help, --version and unknown options

    CommandLineOptions options;
    QStringList errors;
    options.exportStatePath = parser.value(exportState);
    options.exportImagePath = parser.value(exportImage);
    options.exportJournalPath = parser.value(exportJournal);
    if (!options.exportImagePath.isEmpty()) {
        const QString suffix = QFileInfo(options.exportImagePath).suffix().toLower();
        if (suffix != QLatin1String("png") && suffix != QLatin1String("svg"))
            errors << QStringLiteral("--export-image writes PNG or SVG: name the file .png or "
                                     ".svg, not '%1'.")
                              .arg(options.exportImagePath);
    }
    options.exportTimelinePath = parser.value(exportTimeline);
    if (!options.exportTimelinePath.isEmpty()) {
        const QString suffix = QFileInfo(options.exportTimelinePath).suffix().toLower();
        if (suffix != QLatin1String("png") && suffix != QLatin1String("svg"))
            errors << QStringLiteral("--export-timeline writes PNG or SVG: name the file .png or "
                                     ".svg, not '%1'.")
                              .arg(options.exportTimelinePath);
    }
    if (parser.isSet(quitAfter)) {
        const Parsed<int> ms = parseInteger(parser.value(quitAfter), 0, 24 * 3600 * 1000,
                                            QStringLiteral("--quit-after"));
        if (ms.ok())
            options.quitAfterMs = *ms.value;
        else
            errors << ms.error;
    }
    if (parser.isSet(connectTimeout)) {
        const Parsed<int> seconds
                = parseInteger(parser.value(connectTimeout), 0, MaxConnectTimeoutSeconds,
                               QStringLiteral("--connect-timeout"));
        if (seconds.ok())
            options.connectTimeoutSeconds = *seconds.value;
        else
            errors << seconds.error;
    }
    if (parser.isSet(bind)) {
        const Parsed<QHostAddress> address = parseAddress(parser.value(bind));
        if (address.ok())
            options.bindAddress = parser.value(bind);
        else
            errors << QStringLiteral("--bind: ") + address.error;
    }
    const auto readPort = [&](const QCommandLineOption &option, std::optional<int> &out) {
        if (!parser.isSet(option))
            return;
        const Parsed<quint16> port = parsePort(parser.value(option));
        if (port.ok())
            out = *port.value;
        else
            errors << QStringLiteral("--%1: ").arg(option.names().constFirst()) + port.error;
    };
    readPort(tcpPort, options.tcpPort);
    readPort(udpPort, options.udpPort);
    const auto readCount = [&](const QCommandLineOption &option, int &out) {
        if (!parser.isSet(option))
            return;
        const Parsed<int> count
                = parseInteger(parser.value(option), 0, NetworkEngine::MaxSpawn,
                               QStringLiteral("--%1").arg(option.names().constFirst()));
        if (count.ok())
            out = *count.value;
        else
            errors << count.error;
    };
    readCount(clients, options.tcpClients);
    readCount(udpClients, options.udpClients);
    if (parser.isSet(behaviour)) {
        const Parsed<Behaviour> parsed = parseBehaviour(parser.value(behaviour));
        if (parsed.ok())
            options.behaviour = behaviourName(*parsed.value);
        else
            errors << QStringLiteral("--behaviour: ") + parsed.error;
    }
    if (const auto parsed = concurrencyModelFromName(parser.value(model)))
        options.model = *parsed;
    else
        errors << QStringLiteral("--model: '%1' is not a model; use event-loop, thread or "
                                 "process.")
                          .arg(parser.value(model));
    if (const auto parsed = udpModelFromName(parser.value(udpModel)))
        options.udpModel = *parsed;
    else
        errors << QStringLiteral("--udp-model: '%1' is not a model; use single or connected.")
                          .arg(parser.value(udpModel));
    options.noTcp = parser.isSet(noTcp);
    options.noUdp = parser.isSet(noUdp);
    options.pauseAccepting = parser.isSet(pauseAccepting);
    options.workerProgram = parser.value(workerProgram);
    options.presentation = parser.isSet(presentation);
    if (parser.isSet(textScale)) {
        bool ok = false;
        const double scale = parser.value(textScale).toDouble(&ok);
        // The same bounds as the window's Ctrl+= and Ctrl+- (TextScale, which ui owns).
        if (ok && scale >= 1.0 && scale <= 3.0)
            options.textScale = scale;
        else
            errors << QStringLiteral("--text-scale: '%1' is not a scale from 1 to 3; write e.g. "
                                     "1, 1.5 or 2.")
                              .arg(parser.value(textScale));
    }
    // Clients of a server that is not started would dial whatever port the settings hold.
    if (options.noTcp && options.tcpClients > 0)
        errors << QStringLiteral("--no-tcp with --clients %1: the TCP clients connect to the TCP "
                                 "server. Drop --no-tcp, or drop --clients.")
                          .arg(options.tcpClients);
    if (options.noUdp && options.udpClients > 0)
        errors << QStringLiteral("--no-udp with --udp-clients %1: the UDP clients send to the UDP "
                                 "server. Drop --no-udp, or drop --udp-clients.")
                          .arg(options.udpClients);
    if (parser.isSet(tour) && parser.isSet(scenario))
        errors << QStringLiteral("--tour and --scenario each play a scenario: give one of them.");
    options.scenarioPath
            = parser.isSet(tour) ? QStringLiteral(":/scenarios/tour.json") : parser.value(scenario);
    if (parser.isSet(step)) {
        const Parsed<int> n = parseInteger(parser.value(step), 1, 1000, QStringLiteral("--step"));
        if (!n.ok())
            errors << n.error;
        else if (options.scenarioPath.isEmpty())
            errors << QStringLiteral("--step %1 needs a scenario: add --tour or --scenario FILE.")
                              .arg(*n.value);
        else
            options.scenarioStep = *n.value;
    }
    options.exportSlidesDirectory = parser.value(exportSlides);
    if (!options.exportSlidesDirectory.isEmpty() && options.scenarioPath.isEmpty())
        errors << QStringLiteral(
                "--export-slides needs a scenario: add --tour or --scenario FILE.");
    if (parser.isSet(slideSize)) {
        const QSize size = SlideExport::parseSlideSize(parser.value(slideSize));
        if (size.isValid())
            options.slideSize = size;
        else
            errors << QStringLiteral("--slide-size: '%1' is not a size; write WIDTHxHEIGHT from "
                                     "320x240 to 7680x4320, e.g. 1280x720.")
                              .arg(parser.value(slideSize));
    }
    // A scenario starts its own servers and spawns its own clients.
    if (!options.scenarioPath.isEmpty()
        && (options.tcpClients > 0 || options.udpClients > 0 || options.noTcp || options.noUdp
            || options.pauseAccepting))
        errors << QStringLiteral("A scenario starts its own servers and clients: drop --clients, "
                                 "--udp-clients, --no-tcp, --no-udp and --pause-accepting, or the "
                                 "scenario.");
    if (!errors.isEmpty()) {
        for (const QString &error : std::as_const(errors))
            printError(error);
        return std::nullopt;
    }
    return options;
}

} // namespace SocketScope
