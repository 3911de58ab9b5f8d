#include "emulator/core/process_exit.h"

#include <utility>

namespace imsemu::core {

const char* SignalName(int signal) {
  // Linux's numbers (the only platform the supervisor runs processes on).
  static constexpr std::pair<int, const char*> kNames[] = {
      {1, "SIGHUP"},   {2, "SIGINT"},   {3, "SIGQUIT"},  {4, "SIGILL"},   {5, "SIGTRAP"},
      {6, "SIGABRT"},  {7, "SIGBUS"},   {8, "SIGFPE"},   {9, "SIGKILL"},  {10, "SIGUSR1"},
      {11, "SIGSEGV"}, {12, "SIGUSR2"}, {13, "SIGPIPE"}, {14, "SIGALRM"}, {15, "SIGTERM"},
      {24, "SIGXCPU"}, {25, "SIGXFSZ"}, {31, "SIGSYS"}};
  for (const auto& [number, name] : kNames) {
    if (number == signal) return name;
  }
  return "";
}

const char* ProcessExitHowName(ProcessExit::How how) {
  switch (how) {
    case ProcessExit::How::kExited:
      return "exited";
    case ProcessExit::How::kSignaled:
      return "signaled";
    case ProcessExit::How::kNotStarted:
      return "not-started";
    case ProcessExit::How::kOutOfMemory:
      return "out-of-memory";
  }
  return "exited";
}

std::optional<ProcessExit::How> ParseProcessExitHow(std::string_view name) {
  for (ProcessExit::How how : {ProcessExit::How::kExited, ProcessExit::How::kSignaled,
                               ProcessExit::How::kNotStarted, ProcessExit::How::kOutOfMemory}) {
    if (name == ProcessExitHowName(how)) return how;
  }
  return std::nullopt;
}

std::string ProcessExit::Describe() const {
  switch (how) {
    case How::kExited:
      return "exit code " + std::to_string(code);
    case How::kSignaled: {
      const std::string name = SignalName(code);
      return "signal " + std::to_string(code) + (name.empty() ? "" : " (" + name + ")");
    }
    case How::kNotStarted:
      return "never started";
    case How::kOutOfMemory:
      return "OOMKilled: signal 9 (SIGKILL) for using more memory than "
             "payload_spec.resources.memory";
  }
  return "";
}

}  // namespace imsemu::core
