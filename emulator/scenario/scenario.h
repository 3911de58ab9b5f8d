// Scenario: one client-server story, as a scenario file declares it.
//
// A scenario names its world (a fixture), its seed and clock, and a list of
// steps. Each step is one call over real HTTP (a game client, a game server,
// the orchestration API, the emulator's control API), an expectation on the
// answer, and values to save into variables (`${name}` in later steps).
// `wait_until` repeats its step, advancing the virtual clock, until the
// expectation holds. Plain value types; JSON holds the step parameters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/clock/clock.h"
#include "emulator/core/status_cache.h"
#include "emulator/core/world.h"

namespace imsemu::scenario {

using Json = nlohmann::json;

struct Expectation {
  std::optional<int> status;
  std::vector<std::pair<std::string, Json>> body;  // path -> expected value
  std::vector<std::string> absent;                 // paths that must not exist
};

struct Step {
  int number = 0;  // 1-based position in the file
  int line = 0;    // 1-based line of the step in the file
  std::string kind;
  Json params;
  std::map<std::string, std::string> save;  // variable -> response path
  Expectation expect;
  // How many times the step is sent in a row, each answer held to `expect`
  // (a recording writes identical polls as one step with their count).
  int times = 1;
  // wait_until only: the repeated step, the clock step and the time limit.
  std::shared_ptr<Step> repeat;
  Duration every{1000};
  Duration within{60000};
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  uint64_t seed = 1;
  bool virtual_clock = true;
  core::Fixture world;
  core::StatusCacheMode status_cache = core::StatusCacheMode::kPeriodic;
  Duration status_cache_ttl{12000};
  std::string auth = "any";
  std::string project = "local-project";
  std::string session_type = "default";
  std::string authorization = "Bearer secret-token:scenario/player";
  // Variables set before the first step: literal values, or
  // {repeat: "text", times: N} for large generated strings.
  std::map<std::string, Json> vars;
  std::vector<Step> steps;
};

}  // namespace imsemu::scenario
