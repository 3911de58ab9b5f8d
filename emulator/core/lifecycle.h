// Lifecycle: which payload state changes IMS allows, and its timings.
//
//   (created) -> Starting --ready--> Ready --reserve--> Reserved
//   exit before Ready            -> Error (restart after exponential back-off)
//   exit after Ready, code != 0  -> Unhealthy -> (linger) -> Shutdown -> removed
//   exit after Ready, code 0     -> Shutdown -> removed
// Pure functions and a value type.
#pragma once

#include <string>

#include "emulator/clock/clock.h"
#include "emulator/core/payload.h"
#include "emulator/core/process_exit.h"
#include "ims_emulator/status.h"

namespace imsemu::core {

// How long a game server has between SIGTERM and SIGKILL: one period for
// `serve` (--kill-grace), `check`'s sigterm case, containers and the
// harness. IMS does not publish its own; 10 s is what `docker stop` and
// `podman stop` give by default, and what a server that finishes a match's
// bookkeeping and leaves needs (docs/game-server.md).
inline constexpr Duration kSigtermGrace{10000};

struct LifecycleTimings {
  Duration restart_backoff_base{1000};
  Duration restart_backoff_cap{60000};
  Duration unhealthy_linger{5000};  // Unhealthy -> Shutdown
  Duration shutdown_linger{1000};   // Shutdown -> removed
  // An allocation whose game servers crash after Ready starts replacements
  // after the same back-off, counted in crashes within this long of the last.
  Duration crash_memory{300000};
};

// Returns OK if a payload may move from `from` to `to` through the normal
// lifecycle, else FailedPrecondition naming both states.
Status CheckTransition(PayloadState from, PayloadState to);

// The back-off before restart number `restarts` (1 s, 2 s, 4 s ... capped).
Duration RestartBackoff(const LifecycleTimings& timings, int restarts);

// The delay before an allocation that has crashed `streak` times in a row
// (the last at `last_crash`) starts a new payload at `now`: none for no
// streak or a streak older than crash_memory, else RestartBackoff(streak).
Duration CrashBackoff(const LifecycleTimings& timings, int streak, Time last_crash, Time now);

// The state a game-server exit with `code` moves a payload in `from` to.
// FailedPrecondition if no game server runs in `from` (Error, Unhealthy,
// Shutdown).
StatusOr<PayloadState> StateAfterExit(PayloadState from, int code);

// What an exit does to the allocation's crash streak.
enum class CrashStreak { kUnchanged, kCrashed, kEnded };

// Everything a game-server exit changes, as data:
//   before Ready           -> Error, restart after RestartBackoff(restarts + 1)
//   after Ready, code != 0 -> Unhealthy, a crash; Shutdown after unhealthy_linger
//   after Ready, code 0    -> Shutdown, the crash streak ends; removed after shutdown_linger
struct ExitPlan {
  PayloadState state = PayloadState::kShutdown;
  std::string details;  // `reason` when given, else what happened
  int restarts = 0;     // the payload's restart count afterwards
  TimerKind timer = TimerKind::kNone;
  Duration timer_after{0};
  CrashStreak streak = CrashStreak::kUnchanged;
};

// The plan for `payload`'s game server ending as `exit` (any end but a clean
// exit 0 counts as a non-zero code); FailedPrecondition as StateAfterExit.
StatusOr<ExitPlan> PlanExit(const Payload& payload, const ProcessExit& exit,
                            const std::string& reason, const LifecycleTimings& timings);

}  // namespace imsemu::core
