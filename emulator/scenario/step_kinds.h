// StepKinds: every step a scenario can take, in one table: its name, the
// parameters it accepts, and how it becomes an HTTP call. The loader checks
// steps against it; the runner builds calls from it. Adding a step kind is
// one entry here.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "emulator/scenario/scenario.h"
#include "ims_emulator/status.h"

namespace imsemu::scenario {

// One request a step makes.
struct Call {
  std::string method;
  std::string target;  // host:port
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// What calls are made against: the emulator's main port, the scenario's
// defaults, and where a payload's own Payload Local API is.
struct StepContext {
  std::string main;  // host:port
  const Scenario* scenario = nullptr;
  std::function<std::string(const std::string& payload_id)> payload_api_of;
};

struct StepKind {
  std::set<std::string> params;
  // Builds the call from the step's parameters (variables already
  // substituted); InvalidArgument naming the parameter when one is missing
  // or wrong. Empty for wait_until, which repeats another step.
  std::function<StatusOr<Call>(const StepContext&, const Json& params)> build;
};

// Every step kind, by name.
const std::map<std::string, StepKind>& StepKinds();

}  // namespace imsemu::scenario
