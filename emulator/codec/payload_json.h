// PayloadJson: the wire form of a payload (Payload Local API `result`,
// orchestration API), in one place so that "never emit null, always emit the
// required fields" is enforced once. Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "emulator/core/payload.h"

namespace imsemu::codec {

// {id, cluster_id, allocation_id, status{state, details?, address?, ports?,
// last_reserved?, started?}, created, metadata{labels, annotations}}.
nlohmann::json PayloadToJson(const core::Payload& payload);

nlohmann::json PortsToJson(const std::vector<core::Port>& ports);

inline constexpr const char* kClusterId = "local";

}  // namespace imsemu::codec
