#include "emulator/core/lifecycle.h"

#include <string>

namespace imsemu::core {

Status CheckTransition(PayloadState from, PayloadState to) {
  using S = PayloadState;
  bool allowed = false;
  switch (to) {
    case S::kStarting:
      allowed = from == S::kCreating || from == S::kError;
      break;
    case S::kReady:
      allowed = from == S::kStarting;
      break;
    case S::kReserved:
      allowed = from == S::kReady || from == S::kReserved;
      break;
    case S::kError:
      allowed = from == S::kCreating || from == S::kStarting;
      break;
    case S::kUnhealthy:
      allowed = from == S::kReady || from == S::kReserved;
      break;
    case S::kShutdown:
      allowed = from == S::kReady || from == S::kReserved || from == S::kUnhealthy;
      break;
    default:
      allowed = false;
  }
  if (allowed) return OkStatus();
  return FailedPrecondition(std::string("payload cannot move from ") + PayloadStateName(from) +
                            " to " + PayloadStateName(to));
}

Duration RestartBackoff(const LifecycleTimings& timings, int restarts) {
  Duration d = timings.restart_backoff_base;
  for (int i = 1; i < restarts && d < timings.restart_backoff_cap; ++i) d *= 2;
  return d < timings.restart_backoff_cap ? d : timings.restart_backoff_cap;
}

Duration CrashBackoff(const LifecycleTimings& timings, int streak, Time last_crash, Time now) {
  if (streak <= 0 || now - last_crash >= timings.crash_memory) return Duration(0);
  return RestartBackoff(timings, streak);
}

StatusOr<PayloadState> StateAfterExit(PayloadState from, int code) {
  using S = PayloadState;
  switch (from) {
    case S::kCreating:
    case S::kStarting:
      return S::kError;
    case S::kReady:
    case S::kReserved:
      return code == 0 ? S::kShutdown : S::kUnhealthy;
    default:
      return FailedPrecondition(std::string("no game server is running in state ") +
                                PayloadStateName(from) + ", so it cannot exit");
  }
}

StatusOr<ExitPlan> PlanExit(const Payload& payload, const ProcessExit& exit,
                            const std::string& reason, const LifecycleTimings& timings) {
  IMSEMU_ASSIGN_OR_RETURN(PayloadState next, StateAfterExit(payload.state, exit.clean() ? 0 : 1));
  const std::string how = exit.Describe();
  const std::string exited = "game server exited (" + how + ")";
  ExitPlan plan;
  plan.state = next;
  plan.restarts = payload.restarts;
  plan.details = reason.empty() ? exited : reason;
  switch (next) {
    case PayloadState::kError:
      plan.restarts = payload.restarts + 1;
      plan.timer = TimerKind::kRestart;
      plan.timer_after = RestartBackoff(timings, plan.restarts);
      if (reason.empty()) {
        plan.details = "game server exited before Ready (" + how + ")";
      }
      plan.details += "; restart in " + std::to_string(plan.timer_after.count()) + " ms";
      break;
    case PayloadState::kUnhealthy:
      plan.streak = CrashStreak::kCrashed;
      plan.timer = TimerKind::kShutdown;
      plan.timer_after = timings.unhealthy_linger;
      break;
    default:
      plan.streak = exit.clean() ? CrashStreak::kEnded : CrashStreak::kUnchanged;
      plan.timer = TimerKind::kRemove;
      plan.timer_after = timings.shutdown_linger;
  }
  return plan;
}

}  // namespace imsemu::core
