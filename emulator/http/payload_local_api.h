// PayloadLocalApi: the seven endpoints a game server calls on its
// orchestrator (spec section 1), for one payload or, behind a path prefix,
// for any payload.
//
// Mounted on a payload's own listener (prefix "", the payload id fixed) and
// on the main port under `/payloads/{id}`. Bodies are ignored where the spec
// says so (ready; every GET), so every wire quirk of the generated clients
// works. Handlers hold no state of their own; thread-safe.
#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "emulator/core/world.h"
#include "emulator/http/observers.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

// Finds the payload a request is for.
using PayloadIdOf = std::function<std::string(const httplib::Request&)>;

// Registers the endpoints under `prefix_pattern` (a regex; "" for none); each
// call that succeeds is told to `calls` before it is answered.
void MountPayloadLocalApi(httplib::Server& server, core::World& world, RequestIds& ids,
                          GameServerCalls& calls, const std::string& prefix_pattern,
                          PayloadIdOf payload_id_of);

}  // namespace imsemu::http
