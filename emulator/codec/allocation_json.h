// AllocationJson: allocation specs, allocations and fixtures as JSON.
//
// The spec form is the orchestration API's request body, the fixture entry
// and the persisted record alike, so one decoder validates all three. Unknown
// fields are refused (a typo in `bufer_size` must not pass silently). Pure
// functions; decoders never throw.
#pragma once

#include <nlohmann/json.hpp>

#include "emulator/core/allocation.h"
#include "emulator/core/world.h"
#include "ims_emulator/status.h"

namespace imsemu::codec {

nlohmann::json AllocationSpecToJson(const core::AllocationSpec& spec);
// InvalidArgument naming the field (under `path`) on a wrong type or value.
StatusOr<core::AllocationSpec> AllocationSpecFromJson(const nlohmann::json& json,
                                                      const std::string& path = "");

// The spec plus id, project_id, created and state.
nlohmann::json AllocationToJson(const core::Allocation& allocation);

// {"projects": [{"id": ..., "allocations": [{"id"?: ..., <spec>}]}]}
StatusOr<core::Fixture> FixtureFromJson(const nlohmann::json& json);
// The fixture as FixtureFromJson reads it.
nlohmann::json FixtureToJson(const core::Fixture& fixture);
// Reads and decodes the fixture file at `path`; InvalidArgument names the
// file and the field.
StatusOr<core::Fixture> LoadFixtureFile(const std::string& path);
// The world `serve` starts with when no --fixture is given (built into the
// binary from fixtures/default.json, so the CLI runs from any directory).
StatusOr<core::Fixture> DefaultFixture();

}  // namespace imsemu::codec
