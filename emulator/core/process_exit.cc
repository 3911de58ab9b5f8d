#include "emulator/core/process_exit.h"

namespace imsemu::core {

const char* SignalName(int signal) {
  // Linux's numbers (the only platform the supervisor runs processes on).
  switch (signal) {
    case 1:
      return "SIGHUP";
    case 2:
      return "SIGINT";
    case 3:
      return "SIGQUIT";
    case 4:
      return "SIGILL";
    case 5:
      return "SIGTRAP";
    case 6:
      return "SIGABRT";
    case 7:
      return "SIGBUS";
    case 8:
      return "SIGFPE";
    case 9:
      return "SIGKILL";
    case 10:
      return "SIGUSR1";
    case 11:
      return "SIGSEGV";
    case 12:
      return "SIGUSR2";
    case 13:
      return "SIGPIPE";
    case 14:
      return "SIGALRM";
    case 15:
      return "SIGTERM";
    case 24:
      return "SIGXCPU";
    case 25:
      return "SIGXFSZ";
    case 31:
      return "SIGSYS";
    default:
      return "";
  }
}

const char* ProcessExitHowName(ProcessExit::How how) {
  switch (how) {
    case ProcessExit::How::kExited:
      return "exited";
    case ProcessExit::How::kSignaled:
      return "signaled";
    case ProcessExit::How::kNotStarted:
      return "not-started";
  }
  return "exited";
}

std::optional<ProcessExit::How> ParseProcessExitHow(std::string_view name) {
  for (ProcessExit::How how :
       {ProcessExit::How::kExited, ProcessExit::How::kSignaled, ProcessExit::How::kNotStarted}) {
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
  }
  return "";
}

}  // namespace imsemu::core
