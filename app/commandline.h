// SPDX-License-Identifier: MIT
#pragma once

#include "concurrencymodel.h"

#include <QSize>
#include <QString>

#include <optional>

class QCoreApplication;

namespace SocketScope {

// Everything the command line can ask for, checked: a value here is usable as it is.
struct CommandLineOptions
{
    QString exportStatePath;
    QString exportJournalPath;
    QString exportTimelinePath;
    QString exportImagePath;
    QString workerProgram; // empty: this program in worker mode
    // A scenario to play (a file, or ":/scenarios/tour.json" for --tour), and up to which
    // step (1-based; 0: all of them).
    QString scenarioPath;
    int scenarioStep = 0;
    QString exportSlidesDirectory; // --export-slides: a PNG and SVG per step, and a handout
    QSize slideSize{1280, 720};
    int quitAfterMs = -1;
    std::optional<int> connectTimeoutSeconds; // unset: the engine's default
    std::optional<QString> bindAddress;
    std::optional<int> tcpPort;
    std::optional<int> udpPort;
    std::optional<QString> behaviour;
    int tcpClients = 0;
    int udpClients = 0;
    bool noTcp = false;
    bool noUdp = false;
    bool pauseAccepting = false;
    ConcurrencyModel model = ConcurrencyModel::EventLoop;
    UdpModel udpModel = UdpModel::Single;
    bool presentation = false; // start in presentation view
    std::optional<double> textScale; // 1 to 3; unset: the one chosen last time
};

// Parses and checks the arguments. Exits the process for --help and --version; on bad
// input prints what is wrong and what to write instead, and returns nullopt.
std::optional<CommandLineOptions> parseCommandLine(const QCoreApplication &app);

} // namespace SocketScope
