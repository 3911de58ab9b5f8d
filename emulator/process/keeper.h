// Keeper: the small parent every game server runs under, so that no process
// the emulator starts, nor any of its descendants, outlives it.
//
// The supervisor forks a keeper per game server; the keeper makes itself a
// child subreaper (PR_SET_CHILD_SUBREAPER: orphaned descendants, even ones
// that called setsid or double-forked, are re-parented to it instead of to
// init), asks for SIGUSR1 when its parent dies (PR_SET_PDEATHSIG), and forks
// and execs the game server in a process group of its own. Then it waits:
// - SIGTERM from the supervisor: passed on to the game server's group;
// - SIGUSR1 (the supervisor's "kill now", or the emulator died, however it
//   died, SIGKILL and crashes included): the cleanup command runs, every
//   descendant is killed, and the cleanup runs again (for what a dying
//   container runtime was still creating);
// - the game server's resident memory passes `memory_limit` (checked every
//   kMemoryCheckMs while there is a limit; the game server's own process,
//   not its children): the game server's group is killed (SIGKILL), as a
//   container's OOM kill ends it, and the keeper reports kOutOfMemoryEnd;
// - the game server exits: the cleanup command runs (when there is one: it
//   removes a container whose runtime left it behind), whatever the game
//   server left behind is killed, the keeper
//   writes how it ended (its code, or the signal, as it was) on a pipe, and
//   exits with the game server's code (128 + N for signal N).
// Unprivileged and container-friendly (no namespaces or cgroups needed).
// Limits: a descendant that escapes the keeper's subtree by other means (a
// service started over D-Bus or systemd, a process in another PID namespace)
// is out of reach, and so is everything if the keeper itself is SIGKILLed by
// someone else (then the game server still gets SIGKILL as the keeper's
// child, but not its descendants).
//
// The keeper runs in a child forked from a multi-threaded process, so it
// uses async-signal-safe system calls only: no allocation, no locks.
#pragma once

#include <sys/types.h>

namespace imsemu::process {

// Everything the keeper needs, prepared before fork().
struct KeeperLaunch {
  char* const* argv = nullptr;  // the game server's command and arguments
  char* const* envp = nullptr;
  char* const* cleanup_argv = nullptr;  // null, or run after the game server ends or is killed
  int output_fd = -1;                   // write end: the game server's stdout and stderr
  int exec_error_fd = -1;               // write end (close-on-exec): errno if exec fails
  int game_pid_fd = -1;                 // write end: the game server's pid once forked
  // Write end: how the game server ended (EncodeExit), just before the
  // keeper exits; the read end is closed in the keeper.
  int game_end_fd = -1;
  int game_end_read_fd = -1;
  pid_t emulator = 0;          // the expected parent
  long long memory_limit = 0;  // bytes of resident memory; 0: none
  long page_size = 4096;       // sysconf(_SC_PAGESIZE), read before fork()
};

// How often a keeper with a memory limit reads its game server's memory.
inline constexpr int kMemoryCheckMs = 50;

// Runs the keeper; never returns. Call only in a freshly forked child.
[[noreturn]] void RunKeeper(const KeeperLaunch& launch);

// The signal that makes a keeper kill everything at once.
inline constexpr int kKillNowSignal = 10;  // SIGUSR1

}  // namespace imsemu::process
