// ProcessRunner: how the game-server supervisor starts, signals and watches
// processes, behind one seam (ninja's CommandRunner idea). KeeperRunner
// (keeper_runner.h) runs real processes; tests drive the supervisor with a
// fake runner, so restart back-off and the kill grace play out on the virtual
// clock without real processes or real waiting.
//
// A runner is used from one thread at a time (the supervisor's).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/process_exit.h"
#include "ims_emulator/status.h"

namespace imsemu::process {

// One process to start: everything already expanded.
struct ProcessLaunch {
  std::string payload_id;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> env;  // NAME=value, the whole environment
  // Run (with `env`) after the process ends and when it is killed, its
  // output discarded: what the process leaves outside its own process tree
  // (a container runtime's `rm` of its container). Empty: nothing.
  std::vector<std::string> cleanup;
  // Bytes of resident memory the process may use (0: no limit): past it, the
  // keeper kills it (core::ProcessExit::OutOfMemory).
  long long memory_limit = 0;
  // A container runtime's process for a container with a memory limit: its
  // exit code 137 (the container's main process got SIGKILL, which the
  // kernel's OOM killer sends when the limit is passed) is
  // core::ProcessExit::OutOfMemory() unless the emulator killed it.
  bool container_memory_limit = false;
};

// A started process: `handle` names it to the runner, `pid` is what users see.
struct StartedProcess {
  int handle = -1;
  pid_t pid = -1;
};

// What a process did since the runner was last asked: output (stdout and
// stderr together), then, once, how it ended.
struct ProcessNews {
  int handle = -1;
  std::string output;
  std::optional<core::ProcessExit> exit;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;

  // Starts `launch`. An error's message is the reason, such as "No such file
  // or directory".
  virtual StatusOr<StartedProcess> Start(const ProcessLaunch& launch) = 0;
  // Asks the process to leave (SIGTERM to the game server's group).
  virtual void Terminate(int handle) = 0;
  // Ends the process and everything it started, now.
  virtual void Kill(int handle) = 0;
  // Waits up to `timeout` for output or an exit, and returns what happened.
  // A process whose exit has been reported is forgotten.
  virtual std::vector<ProcessNews> Wait(std::chrono::milliseconds timeout) = 0;
};

// This process's environment, NAME -> value.
std::map<std::string, std::string> InheritedEnvironment();

// A wait status as an exit code: the code, or 128 + N for signal N.
int ExitCodeOf(int wait_status);
// A wait status as it was: the exit code, or the signal.
core::ProcessExit ExitOf(int wait_status);
// The keeper hands how the game server ended over a pipe as one int: the exit
// code (0-255), minus the signal's number, or kOutOfMemoryEnd when the
// keeper killed it for its memory.
inline constexpr int kOutOfMemoryEnd = -1000;
int EncodeExit(int wait_status);
core::ProcessExit DecodeExit(int encoded);

}  // namespace imsemu::process
