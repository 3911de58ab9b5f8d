// OrchestrationApi: the IMS zeuz management API (spec section 3) on the main
// port: allocations, their payloads, payload metadata and reservations.
//
// Any Bearer token, or none, is accepted: it is a local emulator. Nothing
// matching a reservation answers 412. Starting processes is a capability:
// unless `allow_commands`, an allocation created or replaced here may not
// name a `payload_spec.command` other than the one it already runs (a
// fixture's), and gets 403 naming the field (docs/security.md); one whose
// game server cannot start (a command not found, an image not held) gets 400
// naming the field. Thread-safe.
#pragma once

#include <functional>

#include <httplib.h>

#include "emulator/core/world.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

// Who may start processes over HTTP, and whether a spec's can start.
struct ProcessPolicy {
  bool allow_commands = false;  // --allow-http-commands
  // OK when the spec's game server can be started (InvalidArgument naming
  // the field when not); none: every spec is taken as startable.
  std::function<Status(const core::AllocationSpec&)> can_start;
};

void MountOrchestrationApi(httplib::Server& server, core::World& world, RequestIds& ids,
                           ProcessPolicy processes);

}  // namespace imsemu::http
