// Event: one line of the journal that records every state change.
//
// The journal is append-only and ordered by `seq`; it is what the control
// API's /events, bug reports and (later) record/replay are built on. Plain
// value type.
#pragma once

#include <string>

#include "emulator/clock/clock.h"

namespace imsemu::core {

struct Event {
  long long seq = 0;  // assigned by the store
  Time time;
  std::string level = "info";  // info | warning
  std::string actor;           // who caused it: game-server, orchestration, ...
  std::string kind;            // payload.state, payload.created, allocation.created, ...
  std::string project_id;
  std::string allocation_id;
  std::string payload_id;
  std::string old_state;
  std::string new_state;
  std::string detail;
};

}  // namespace imsemu::core
