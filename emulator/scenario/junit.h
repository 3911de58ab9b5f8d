// JUnit XML for scenario results (one testsuite, one testcase per scenario),
// as CI systems read it. Pure function.
#pragma once

#include <string>
#include <vector>

#include "emulator/scenario/scenario_runner.h"

namespace imsemu::scenario {

std::string JUnitXml(const std::vector<ScenarioResult>& results);

}  // namespace imsemu::scenario
