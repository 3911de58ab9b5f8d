// SessionManagerApi: the Session Manager a game client calls (spec section
// 2): create a session (reserving a Ready payload of the allocation whose
// `session_type` annotation matches) and list sessions with their status as
// the status cache shows it.
//
// Errors: missing session_type 400, bad credentials 401, unknown project or
// session type 404, no Ready payload free 500; always {"message",
// "request_id"}. Each answered call is told to `calls` before the answer is
// sent. Thread-safe.
#pragma once

#include <httplib.h>

#include "emulator/core/world.h"
#include "emulator/http/observers.h"
#include "emulator/http/responses.h"
#include "emulator/http/session_auth.h"

namespace imsemu::http {

void MountSessionManagerApi(httplib::Server& server, core::World& world, RequestIds& ids,
                            const SessionAuth& auth, GameClientCalls& calls);

}  // namespace imsemu::http
