// ProcessExit: how a game-server process ended, as it happened: an exit code,
// a signal, or never started at all. IMS sees only "zero or not" (a signal is
// not zero), but people and `check` need the truth: a mono server that exits
// 255 did not die of "signal 127", and a server killed by SIGSEGV did not
// "exit 139". Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imsemu::core {

struct ProcessExit {
  enum class How {
    kExited,      // it called exit(code)
    kSignaled,    // a signal ended it (code is the signal's number)
    kNotStarted,  // the command could not be started (code is 127, as a shell says)
    // Killed (SIGKILL, the code) for using more memory than its
    // payload_spec.resources.memory: Kubernetes' OOMKilled, as IMS ends it.
    kOutOfMemory,
  };
  How how = How::kExited;
  int code = 0;

  static ProcessExit Exited(int code) { return {How::kExited, code}; }
  static ProcessExit Signaled(int signal) { return {How::kSignaled, signal}; }
  static ProcessExit NotStarted() { return {How::kNotStarted, 127}; }
  static ProcessExit OutOfMemory() { return {How::kOutOfMemory, 9}; }

  // Exited with code 0: IMS's Shutdown rather than Unhealthy.
  bool clean() const { return how == How::kExited && code == 0; }
  // The code a shell reports for it: the exit code, or 128 + N for signal N.
  int ShellCode() const { return signal() != 0 ? 128 + code : code; }
  // The signal that ended it, or 0.
  int signal() const { return how == How::kSignaled || how == How::kOutOfMemory ? code : 0; }
  // "exit code 255", "signal 11 (SIGSEGV)", "never started",
  // "OOMKilled: ...".
  std::string Describe() const;

  friend bool operator==(const ProcessExit&, const ProcessExit&) = default;
};

// Wire names of How: "exited", "signaled", "not-started", "out-of-memory".
const char* ProcessExitHowName(ProcessExit::How how);
std::optional<ProcessExit::How> ParseProcessExitHow(std::string_view name);

// "SIGSEGV" for 11, and so on for the signals a game server meets; "" for others.
const char* SignalName(int signal);

}  // namespace imsemu::core
