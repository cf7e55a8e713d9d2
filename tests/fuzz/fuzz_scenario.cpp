// SPDX-License-Identifier: MIT
// libFuzzer target: a scenario file through ScenarioLoader::parse. Whatever the bytes, it
// either loads a scenario every part of which is within its bounds, or says what is wrong
// with the file's name, line and column first; and where each value sits is found for any
// document QJsonDocument accepts.

#include "fuzzcheck.h"
#include "jsonpositions.h"
#include "scenarioloader.h"

#include <QJsonDocument>

#include <cstdint>

using namespace SocketScope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray file(reinterpret_cast<const char *>(data), qsizetype(size));
    const ScenarioLoadResult result = ScenarioLoader::parse(file, QStringLiteral("f.json"));
    if (!result.scenario) {
        check(result.error.startsWith(QStringLiteral("f.json:")));
    } else {
        check(result.error.isEmpty());
        check(!result.scenario->steps.isEmpty()
              && result.scenario->steps.size() <= ScenarioLoader::MaxSteps);
        for (const ScenarioStep &step : result.scenario->steps) {
            check(!step.title.trimmed().isEmpty());
            check(step.actions.size() <= ScenarioLoader::MaxActionsPerStep);
            check(step.speed >= 0.05 && step.speed <= 4);
            if (step.question)
                check(step.question->answer >= 0
                      && step.question->answer < step.question->choices.size());
            for (const ScenarioAction &action : step.actions) {
                check(action.count >= 1 && action.port >= 0 && action.port <= 65535);
                check(!action.from || action.from->isLoopback());
                check(action.address.isLoopback());
            }
        }
    }
    // Any position asked of a valid document is inside it.
    if (!QJsonDocument::fromJson(file).isNull()) {
        const JsonPositions positions(file);
        const TextPosition at = positions.valueAt(QStringLiteral("steps[0].actions[0].do"));
        check(at.line >= 1 && at.column >= 1 && at.line <= file.count('\n') + 1);
    }
    return 0;
}
