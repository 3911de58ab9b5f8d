// ControlApi: the emulator's own endpoints under /emulator/v0 — health, the
// whole world as JSON, the clock, reset, faults of the game server (exit,
// forced state), session-config inspection and the event journal.
//
// It reaches the emulator only through `ControlHooks`, so http/ does not
// depend on the facade that owns it. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "emulator/clock/clock.h"
#include "emulator/core/world.h"
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
};

void MountControlApi(httplib::Server& server, core::World& world, RequestIds& ids,
                     ControlHooks hooks);

}  // namespace imsemu::http
