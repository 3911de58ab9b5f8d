// ControlJson: the control API's bodies — the clock, the whole world, the
// journal, faults — to and from JSON. Pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/clock/clock.h"
#include "emulator/core/event.h"
#include "emulator/core/world.h"
#include "emulator/http/faults.h"

namespace imsemu::http {

// The clock's mode and time, and when the next timer falls due if known.
nlohmann::json ClockToJson(const Clock& clock, std::optional<Time> next_timer = std::nullopt);
nlohmann::json EventToJson(const core::Event& event);
nlohmann::json FaultToJson(const Fault& fault);
// InvalidArgument naming the field (valid values listed from the enum's
// name table).
StatusOr<FaultSpec> FaultSpecFromJson(const nlohmann::json& body);
// A fault whole, as a snapshot file keeps it: {"id", "spec" (the body that
// adds it, with what is left of `times`), "matched", "fired"}.
nlohmann::json FaultRecordToJson(const Fault& fault);
// `where` names it in errors ("faults[2]").
StatusOr<Fault> FaultRecordFromJson(const nlohmann::json& record, const std::string& where);

// What the emulator knows of a payload beyond the world: its Payload Local
// API address, and the log file and pid of its game-server process.
struct PayloadProcess {
  std::string payload_api;
  std::optional<std::string> log_file;
  std::optional<int> pid;
};

// GET /emulator/v0/state: the clock, projects, allocations, payloads (with
// their process and how long they have been in their state) and sessions
// (the status the game server set, the status clients see through the
// Session Manager's cache, and when clients will see the latest).
nlohmann::json StateToJson(const core::WorldSnapshot& snapshot, const Clock& clock,
                           const std::function<PayloadProcess(const std::string&)>& process_of);

// {"config": ...} or {} (the Payload Local API's and the control API's).
nlohmann::json SessionConfigToJson(const std::optional<std::string>& config);

}  // namespace imsemu::http
