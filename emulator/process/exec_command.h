// ExecCommand: runs a user's command beside a running emulator, the way a CI
// job uses it (`ims-emulator exec -- ctest`).
//
// The command gets the caller's environment plus `extra_env`, and a signal
// mask and dispositions of its own. SIGINT and SIGTERM sent to the emulator
// reach the command first (a terminal's Ctrl-C already reaches the whole
// process group, so only signals sent to the emulator alone are passed on);
// the emulator keeps serving until the command has exited. If the emulator
// dies, the command gets SIGTERM (PR_SET_PDEATHSIG).
//
// Call from the main thread, with SIGINT, SIGTERM and SIGCHLD blocked in
// every thread (main.cc blocks them before any thread starts).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ims_emulator/status.h"

namespace imsemu::process {

// Runs `argv` and waits for it; returns its exit code (128 + N when signal N
// ended it). InvalidArgument for an empty command; Unavailable if it cannot
// start (the reason in the message).
StatusOr<int> ExecCommand(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env);

}  // namespace imsemu::process
