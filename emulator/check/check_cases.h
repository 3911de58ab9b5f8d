// CheckCases: what `ims-emulator check` puts a game server through, as data.
//
// A case names a probe (the code that drives the server and judges it:
// late_api, ready, polling, config_and_status, hostile_configs,
// status_etiquette, sigterm, match_end, lint) and its parameters. The
// built-in cases are checks/default.yaml, compiled in; a studio adds its own
// in a file of the same shape. A case file is checked before anything runs:
// an unknown probe or parameter, or a value of the wrong type, is an error
// naming the file, the case and the field, never a case that tests nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ims_emulator/status.h"

namespace imsemu::check {

// What a case does; each has a driver and a judgement (check_runner.cc,
// judgements.h).
enum class Probe {
  kLateApi,
  kReady,
  kPolling,
  kConfigAndStatus,
  kHostileConfigs,
  kStatusEtiquette,
  kSigterm,
  kMatchEnd,
  kLint,  // the fixture, not the server: runs no process
};

struct ProbeInfo {
  Probe kind;
  nlohmann::json defaults;  // every parameter, with its default
};

struct CheckCase {
  std::string name;  // what --only picks
  std::string description;
  std::string probe;  // its name in the case file
  Probe kind = Probe::kReady;
  // Every parameter of the probe: the file's values over the defaults.
  nlohmann::json params;
};

// The probes by the names case files use: the one table of them.
const std::map<std::string, ProbeInfo>& Probes();

// A case file's text ({cases: [...]}); `path` names it in errors.
StatusOr<std::vector<CheckCase>> ParseCheckCases(const std::string& text, const std::string& path);
StatusOr<std::vector<CheckCase>> LoadCheckCases(const std::string& path);
// checks/default.yaml.
std::vector<CheckCase> DefaultCheckCases();

// The cases named in `only` (comma-separated; empty: all), in their order.
// InvalidArgument naming an unknown name and listing the known ones.
StatusOr<std::vector<CheckCase>> SelectCases(const std::vector<CheckCase>& cases,
                                             const std::string& only);

// A parameter that is a text, or a generated one: {repeat, times} with an
// optional prefix and suffix (1 MiB of text need not be written out).
StatusOr<std::string> TextParam(const nlohmann::json& value, const std::string& where);

}  // namespace imsemu::check
