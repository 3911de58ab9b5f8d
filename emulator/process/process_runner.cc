#include "emulator/process/process_runner.h"

#include <sys/wait.h>

extern char** environ;

namespace imsemu::process {

std::map<std::string, std::string> InheritedEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

core::ProcessExit ExitOf(int wait_status) { return DecodeExit(EncodeExit(wait_status)); }

// Async-signal-safe: the keeper calls it between fork and exit.
int EncodeExit(int wait_status) {
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 255;
}

core::ProcessExit DecodeExit(int encoded) {
  if (encoded == kOutOfMemoryEnd) return core::ProcessExit::OutOfMemory();
  return encoded < 0 ? core::ProcessExit::Signaled(-encoded) : core::ProcessExit::Exited(encoded);
}

}  // namespace imsemu::process
