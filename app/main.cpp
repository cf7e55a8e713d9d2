// SPDX-License-Identifier: MIT
// Composition root: parses the command line and wires core, net, kernel and ui together.
#include "diagramexporter.h"
#include "diagramscene.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "socketregistry.h"
#include "stateexporter.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include <cstdio>

using namespace SocketScope;

namespace {

struct Options
{
    QString exportStatePath;
    QString exportImagePath;
    int quitAfterMs = -1;
};

// Prints the message the way a command-line user expects: on stderr, prefixed by the program.
void printError(const QString &message)
{
    std::fprintf(stderr, "socketscope: %s\n", qPrintable(message));
}

std::optional<Options> parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
            "main", "Makes client-server sockets visible: real TCP and UDP endpoints on this "
                    "machine, drawn live with the kernel's own view of each socket."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption exportState(
            QStringLiteral("export-state"),
            QCoreApplication::translate("main", "Write the state (every socket and event) as "
                                                "JSON to <file> when the app quits."),
            QStringLiteral("file"));
    const QCommandLineOption quitAfter(
            QStringLiteral("quit-after"),
            QCoreApplication::translate("main", "Quit by itself after <ms> milliseconds."),
            QStringLiteral("ms"));
    const QCommandLineOption exportImage(
            QStringLiteral("export-image"),
            QCoreApplication::translate("main", "Write the diagram to <file> (.png or .svg) "
                                                "when the app quits."),
            QStringLiteral("file"));
    parser.addOption(exportState);
    parser.addOption(exportImage);
    parser.addOption(quitAfter);
    parser.process(app); // exits on --help, --version and unknown options

    Options options;
    options.exportStatePath = parser.value(exportState);
    options.exportImagePath = parser.value(exportImage);
    if (!options.exportImagePath.isEmpty()) {
        const QString suffix = QFileInfo(options.exportImagePath).suffix().toLower();
        if (suffix != QLatin1String("png") && suffix != QLatin1String("svg")) {
            printError(QStringLiteral("--export-image writes PNG or SVG: name the file .png or "
                                      ".svg, not '%1'.")
                               .arg(options.exportImagePath));
            return std::nullopt;
        }
    }
    if (parser.isSet(quitAfter)) {
        bool ok = false;
        options.quitAfterMs = parser.value(quitAfter).toInt(&ok);
        if (!ok || options.quitAfterMs < 0) {
            printError(QStringLiteral("--quit-after expects a number of milliseconds (0 or "
                                      "more), not '%1'.")
                               .arg(parser.value(quitAfter)));
            return std::nullopt;
        }
    }
    return options;
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

} // namespace

int main(int argc, char *argv[])
{
    if (wantsOnlyText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        describeApplication();
        parseOptions(textOnly); // prints and exits
        return 0;
    }
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

    const std::optional<Options> options = parseOptions(app);
    if (!options)
        return 2;

    SocketRegistry registry;
    EventLog log;
    log.append(EventSeverity::Info, QStringLiteral("SocketScope %1 started (pid %2)")
                                            .arg(QCoreApplication::applicationVersion())
                                            .arg(QCoreApplication::applicationPid()));

    MainWindow window(registry, log);
    window.show();

    if (options->quitAfterMs >= 0)
        QTimer::singleShot(options->quitAfterMs, &app, &QCoreApplication::quit);

    int status = app.exec();
    // Both exports read the same registry, so the picture and the JSON describe one moment.
    if (!options->exportImagePath.isEmpty()) {
        window.diagramScene()->flush();
        QString error;
        if (!DiagramExporter::writeFile(*window.diagramScene(), options->exportImagePath, &error)) {
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
