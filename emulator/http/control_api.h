// ControlApi: the emulator's own endpoints under /emulator/v0 — health, the
// whole world as JSON, the clock, reset, game-server faults (exit, forced
// state, a late Payload Local API), endpoint faults, session-config
// inspection and the event journal.
//
// It reaches the emulator only through `ControlHooks`, so http/ does not
// depend on the facade that owns it. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <httplib.h>

#include "emulator/clock/clock.h"
#include "emulator/core/world.h"
#include "emulator/http/faults.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

struct ControlHooks {
  const Clock* clock = nullptr;
  // Moves the virtual clock; FailedPrecondition under the real clock.
  std::function<Status(Duration)> advance_clock;
  // Back to the fixture.
  std::function<Status()> reset;
  // The ORCHESTRATION_PAYLOAD_API value of a payload.
  std::function<std::string(const std::string&)> payload_api_of;
  // Makes a payload's Payload Local API unreachable for a while.
  std::function<Status(const std::string&, Duration)> payload_api_down;
  Faults* faults = nullptr;
  // The log file of a payload that runs a real game server.
  std::function<std::optional<std::string>(const std::string&)> log_file_of;
  // The pid of a payload's running game-server process.
  std::function<std::optional<int>(const std::string&)> pid_of;
  // True once the emulator is stopping: long polls end.
  std::function<bool()> stopping;
};

void MountControlApi(httplib::Server& server, core::World& world, RequestIds& ids,
                     ControlHooks hooks);

}  // namespace imsemu::http
