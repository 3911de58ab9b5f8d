// OrchestrationApi: the IMS zeuz management API (spec section 3) on the main
// port: allocations, their payloads, payload metadata and reservations.
//
// Any Bearer token, or none, is accepted: it is a local emulator. Nothing
// matching a reservation answers 412. Thread-safe.
#pragma once

#include <httplib.h>

#include "emulator/core/world.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

void MountOrchestrationApi(httplib::Server& server, core::World& world, RequestIds& ids);

}  // namespace imsemu::http
