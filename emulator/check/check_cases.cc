#include "emulator/check/check_cases.h"

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "emulator/codec/yaml_json.h"
#include "emulator/core/lifecycle.h"

namespace imsemu::check {
namespace {

using Json = nlohmann::json;

constexpr const char* kDefaultCases =
#include "default_checks.inc"
    ;
// A generated text is at most this long.
constexpr unsigned long long kMaxGeneratedBytes = 8ull << 20;

Status CheckType(const Json& value, const Json& fallback, const std::string& where) {
  const bool number = fallback.is_number() && value.is_number();
  const bool text = fallback.is_string() && (value.is_string() || value.is_object());
  if (value.type() == fallback.type() || number || text) return OkStatus();
  return InvalidArgument(where + " must be " +
                         (fallback.is_number() ? std::string("a number") : fallback.type_name()));
}

}  // namespace

const std::map<std::string, ProbeInfo>& Probes() {
  static const std::map<std::string, ProbeInfo> kProbes = {
      {"late_api", {Probe::kLateApi, {{"down_seconds", 2}, {"errors", 3}, {"within_seconds", 15}}}},
      {"ready", {Probe::kReady, {{"within_seconds", 10}}}},
      {"polling",
       {Probe::kPolling,
        {{"watch_seconds", 2},
         {"min_polls", 1},
         {"max_polls_per_second", 20},
         {"within_seconds", 10}}}},
      {"config_and_status",
       {Probe::kConfigAndStatus, {{"config", R"({"max_players": 8})"}, {"within_seconds", 10}}}},
      {"hostile_configs",
       {Probe::kHostileConfigs,
        {{"configs", Json::array()},
         {"within_seconds", 10},
         {"settle_seconds", 0.5},
         {"max_status_bytes", 4096}}}},
      {"status_etiquette",
       {Probe::kStatusEtiquette,
        {{"watch_seconds", 2},
         {"max_bytes", 4096},
         {"max_sets_per_second", 2},
         {"within_seconds", 10}}}},
      {"sigterm",
       {Probe::kSigterm,
        {{"grace_seconds", std::chrono::duration<double>(core::kSigtermGrace).count()},
         {"within_seconds", 10}}}},
      {"match_end",
       {Probe::kMatchEnd,
        {{"config", R"({"max_players": 2})"}, {"udp", Json::array()}, {"within_seconds", 10}}}},
      {"lint", {Probe::kLint, Json::object()}},
  };
  return kProbes;
}

StatusOr<std::string> TextParam(const Json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_object() || !value.contains("repeat") || !value["repeat"].is_string() ||
      !value.value("times", Json()).is_number_unsigned()) {
    return InvalidArgument(where + " must be a text or {repeat: TEXT, times: N}");
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    if (key != "repeat" && key != "times" && key != "prefix" && key != "suffix") {
      return InvalidArgument(where + " has no field '" + key + "' (repeat, times, prefix, suffix)");
    }
  }
  const std::string unit = value["repeat"].get<std::string>();
  const unsigned long long times = value["times"].get<unsigned long long>();
  if (times * unit.size() > kMaxGeneratedBytes) {
    return InvalidArgument(where + " would be over 8 MiB");
  }
  std::string out = value.value("prefix", "");
  out.reserve(out.size() + times * unit.size());
  for (unsigned long long i = 0; i < times; ++i) out += unit;
  return out + value.value("suffix", "");
}

