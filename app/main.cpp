// SPDX-License-Identifier: MIT
// Composition root: parses the command line and wires core, net, kernel and ui together.
#include "appcomposition.h"
#include "appcontroller.h"
#include "commandline.h"
#include "diagramexporter.h"
#include "diagramscene.h"
#include "eventjournal.h"
#include "eventlog.h"
#include "lecturemenu.h"
#include "mainwindow.h"
#include "networkengine.h"
#include "networkhost.h"
#include "quitsignals.h"
#include "safefilewriter.h"
#include "scenarioloader.h"
#include "scenarioplayback.h"
#include "slideexport.h"
#include "socketregistry.h"
#include "stateexporter.h"
#include "tcpworker.h"
#include "textscale.h"
#include "timelineview.h"
#include "tourcontroller.h"
#include "workerprocess.h"

#include <QApplication>
#include <QIcon>
#include <QSet>
#include <QTimer>

#include <cstdio>
#include <vector>

using namespace SocketScope;

namespace {

// Prints the message the way a command-line user expects: on stderr, prefixed by the program.
void printError(const QString &message)
{
    std::fprintf(stderr, "socketscope: %s\n", qPrintable(message));
}

// --help and --version need no window, so they must work without a display (over ssh, in CI).
bool wantsOnlyText(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v"
            || arg == "--version" || arg == "-?")
            return true;
    }
    return false;
}

// The arguments QGuiApplication takes for itself ("-platform offscreen", "-style fusion"): a
// text-only run has no QGuiApplication to take them, and its parser would call them unknown,
// so they are left out, with their values, before QCoreApplication sees the rest. The
// returned list ends with the nullptr argv must end with; `argc` is set to its length.
std::vector<char *> withoutGuiArguments(int &argc, char *argv[])
{
    static const QSet<QByteArray> withValue{"platform",
                                            "platformpluginpath",
                                            "platformtheme",
                                            "plugin",
                                            "qwindowgeometry",
                                            "qwindowicon",
                                            "qwindowtitle",
                                            "display",
                                            "geometry",
                                            "title",
                                            "name",
                                            "session",
                                            "style",
                                            "stylesheet",
                                            "visual"};
    static const QSet<QByteArray> flags{"reverse", "widgetcount", "nograb", "dograb", "sync"};
    std::vector<char *> kept{argv[0]};
    for (int i = 1; i < argc; ++i) {
        QByteArray name(argv[i]);
        if (!name.startsWith('-') || name == "-" || name == "--") {
            kept.push_back(argv[i]);
            continue;
        }
        name = name.mid(name.startsWith("--") ? 2 : 1);
        const qsizetype equals = name.indexOf('=');
        if (equals >= 0 && withValue.contains(name.left(equals)))
            continue;
        if (withValue.contains(name)) {
            ++i; // and its value
            continue;
        }
        if (!flags.contains(name))
            kept.push_back(argv[i]);
    }
    argc = static_cast<int>(kept.size());
    kept.push_back(nullptr);
    return kept;
}

// Qt takes a set but empty QT_QPA_PLATFORM as the name of a plugin and aborts; an empty
// variable is what `QT_QPA_PLATFORM= socketscope` or a script's unset value leaves, and
// means "no choice made", so it is treated as unset.
void forgetEmptyPlatformVariable()
{
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qunsetenv("QT_QPA_PLATFORM");
}

// Without this check Qt aborts with a message about plugins that does not tell a lecturer
// what to do.
bool hasDisplayOrPlatform(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return true;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-platform" || arg == "--platform" || arg.startsWith("-platform=")
            || arg.startsWith("--platform="))
            return true;
    }
#ifdef Q_OS_LINUX
    return false;
#else
    return true;
#endif
}

void describeApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("SocketScope"));
    QCoreApplication::setApplicationName(QStringLiteral("SocketScope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SOCKETSCOPE_VERSION));
}

// The command line wins over the remembered settings, for this run only.
void applyServerOptions(const CommandLineOptions &options, ServerPanel &panel)
{
    TcpServerSettings tcp = panel.tcpSettings();
    UdpServerSettings udp = panel.udpSettings();
    if (options.bindAddress)
        tcp.address = udp.address = *options.bindAddress;
    if (options.tcpPort)
        tcp.port = *options.tcpPort;
    if (options.udpPort)
        udp.port = *options.udpPort;
    if (options.behaviour)
        tcp.behaviour = udp.behaviour = *options.behaviour;
    panel.setTcpSettings(tcp);
    panel.setUdpSettings(udp);
    // One run's command line must not become the lecturer's saved defaults.
    if (options.bindAddress || options.tcpPort || options.udpPort || options.behaviour)
        panel.setRememberServerSettings(false);
}

} // namespace

