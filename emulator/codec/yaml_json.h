// YamlJson: a YAML document as JSON, for the files people write by hand
// (scenarios, check cases). Plain scalars become numbers, booleans or null
// when they read as such; quoted ones stay strings. Pure function.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

namespace imsemu::codec {

nlohmann::json YamlToJson(const YAML::Node& node);

}  // namespace imsemu::codec
