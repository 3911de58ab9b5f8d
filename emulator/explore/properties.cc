#include "emulator/explore/properties.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "emulator/check/judgements.h"

namespace imsemu::explore {
namespace {

using check::CallKind;
using check::Millis;
using check::Observation;

std::optional<Violation> NoCrash(const Observation& seen) {
  if (!seen.exit || seen.exit->how.clean()) return std::nullopt;
  if (seen.sigterm_at && *seen.sigterm_at <= seen.exit->at_ms) return std::nullopt;  // judged below
  return Violation{"no-crash",
                   "ended (" + seen.exit->how.Describe() + ") at +" + Millis(seen.exit->at_ms) +
                       ", before it was asked to leave: IMS marks it Unhealthy",
                   seen.exit->at_ms};
}

std::optional<Violation> LeavesOnSigterm(const Observation& seen, const Limits& limits) {
  if (!seen.sigterm_at) return std::nullopt;
  const double sent = *seen.sigterm_at;
  if (seen.exit && seen.exit->at_ms < sent) return std::nullopt;  // gone before it was asked
  if (!seen.exit) {
    if (seen.ended_at - sent < limits.grace_ms) return std::nullopt;  // not yet judged
    return Violation{"leaves-on-sigterm",
                     "still running " + Millis(limits.grace_ms) +
                         " after SIGTERM (the grace period): IMS kills it then",
                     sent + limits.grace_ms};
  }
  const double took = seen.exit->at_ms - sent;
  const std::string how = seen.exit->how.Describe();
  if (took > limits.grace_ms) {
    return Violation{"leaves-on-sigterm",
                     "left " + Millis(took) + " after SIGTERM (" + how +
                         "), over the grace period of " + Millis(limits.grace_ms),
                     sent + limits.grace_ms};
  }
  if (!check::LeftOnSigterm(seen.exit->how)) {
    return Violation{"leaves-on-sigterm",
                     "left " + Millis(took) + " after SIGTERM with " + how +
                         ": a crash, not leaving (exit 0 within the grace period)",
                     seen.exit->at_ms};
  }
  return std::nullopt;
}

std::optional<Violation> ReadyInTime(const Observation& seen, const Limits& limits) {
  const double from = seen.api_up_at.value_or(0);
  const double deadline = from + limits.ready_within_ms;
  const std::optional<double> ready = seen.First(CallKind::kReady);
  if (ready && *ready <= deadline) return std::nullopt;
  // Judged only once the deadline passed with the server still there.
  if (seen.ended_at < deadline || seen.ExitedBy(deadline)) return std::nullopt;
  if (seen.sigterm_at && *seen.sigterm_at <= deadline) return std::nullopt;
  return Violation{"ready-in-time",
                   "not Ready " + Millis(limits.ready_within_ms) + " after " +
                       (from > 0 ? "its Payload Local API came back" : "it started"),
                   deadline};
}

std::optional<Violation> PolitePolling(const Observation& seen, const Limits& limits) {
  const std::optional<double> ready = seen.First(CallKind::kReady);
  if (!ready) return std::nullopt;
  const double until = seen.reserved_at.value_or(check::kForever);
  std::deque<double> window;  // the polls of the last second
  for (const check::Call& c : seen.calls) {
    if (c.kind != CallKind::kPayloadRead || c.at_ms < *ready || c.at_ms >= until) continue;
    window.push_back(c.at_ms);
    while (window.front() <= c.at_ms - 1000) window.pop_front();
    if (static_cast<int>(window.size()) > limits.max_polls_per_second) {
      return Violation{"polite-polling",
                       std::to_string(window.size()) + " polls of Get Payload Details within 1 s " +
                           "while Ready (over " + std::to_string(limits.max_polls_per_second) +
                           " a second)",
                       c.at_ms};
    }
  }
  return std::nullopt;
}

std::optional<Violation> ConfigOnlyWhenReserved(const Observation& seen) {
  const std::optional<double> read = seen.First(CallKind::kConfigRead);
  if (!read || (seen.reserved_at && *read >= *seen.reserved_at)) return std::nullopt;
  return Violation{"config-only-when-reserved",
                   "read the session config at +" + Millis(*read) + ", before it was Reserved",
                   *read};
}

std::optional<Violation> StatusAccepted(const Observation& seen) {
  std::vector<const check::Refusal*> refused = seen.Refused(CallKind::kStatusSet);
  std::erase_if(refused, [](const check::Refusal* r) { return r->message == kInjectedMessage; });
  if (refused.empty()) return std::nullopt;
  return Violation{"status-accepted",
                   "its attempt to set a status was refused: " + refused.front()->Describe(),
                   refused.front()->at_ms};
}

// The config the server read last before `at`.
std::optional<std::string> ConfigReadBy(const Observation& seen, double at) {
  std::optional<std::string> config;
  for (const check::Call& c : seen.calls) {
    if (c.kind == CallKind::kConfigRead && c.at_ms <= at && c.config) config = c.config;
  }
  return config;
}

std::optional<Violation> StatusRules(const Observation& seen, const Limits& limits, bool echo) {
  for (const check::Call& c : seen.calls) {
    if (c.kind != CallKind::kStatusSet) continue;
    if (echo) {
      const std::optional<std::string> config = ConfigReadBy(seen, c.at_ms);
      if (!config) continue;
      if (std::optional<check::Echo> found = check::FindEcho(c.status, *config)) {
        return Violation{"no-config-echo",
                         "echoed " + check::Excerpt(found->part, 40) +
                             " from its session config into its status (" + found->key +
                             "): a player's text shown to every client",
                         c.at_ms};
      }
    } else if (const size_t bytes = check::StatusBytes(c.status); bytes > limits.max_status_bytes) {
      return Violation{"status-size",
                       "set a status of " + std::to_string(bytes) + " bytes (over " +
                           std::to_string(limits.max_status_bytes) + ")",
                       c.at_ms};
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& PropertyNames() {
  static const std::vector<std::string> kNames = {"no-crash",
                                                  "leaves-on-sigterm",
                                                  "ready-in-time",
                                                  "polite-polling",
                                                  "config-only-when-reserved",
                                                  "status-accepted",
                                                  "no-config-echo",
                                                  "status-size"};
  return kNames;
}

std::vector<Violation> Violations(const Observation& seen, const Limits& limits) {
  std::vector<Violation> out;
  for (std::optional<Violation> v :
       {NoCrash(seen), LeavesOnSigterm(seen, limits), ReadyInTime(seen, limits),
        PolitePolling(seen, limits), ConfigOnlyWhenReserved(seen), StatusAccepted(seen),
        StatusRules(seen, limits, /*echo=*/true), StatusRules(seen, limits, /*echo=*/false)}) {
    if (v) out.push_back(std::move(*v));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Violation& a, const Violation& b) { return a.at_ms < b.at_ms; });
  return out;
}

}  // namespace imsemu::explore
