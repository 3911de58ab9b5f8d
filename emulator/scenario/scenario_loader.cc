#include "emulator/scenario/scenario_loader.h"
#include "emulator/util/suggest.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/codec/yaml_json.h"
#include "emulator/scenario/step_kinds.h"
#include "emulator/util/utf8.h"

namespace imsemu::scenario {
namespace {

// Every step kind and the parameters it takes: anything else in a step is a
// typo that would make it test nothing, and is refused at load.
// Edit distance, to suggest the name a typo meant.
std::string Listed(const std::set<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The most times a step may be repeated (`times:`).
constexpr long long kMaxTimes = 1000000;

// A failure at a line of the file.
struct LoadError {
  int line;
  std::string message;
};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

Json ToJson(const YAML::Node& node) { return codec::YamlToJson(node); }

std::string AsString(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

Expectation ParseExpectation(const YAML::Node& node, int line) {
  if (!node.IsMap()) throw LoadError{line, "expect must be a map (status, body, absent)"};
  Expectation e;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const int at = LineOf(kv.first);
    if (key == "status") {
      Json status = ToJson(kv.second);
      if (!status.is_number_integer()) throw LoadError{at, "expect.status must be an integer"};
      e.status = status.get<int>();
    } else if (key == "body") {
      if (!kv.second.IsMap()) {
        throw LoadError{at, "expect.body must map response paths to expected values"};
      }
      for (const auto& entry : kv.second) {
        if (!entry.first.IsScalar()) {
          throw LoadError{LineOf(entry.first),
                          "expect.body: each key must be a path; write keys with [ in block "
                          "style or quote them"};
        }
        e.body.emplace_back(entry.first.Scalar(), ToJson(entry.second));
      }
    } else if (key == "absent") {
      Json absent = ToJson(kv.second);
      if (absent.is_string()) absent = Json::array({absent});
      if (!absent.is_array()) throw LoadError{at, "expect.absent must be a list of paths"};
      for (const Json& p : absent) {
        // YAML reads [sessions[1]] as nested lists: a path that tests nothing.
        if (!p.is_string()) {
          throw LoadError{at,
                          "expect.absent: each path must be a string; in flow style quote "
                          "paths with [ (absent: [\"sessions[1]\"])"};
        }
        e.absent.push_back(p.get<std::string>());
      }
    } else {
      throw LoadError{at, "expect has no field '" + key + "' (status, body, absent)"};
    }
  }
  return e;
}

// The one key of a step map that names its kind; `others` are the keys
// beside it (a step's expect, save and times; wait_until's every and within).
std::string KindOf(const YAML::Node& node, int line, const std::set<std::string>& others) {
  std::string kind;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (others.count(key) != 0) continue;
    if (key == "every" || key == "within") {
      throw LoadError{LineOf(kv.first), key +
                                            " belongs inside wait_until's map, beside the "
                                            "step it repeats"};
    }
    if (!kind.empty()) {
      throw LoadError{line, "a step has one kind; found '" + kind + "' and '" + key + "'"};
    }
    kind = key;
  }
  if (kind.empty()) throw LoadError{line, "a step needs a kind, e.g. client.create_session"};
  if (StepKinds().count(kind) == 0) {
    std::set<std::string> kinds;
    for (const auto& [name, step_kind] : StepKinds()) kinds.insert(name);
    throw LoadError{line, "unknown step kind '" + kind + "'" + DidYouMean(kind, kinds)};
  }
  return kind;
}

// The parameters of a step of `kind`, refusing any it does not take.
Json ParseParameters(const std::string& kind, const YAML::Node& node, int line) {
  const std::set<std::string>& known = StepKinds().at(kind).params;
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      if (known.count(key) == 0) {
        throw LoadError{LineOf(kv.first), kind + " has no parameter '" + key + "'" +
                                              DidYouMean(key, known) + "; it takes " +
                                              Listed(known)};
      }
    }
  } else if (node.IsDefined() && !node.IsNull() && kind != "emulator.advance") {
    throw LoadError{line, kind + " takes a map of parameters (" + Listed(known) + ")"};
  }
  return ToJson(node);
}

