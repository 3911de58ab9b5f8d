// MockConfigJson: the world of IMS's own local mock (`ims orchestration
// payload-local-api --payload-config FILE`), as a fixture.
//
// The config file mocks the payload's metadata and the session config:
//   {"payload_config": {"metadata": {"labels": {...}, "annotations": {...}}},
//    "session_config": "<string>"}
// (`session_config` may also sit inside `payload_config`). The fixture holds
// one allocation of exactly one payload that waits for the ready call and is
// reserved by itself, with that metadata and config, 10 s after it is Ready.
// Pure functions; never throw.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "emulator/core/world.h"
#include "ims_emulator/status.h"

namespace imsemu::codec {

inline constexpr const char* kMockProject = "local-project";

// The mock's world for a config document (null: no config file).
StatusOr<core::Fixture> MockFixtureFromJson(const nlohmann::json& config);
// Reads `path` ("" for none) and decodes it.
StatusOr<core::Fixture> LoadMockFixture(const std::string& path);

}  // namespace imsemu::codec
