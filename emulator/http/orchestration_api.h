// OrchestrationApi: the IMS zeuz management API (spec section 3) on the main
// port: allocations, their payloads, payload metadata and reservations.
//
// Any Bearer token, or none, is accepted: it is a local emulator. Nothing
// matching a reservation answers 412. Starting processes is a capability:
// unless `allow_commands`, an allocation created or replaced here may not
// name a `payload_spec.command` other than the one it already runs (a
// fixture's), and gets 403 naming the field (docs/security.md). Thread-safe.
#pragma once

#include <httplib.h>

#include "emulator/core/world.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

void MountOrchestrationApi(httplib::Server& server, core::World& world, RequestIds& ids,
                           bool allow_commands);

}  // namespace imsemu::http
