// ScenarioRunner: runs a scenario against an in-process EmulatorImpl over real
// HTTP on ephemeral loopback ports, so scenarios exercise the same code
// paths as real game clients and servers.
//
// A failure stops the scenario and reports the file, line and step, the
// request, the response, the expected-versus-actual difference, the seed and
// the virtual time. A step without `expect.status` expects 200.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "emulator/harness/report.h"
#include "emulator/scenario/scenario.h"

namespace imsemu::scenario {

struct RunOptions {
  std::optional<uint64_t> seed;     // overrides the scenario's
  std::ostream* verbose = nullptr;  // when set, every step is logged there
};

struct ScenarioResult : harness::CaseResult {
  int steps_run = 0;
  Duration virtual_elapsed{0};
};

ScenarioResult RunScenario(const Scenario& scenario, const RunOptions& options);

// A failed load as a result (for reports that list every file).
ScenarioResult LoadFailure(const std::string& file, const std::string& message);

}  // namespace imsemu::scenario
