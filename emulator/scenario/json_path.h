// JsonPath: the paths scenarios use to point into a response, such as
// `sessions[0].session_status.phase` or `result.status.ports[1].port`.
// A key may be quoted with brackets for dots in it: `labels["a.b"]`.
// Pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace imsemu::scenario {

// The value at `path` in `root`, or nullptr if the path does not exist. An
// empty path is the root itself.
const nlohmann::json* FindPath(const nlohmann::json& root, const std::string& path);

}  // namespace imsemu::scenario
