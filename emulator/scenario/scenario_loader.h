// ScenarioLoader: reads a scenario file (YAML; JSON is YAML too) into a
// Scenario, checking every step's shape before anything runs.
//
// Errors name the file and line: "scenarios/x.yaml:12: step 3: unknown step
// kind 'client.creat_session'". yaml-cpp reports through exceptions; they are
// caught here and never leave the loader.
#pragma once

#include <string>

#include "emulator/scenario/scenario.h"
#include "ims_emulator/status.h"

namespace imsemu::scenario {

StatusOr<Scenario> LoadScenario(const std::string& path);
// Parses scenario text; `path` names it in errors and anchors relative
// fixture paths.
StatusOr<Scenario> ParseScenario(const std::string& text, const std::string& path);

}  // namespace imsemu::scenario
