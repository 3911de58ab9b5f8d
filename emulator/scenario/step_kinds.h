// StepKinds: every step a scenario can take, in one table: its name, the
// call it makes (a route of util/api_routes.h: method and path template), the
// parameters it accepts, and how they become that call. The loader checks
// steps against it; the runner builds calls from it; the recorder finds the
// step that replays a call by its route. Adding a step kind is one entry
// here.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "emulator/scenario/scenario.h"
#include "emulator/util/api_routes.h"
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
  // The call it makes; no path for wait_until, which repeats another step.
  routes::Route route{"", nullptr};
  std::set<std::string> params;
  // Builds the call from the step's parameters (variables already
  // substituted); InvalidArgument naming the parameter when one is missing
  // or wrong. Empty for wait_until, which repeats another step.
  std::function<StatusOr<Call>(const StepContext&, const Json& params)> build;
};

// Every step kind, by name.
const std::map<std::string, StepKind>& StepKinds();

// The step kind whose route a request takes, and the values of the route's
// {names} in its path; nullopt when no step kind makes it. `payload_api`:
// the request went to a Payload Local API (a payload's own port, or the
// shared port's /payloads/{payload} prefix taken off).
struct KindOfCall {
  std::string kind;
  std::map<std::string, std::string> values;
};
std::optional<KindOfCall> FindStepKind(const std::string& method, const std::string& path,
                                       bool payload_api);

}  // namespace imsemu::scenario