StatusOr<std::vector<CheckCase>> ParseCheckCases(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  const Json doc = codec::YamlToJson(root);
  if (!doc.is_object() || !doc.contains("cases") || !doc["cases"].is_array()) {
    return InvalidArgument(path + ": a case file is {cases: [...]}");
  }
  std::vector<CheckCase> cases;
  std::set<std::string> names;
  for (size_t i = 0; i < doc["cases"].size(); ++i) {
    const Json& c = doc["cases"][i];
    const std::string where = path + ": cases[" + std::to_string(i) + "]";
    if (!c.is_object()) return InvalidArgument(where + " is not a map");
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (it.key() != "name" && it.key() != "probe" && it.key() != "description" &&
          it.key() != "params") {
        return InvalidArgument(where + " has no field '" + it.key() +
                               "' (name, probe, description, params)");
      }
    }
    CheckCase out;
    out.name = c.value("name", Json("")).is_string() ? c.value("name", "") : "";
    if (out.name.empty()) return InvalidArgument(where + ".name must be a non-empty text");
    if (!names.insert(out.name).second) {
      return InvalidArgument(where + ": the name '" + out.name + "' is used twice");
    }
    out.description =
        c.value("description", Json("")).is_string() ? c.value("description", "") : "";
    out.probe = c.value("probe", Json("")).is_string() ? c.value("probe", "") : "";
    auto probe = Probes().find(out.probe);
    if (probe == Probes().end()) {
      std::string known;
      for (const auto& [name, _] : Probes()) known += (known.empty() ? "" : ", ") + name;
      return InvalidArgument(where + " (" + out.name + "): probe '" + out.probe +
                             "' is not one of " + known);
    }
    out.kind = probe->second.kind;
    out.params = probe->second.defaults;
    const Json& defaults = probe->second.defaults;
    const Json params = c.value("params", Json::object());
    if (!params.is_object() && !params.is_null()) {
      return InvalidArgument(where + " (" + out.name + ").params must be a map");
    }
    for (auto it = params.begin(); params.is_object() && it != params.end(); ++it) {
      const std::string field = where + " (" + out.name + ").params." + it.key();
      if (!defaults.contains(it.key())) {
        std::string known;
        for (auto k = defaults.begin(); k != defaults.end(); ++k) {
          known += (known.empty() ? "" : ", ") + k.key();
        }
        return InvalidArgument(field + ": probe " + out.probe + " has no such parameter (" +
                               (known.empty() ? "none" : known) + ")");
      }
      IMSEMU_RETURN_IF_ERROR(CheckType(*it, defaults[it.key()], field));
      if (it->is_number() && it->get<double>() < 0) {
        return InvalidArgument(field + " must not be negative");
      }
      out.params[it.key()] = *it;
    }
    for (size_t k = 0; out.params.contains("configs") && k < out.params["configs"].size(); ++k) {
      IMSEMU_RETURN_IF_ERROR(
          TextParam(out.params["configs"][k],
                    where + " (" + out.name + ").params.configs[" + std::to_string(k) + "]")
              .status());
    }
    cases.push_back(std::move(out));
  }
  if (cases.empty()) return InvalidArgument(path + ": no cases");
  return cases;
}

StatusOr<std::vector<CheckCase>> LoadCheckCases(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read case file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseCheckCases(text.str(), path);
}

std::vector<CheckCase> DefaultCheckCases() {
  StatusOr<std::vector<CheckCase>> cases = ParseCheckCases(kDefaultCases, "checks/default.yaml");
  return cases.ok() ? *std::move(cases) : std::vector<CheckCase>{};  // a test pins it loads
}

StatusOr<std::vector<CheckCase>> SelectCases(const std::vector<CheckCase>& cases,
                                             const std::string& only) {
  if (only.empty()) return cases;
  std::vector<CheckCase> out;
  std::stringstream names(only);
  for (std::string name; std::getline(names, name, ',');) {
    auto it = std::find_if(cases.begin(), cases.end(),
                           [&](const CheckCase& c) { return c.name == name; });
    if (it == cases.end()) {
      std::string known;
      for (const CheckCase& c : cases) known += (known.empty() ? "" : ", ") + c.name;
      return InvalidArgument("--only: no case named '" + name + "' (cases: " + known + ")");
    }
    out.push_back(*it);
  }
  return out;
}

}  // namespace imsemu::check
