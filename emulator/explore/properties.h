// Properties: what must hold all along a run of `explore`, as pure
// functions of what the run saw (check's Observation). They are check's
// judgements turned into invariants: they hold at every moment of any
// program, not just after one probe.
//
//   no-crash                   the process never ends with a code other than 0 or a
//                              signal before it is asked to leave
//   leaves-on-sigterm          after SIGTERM it leaves within the grace period, exit 0
//                              (or SIGTERM itself)
//   ready-in-time              Ready within the time after it started, or after the
//                              Payload Local API last came back
//   polite-polling             while Ready and unreserved, never more polls in a second
//                              than the limit
//   config-only-when-reserved  never reads the session config before the reservation
//   status-accepted            no attempt to set a status is refused by the Session
//                              Manager's rules (values are strings, the map is flat);
//                              errors the run injected are not counted
//   no-config-echo             no 8 characters or more of the config come back in its status
//   status-size                no status over the size limit
#pragma once

#include <string>
#include <vector>

#include "emulator/check/observation.h"

namespace imsemu::explore {

// The message of the error answers a run injects: a refusal with it is the
// run's doing, not the server's.
inline constexpr const char* kInjectedMessage = "injected by explore";

struct Violation {
  std::string property;  // one of PropertyNames()
  std::string text;      // what the server did, as a verdict says it
  double at_ms = 0;      // when it showed (ms since the run began)
};

struct Limits {
  double ready_within_ms = 10000;
  double grace_ms = 10000;  // core::kSigtermGrace
  int max_polls_per_second = 20;
  size_t max_status_bytes = 4096;
};

const std::vector<std::string>& PropertyNames();

// Every property `seen` breaks, earliest first (one per property).
std::vector<Violation> Violations(const check::Observation& seen, const Limits& limits);

}  // namespace imsemu::explore
