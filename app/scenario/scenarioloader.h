// SPDX-License-Identifier: MIT
#pragma once

#include "scenario.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace SocketScope {

struct ScenarioLoadResult
{
    std::optional<Scenario> scenario;
    // "tour.json:12:7: steps[2].actions[0].count: ...": file, line, column, field and what
    // to write instead. Empty when the scenario loaded.
    QString error;
};

// Reads scenario files (JSON, schema in README "Scenario files"). Everything is checked
// before anything runs, so a malformed file changes nothing; unknown fields are errors,
// because a misspelt field silently ignored would make a step do something else.
class ScenarioLoader
{
public:
    static constexpr qsizetype MaxFileBytes = 1 << 20;
    static constexpr int MaxSteps = 200;
    static constexpr int MaxActionsPerStep = 100;

    // `sourceName` names the file in messages.
    static ScenarioLoadResult parse(const QByteArray &json, const QString &sourceName);
    // A file on disk or a resource (":/scenarios/tour.json").
    static ScenarioLoadResult load(const QString &path);
};

} // namespace SocketScope
