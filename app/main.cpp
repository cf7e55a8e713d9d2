// SPDX-License-Identifier: MIT
// Composition root: parses the command line and wires core, net, kernel and ui together.
#include "appcomposition.h"
#include "appcontroller.h"
#include "commandline.h"
#include "diagramexporter.h"
#include "diagramscene.h"
#include "eventjournal.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "networkengine.h"
#include "networkhost.h"
#include "quitsignals.h"
#include "safefilewriter.h"
#include "socketregistry.h"
#include "stateexporter.h"
#include "tcpworker.h"
#include "textscale.h"
#include "timelineview.h"
#include "workerprocess.h"

#include <QApplication>
#include <QIcon>
#include <QSet>
#include <QTimer>

#include <cstdio>

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
        QCoreApplication textOnly(argc, argv);
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
    if (options->textScale)
        window.textScale().setValue(*options->textScale);
    window.show();
    if (options->presentation)
        window.setPresentationMode(true);

    if (!options->noTcp)
        controller.startTcpServer(window.serverPanel()->tcpSettings());
    if (!options->noUdp)
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
    if (!options->exportImagePath.isEmpty()) {
        window.diagramScene()->flush();
        QString error;
        if (!DiagramExporter::writeFile(*window.diagramScene(), options->exportImagePath, &error)) {
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