Step ParseStep(const YAML::Node& node, int number) {
  const int line = LineOf(node);
  if (!node.IsMap()) throw LoadError{line, "a step must be a map, e.g. '- emulator.advance: 12s'"};
  Step step;
  step.number = number;
  step.line = line;
  step.kind = KindOf(node, line, {"expect", "save", "times"});
  // wait_until's map holds every, within and its step, read below.
  if (step.kind != "wait_until") step.params = ParseParameters(step.kind, node[step.kind], line);
  if (node["expect"]) step.expect = ParseExpectation(node["expect"], LineOf(node["expect"]));
  if (const YAML::Node save = node["save"]) {
    if (!save.IsMap()) throw LoadError{LineOf(save), "save must map variable names to paths"};
    for (const auto& kv : save) step.save[kv.first.Scalar()] = kv.second.Scalar();
  }
  if (const YAML::Node times = node["times"]) {
    const Json n = ToJson(times);
    if (!n.is_number_integer() || n.get<long long>() < 1 || n.get<long long>() > kMaxTimes) {
      throw LoadError{LineOf(times), "times must be a whole number from 1 to " +
                                         std::to_string(kMaxTimes) + "; got " + n.dump()};
    }
    if (step.kind == "wait_until") {
      throw LoadError{LineOf(times),
                      "times repeats a step a fixed number of times; wait_until "
                      "repeats its step until it holds: give one of them"};
    }
    step.times = n.get<int>();
  }
  if (step.kind == "wait_until") {
    const YAML::Node inner = node["wait_until"];
    if (!inner.IsMap()) throw LoadError{line, "wait_until needs a step to repeat"};
    for (const char* key : {"every", "within"}) {
      if (!inner[key]) continue;
      StatusOr<Duration> d = codec::ParseDuration(ToJson(inner[key]));
      if (!d.ok())
        throw LoadError{LineOf(inner[key]), std::string(key) + ": " + d.status().message()};
      (std::string(key) == "every" ? step.every : step.within) = *d;
    }
    if (step.every.count() <= 0) throw LoadError{line, "wait_until.every must be > 0"};
    for (const char* key : {"expect", "save", "times"}) {
      if (inner[key]) {
        throw LoadError{LineOf(inner[key]),
                        std::string(key) + " goes beside wait_until, not inside its map"};
      }
    }
    auto repeated = std::make_shared<Step>();
    repeated->number = number;
    repeated->line = line;
    repeated->kind = KindOf(inner, line, {"every", "within"});
    if (repeated->kind == "wait_until") throw LoadError{line, "wait_until cannot repeat itself"};
    repeated->params = ParseParameters(repeated->kind, inner[repeated->kind], line);
    repeated->expect = step.expect;
    repeated->save = step.save;
    step.repeat = std::move(repeated);
  }
  return step;
}

void ParseWorld(const YAML::Node& node, const std::string& path, Scenario& s) {
  const int line = LineOf(node);
  Json world = ToJson(node);
  StatusOr<core::Fixture> fixture = InvalidArgument("");
  if (world.is_object() && world.contains("fixture")) {
    std::filesystem::path file = AsString(world["fixture"]);
    if (file.is_relative()) file = std::filesystem::path(path).parent_path() / file;
    fixture = codec::LoadFixtureFile(file.lexically_normal().string());
  } else {
    fixture = codec::FixtureFromJson(world);
  }
  if (!fixture.ok()) throw LoadError{line, "world: " + fixture.status().message()};
  s.world = *std::move(fixture);
}

