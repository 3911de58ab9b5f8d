// ProcessExitJson: how a game server ended, on the wire and in snapshot files.
//
// {"how": "exited", "code": 255}
// {"how": "signaled", "code": 11, "signal": "SIGSEGV"}
// {"how": "not-started", "code": 127}
// {"how": "out-of-memory", "code": 9, "signal": "SIGKILL"}
// `signal` is written for people and ignored when read. Pure functions;
// never throw.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "emulator/core/process_exit.h"
#include "ims_emulator/status.h"

namespace imsemu::codec {

nlohmann::json ProcessExitToJson(const core::ProcessExit& exit);
// `where` names the field in errors ("events[3].exit").
StatusOr<core::ProcessExit> ProcessExitFromJson(const nlohmann::json& json,
                                                const std::string& where);

}  // namespace imsemu::codec
