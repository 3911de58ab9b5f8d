#include "emulator/explore/runner.h"

#include "emulator/emulator.h"
#include "emulator/http/faults.h"

namespace imsemu::explore {
namespace {

// How long the run watches after its last event.
constexpr double kLastLookSeconds = 1.0;

double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

// Real time passes, and the virtual clock with it.
Status Wait(check::Session& s, Duration d) {
  s.Pass(Seconds(d));
  return s.e().AdvanceClock(d);
}

Status PlayEvent(check::Session& s, const Event& e, const Limits& limits) {
  switch (e.kind) {
    case EventKind::kPause:
      return Wait(s, e.duration);
    case EventKind::kAdvance:
      return s.e().AdvanceClock(e.duration);
    case EventKind::kOutage: {
      IMSEMU_RETURN_IF_ERROR(s.e().world().TakePayloadApiDown(s.payload_id(), e.duration));
      IMSEMU_RETURN_IF_ERROR(Wait(s, e.duration));  // the clock reaches the outage's end
      // Ready is timed from the API's return while the server is not Ready yet.
      if (!s.Look().Ready()) s.seen().api_up_at = s.Now();
      return OkStatus();
    }
    case EventKind::kErrors: {
      http::FaultSpec errors;
      errors.api = http::Api::kPayloadLocal;
      errors.status = e.status;
      errors.times = e.times;
      errors.message = kInjectedMessage;
      return s.e().faults().Add(errors).status();
    }
    case EventKind::kReserve:
      if (s.seen().reserved_at) return OkStatus();  // one session a run
      // A game client asks until there is a Ready server to reserve.
      if (!s.Look().Ready()) s.Boot(limits.ready_within_ms / 1000.0);
      s.CreateSession(e.config);
      return OkStatus();
    case EventKind::kSigterm:
      if (s.seen().sigterm_at || s.Look().exit) return OkStatus();
      s.seen().sigterm_at = s.Now();
      s.AskToLeave();
      s.WaitFor([](const check::Observation& o) { return o.exit.has_value(); },
                limits.grace_ms / 1000.0 + 0.5);
      return OkStatus();
  }
  return OkStatus();
}

}  // namespace

StatusOr<RunOutcome> Play(const check::CheckTarget& target, const Program& program,
                          const Limits& limits, const std::string& name) {
  IMSEMU_ASSIGN_OR_RETURN(std::unique_ptr<check::Session> session,
                          check::Session::Start(target, name));
  check::Session& s = *session;
  for (const Event& e : program.events) {
    if (s.Look().exit) break;  // nothing more to play to
    if (Status played = PlayEvent(s, e, limits); !played.ok()) {
      return Status(played.code(), "playing '" + e.Describe() + "': " + played.message());
    }
  }
  if (!s.Look().exit && !s.seen().sigterm_at) s.Pass(kLastLookSeconds);
  RunOutcome out;
  out.seen = s.Finish();
  out.log_path = out.seen.log_path;
  out.violations = Violations(out.seen, limits);
  return out;
}

}  // namespace imsemu::explore
