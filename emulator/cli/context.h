// Context: what every command's body gets, so that main.cc's rows are all
// of one shape and tests can read what a command wrote.
#pragma once

#include <csignal>
#include <ostream>

namespace imsemu::cli {

// Where what people read goes, where errors go, and the signals that stop an
// emulator, blocked in every thread so that the main thread alone takes them
// (sigwait).
struct Context {
  std::ostream& out;
  std::ostream& err;
  sigset_t stop_signals{};
};

// Blocks SIGINT and SIGTERM in every thread (the main thread sigwaits for
// them), SIGCHLD (`exec` waits for it the same way) and SIGUSR2 (it wakes
// the second-Ctrl-C waiter); the stop signals. Defined in serve_command.cc,
// beside the waits it serves.
sigset_t BlockStopSignals();

}  // namespace imsemu::cli
