// CommandLookup: whether a game server's command can be started at all, found
// the way exec finds it (a name with a slash as a path, any other name on
// PATH), before anything waits on it: `ims-emulator check -- nosuchserver`
// is an error up front, not seven cases that blame the server for not
// retrying.
#pragma once

#include <string>

#include "ims_emulator/status.h"

namespace imsemu::process {

// OK when `command` names an executable file; otherwise InvalidArgument
// saying why ("cannot start 'x': not found on PATH (/usr/bin:/bin)", "... is
// a directory", "... is not executable"). `path` is the PATH searched.
Status LookUpCommand(const std::string& command, const std::string& path);

}  // namespace imsemu::process