int main(int argc, char *argv[])
{
    // A worker of the process-per-client model: no window, no display, no command line of
    // its own; it serves the one client the app hands it and exits.
    if (isWorkerInvocation(argc, argv))
        return runWorker(argc, argv);
    if (wantsOnlyText(argc, argv)) {
        int textArgc = argc;
        std::vector<char *> textArgv = withoutGuiArguments(textArgc, argv);
        QCoreApplication textOnly(textArgc, textArgv.data());
        describeApplication();
        parseCommandLine(textOnly); // prints and exits
        return 0;
    }
    forgetEmptyPlatformVariable();
    if (!hasDisplayOrPlatform(argc, argv)) {
        printError(QStringLiteral("no display found. Start it in a desktop session, or "
                                  "headless with: socketscope -platform offscreen"));
        return 2;
    }
    QApplication app(argc, argv);
    describeApplication();
    QGuiApplication::setApplicationDisplayName(QStringLiteral("SocketScope"));
    QGuiApplication::setDesktopFileName(QStringLiteral("socketscope"));
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/socketscope.svg")));

    const std::optional<CommandLineOptions> options = parseCommandLine(app);
    if (!options)
        return 2;
    const bool headless = QGuiApplication::platformName() == QLatin1String("offscreen")
                          || QGuiApplication::platformName() == QLatin1String("minimal");
    // Taken before the first socket: with thousands of them the process may reach its
    // descriptor limit, and an export must still be able to open its file.
    SafeFileWriter::reserveDescriptor();
    QuitOnSignals quitOnSignals; // from here on, a kill quits in order instead of at once

    AppComposition composition;
    SocketRegistry &registry = composition.registry();
    EventLog &log = composition.log();
    EventJournal &journal = composition.journal();
    NetworkHost &network = composition.network();
    MainWindow &window = composition.window();
    AppController &controller = composition.controller();
    // kill and Ctrl+C end the run as --quit-after does: the exports asked for are written.
    QObject::connect(&quitOnSignals, &QuitOnSignals::quitRequested, &app, [&log](int signal) {
        log.append(EventSeverity::Info,
                   QStringLiteral("%1 received: quitting.").arg(QuitOnSignals::signalName(signal)));
        QCoreApplication::quit();
    });
    network.run([&network, &options] {
        network.engine().setTcpModel(options->model);
        network.engine().setUdpModel(options->udpModel);
        if (options->connectTimeoutSeconds)
            network.engine().setConnectTimeout(*options->connectTimeoutSeconds);
        if (!options->workerProgram.isEmpty())
            network.engine().setWorkerCommand(
                    {options->workerProgram, {QStringLiteral("--worker")}});
    });
    controller.setInteractive(!headless);
    // Nobody sees a dialog in a headless run: every failure is said where a script reads it,
    // and the exit code says that something failed.
    bool failed = false;
    // Errors of the run itself (a reset by a peer, no descriptor left to accept) are said
    // too, once, but do not fail the run: the program handled them and kept going.
    QSet<QString> saidAsFailures;
    if (headless) {
        QObject::connect(&controller, &AppController::failed, &app,
                         [&failed, &saidAsFailures](const QString &message) {
                             printError(message);
                             failed = true;
                             if (saidAsFailures.size() < 1000)
                                 saidAsFailures.insert(message);
                         });
        QObject::connect(&log, &EventLog::eventAppended, &app,
                         [&saidAsFailures](const LogEvent &event) {
                             if (event.severity == EventSeverity::Error
                                 && !saidAsFailures.contains(event.message))
                                 printError(event.message);
                         });
    }
    applyServerOptions(*options, *window.serverPanel());

    // A scenario is read whole before anything starts: a malformed one changes nothing.
    std::optional<Scenario> scenario;
    if (!options->scenarioPath.isEmpty()) {
        ScenarioLoadResult loaded = ScenarioLoader::load(options->scenarioPath);
        if (!loaded.scenario) {
            printError(loaded.error);
            return 2;
        }
        if (options->scenarioStep > loaded.scenario->steps.size()) {
            printError(QStringLiteral("--step %1: the scenario has %2 steps.")
                               .arg(options->scenarioStep)
                               .arg(loaded.scenario->steps.size()));
            return 2;
        }
        scenario = std::move(loaded.scenario);
    }
    ScenarioRunner runner(controller.commands(), registry, [&composition] {
        composition.syncNow();
        composition.kernel().probe().pollNow();
    });
    ScenarioPlayback playback(runner, log);
    const auto toPort = [](std::optional<int> port) {
        return port ? std::optional<quint16>(static_cast<quint16>(*port)) : std::nullopt;
    };
    runner.setPortOverrides(toPort(options->tcpPort), toPort(options->udpPort));
    // A headless run's line per step: passed on stdout, failed on stderr as an error.
    const auto reportStep = [headless](const QString &line, bool passed) {
        if (!passed)
            printError(line);
        else if (headless)
            std::printf("%s\n", qPrintable(line));
        std::fflush(stdout);
    };
    QObject::connect(&playback, &ScenarioPlayback::stepReported, &app, reportStep);
    QObject::connect(&playback, &ScenarioPlayback::finished, &app, [&failed](int failedStep) {
        if (failedStep > 0)
            failed = true;
        QCoreApplication::quit(); // the headless run was the scenario
    });
    if (options->textScale)
        window.textScale().setValue(*options->textScale);
    window.show();
    if (options->presentation)
        window.setPresentationMode(true);

    // Headless, the scenario plays through (as slides when asked for pictures); in the window
    // it is a tour the lecturer clicks.
    std::unique_ptr<TourController> tour;
    std::unique_ptr<SlideExport> slides;
    QString diagramImagePath = options->exportImagePath;
    const bool pictures = !options->exportSlidesDirectory.isEmpty() || !diagramImagePath.isEmpty();
    // The window always has the tour (its Lecture menu starts it); headless, only for slides.
    if (!headless || (scenario && pictures))
        tour = std::make_unique<TourController>(runner, window, composition.pacer());
    std::unique_ptr<LectureMenu> lectureMenu;
    if (!headless)
        lectureMenu = std::make_unique<LectureMenu>(window, runner, *tour);
    if (scenario) {
        runner.setScenario(*scenario);
        if (headless && !pictures)
            playback.play(options->scenarioStep);
        if (headless && pictures) {
            slides = std::make_unique<SlideExport>(*tour, window);
            slides->setDirectory(options->exportSlidesDirectory);
            slides->setLastStepImage(diagramImagePath);
            slides->setSlideSize(options->slideSize);
            slides->setTitle(scenario->title);
            diagramImagePath.clear(); // the step's slide is the image
            QObject::connect(slides.get(), &SlideExport::stepReported, &app, reportStep);
            QObject::connect(slides.get(), &SlideExport::finished, &app,
                             [&failed](int failedStep, const QString &error) {
                                 if (!error.isEmpty())
                                     printError(error);
                                 if (failedStep > 0 || !error.isEmpty())
                                     failed = true;
                                 QCoreApplication::quit();
                             });
            slides->run(options->scenarioStep);
        } else if (tour) {
            tour->start(options->scenarioStep);
        }
    }
    if (!options->noTcp && !scenario)
        controller.startTcpServer(window.serverPanel()->tcpSettings());
    if (!options->noUdp && !scenario)
        controller.startUdpServer(window.serverPanel()->udpSettings());
    if (options->pauseAccepting)
        network.run([&network] { network.engine().setTcpAccepting(false); });
    if (options->tcpClients > 0)
        Q_EMIT window.spawnTcpClientsRequested(options->tcpClients);
    if (options->udpClients > 0)
        Q_EMIT window.spawnUdpClientsRequested(options->udpClients);

    if (options->quitAfterMs >= 0)
        QTimer::singleShot(options->quitAfterMs, &app, &QCoreApplication::quit);

    int status = QApplication::exec();
    if (failed && status == 0)
        status = 1;
    // What the network did since the last frame, so the exports see all of it.
    composition.syncNow();
    // The picture shows the presented registry and the JSON reads the live one; a headless run
    // is always live, so both describe one moment.
    if (!diagramImagePath.isEmpty()) {
        window.diagramScene()->flush();
        QString error;
        if (!DiagramExporter::writeFile(*window.diagramScene(), diagramImagePath, &error)) {
            printError(error);
            status = status == 0 ? 1 : status;
        }
    }
    if (!options->exportTimelinePath.isEmpty()) {
        QString error;
        if (!writeTimelineFile(timelineOf(journal), options->exportTimelinePath, &error)) {
            printError(error);
            status = status == 0 ? 1 : status;
        }
    }
    if (!options->exportJournalPath.isEmpty()) {
        QString error;
        if (!journal.writeFile(options->exportJournalPath, &error)) {
            printError(error);
            status = status == 0 ? 1 : status;
        }
    }
    if (!options->exportStatePath.isEmpty()) {
        QString error;
        if (!StateExporter::writeFile(options->exportStatePath, registry, &log, &error)) {
            printError(error);
            status = status == 0 ? 1 : status;
        }
    }
    return status;
}