void ParseTop(const YAML::Node& root, const std::string& path, Scenario& s) {
  if (!root.IsMap()) throw LoadError{1, "a scenario is a map with name, world and steps"};
  bool has_world = false;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const int at = LineOf(kv.first);
    const YAML::Node& v = kv.second;
    if (key == "name") {
      s.name = v.Scalar();
    } else if (key == "description") {
      s.description = v.Scalar();
    } else if (key == "seed") {
      Json seed = ToJson(v);
      if (!seed.is_number_unsigned()) throw LoadError{at, "seed must be a non-negative integer"};
      s.seed = seed.get<uint64_t>();
    } else if (key == "clock") {
      if (v.Scalar() != "virtual" && v.Scalar() != "real") {
        throw LoadError{at, "clock must be virtual or real"};
      }
      s.virtual_clock = v.Scalar() == "virtual";
    } else if (key == "status_cache") {
      Json cache = ToJson(v);
      if (!cache.is_object()) throw LoadError{at, "status_cache must be {mode, ttl}"};
      for (auto it = cache.begin(); it != cache.end(); ++it) {
        if (it.key() != "mode" && it.key() != "ttl") {
          throw LoadError{at, "status_cache has no field '" + it.key() + "' (mode, ttl)"};
        }
      }
      if (cache.contains("mode")) {
        auto mode = core::ParseStatusCacheMode(AsString(cache["mode"]));
        if (!mode) throw LoadError{at, "status_cache.mode must be periodic, delay or off"};
        s.status_cache = *mode;
      }
      if (cache.contains("ttl")) {
        StatusOr<Duration> ttl = codec::ParseDuration(cache["ttl"]);
        if (!ttl.ok()) throw LoadError{at, "status_cache.ttl: " + ttl.status().message()};
        s.status_cache_ttl = *ttl;
      }
    } else if (key == "auth") {
      s.auth = v.Scalar();
    } else if (key == "defaults") {
      Json d = ToJson(v);
      if (!d.is_object()) throw LoadError{at, "defaults must be a map"};
      for (auto it = d.begin(); it != d.end(); ++it) {
        if (it.key() != "project" && it.key() != "session_type" && it.key() != "authorization") {
          throw LoadError{at, "defaults has no field '" + it.key() +
                                  "' (project, session_type, authorization)"};
        }
      }
      s.project = d.value("project", s.project);
      s.session_type = d.value("session_type", s.session_type);
      s.authorization = d.value("authorization", s.authorization);
    } else if (key == "vars") {
      if (!v.IsMap()) throw LoadError{at, "vars must map names to values"};
      for (const auto& var : v) {
        Json value = ToJson(var.second);
        if (value.is_object() && value.contains("repeat")) {
          const Json times = value.value("times", Json());
          if (!value["repeat"].is_string() || !times.is_number_unsigned() ||
              times.get<uint64_t>() > (8u << 20) ||
              times.get<uint64_t>() * value["repeat"].get<std::string>().size() > (8u << 20)) {
            throw LoadError{LineOf(var.second),
                            "vars: {repeat: text, times: N} needs a string and at most 8 MiB "
                            "in all"};
          }
          std::string text;
          for (uint64_t i = 0; i < times.get<uint64_t>(); ++i)
            text += value["repeat"].get<std::string>();
          value = text;
        }
        s.vars[var.first.Scalar()] = std::move(value);
      }
    } else if (key == "world") {
      ParseWorld(v, path, s);
      has_world = true;
    } else if (key == "steps") {
      if (!v.IsSequence()) throw LoadError{at, "steps must be a list"};
      int n = 0;
      for (const YAML::Node& step : v) s.steps.push_back(ParseStep(step, ++n));
    } else {
      throw LoadError{at, "unknown field '" + key + "'"};
    }
  }
  if (s.name.empty()) throw LoadError{1, "a scenario needs a name"};
  if (!has_world) throw LoadError{1, "a scenario needs a world (a fixture file or inline)"};
}

}  // namespace

StatusOr<Scenario> ParseScenario(const std::string& text, const std::string& path) {
  Scenario s;
  s.file = path;
  // Every value may end up in JSON, which must be UTF-8.
  if (const size_t bad = FirstInvalidUtf8(text); bad != text.size()) {
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    return InvalidArgument(path + ":" + std::to_string(line) + ": the file is not valid UTF-8");
  }
  try {
    ParseTop(YAML::Load(text), path, s);
  } catch (const LoadError& e) {
    return InvalidArgument(path + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return s;
}

StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read scenario file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path);
}

}  // namespace imsemu::scenario
