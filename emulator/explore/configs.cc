#include "emulator/explore/configs.h"

#include <set>

#include <nlohmann/json.hpp>

namespace imsemu::explore {
namespace {

using Json = nlohmann::json;

// What a value is replaced by: the other types a player's client may send.
std::vector<Json> Replacements(const Json& value) {
  std::vector<Json> out = {Json(nullptr), Json(""), Json::object({{"nested", value}})};
  if (value.is_string()) {
    out.push_back(Json(7));
    out.push_back(Json(value.get<std::string>() + std::string(1000, 'x')));
  } else {
    out.push_back(Json(value.dump()));
  }
  if (value.is_number()) out.push_back(Json(-2147483649LL));
  return out;
}

}  // namespace

std::vector<std::string> Mutations(const std::string& config) {
  std::vector<std::string> out;
  const Json parsed = Json::parse(config, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      Json dropped = parsed;
      dropped.erase(it.key());
      out.push_back(dropped.dump());
      for (const Json& other : Replacements(*it)) {
        Json changed = parsed;
        changed[it.key()] = other;
        out.push_back(changed.dump());
      }
    }
  }
  if (config.size() >= 2) out.push_back(config.substr(0, config.size() / 2));
  return out;
}

std::vector<std::string> ConfigGrammar(const std::vector<std::string>& examples,
                                       const std::vector<std::string>& hostile) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& config) {
    if (seen.insert(config).second) out.push_back(config);
  };
  for (const std::string& example : examples) add(example);
  for (const std::string& example : examples) {
    for (const std::string& mutation : Mutations(example)) add(mutation);
  }
  for (const std::string& config : hostile) add(config);
  return out;
}

}  // namespace imsemu::explore
