// Runner: plays one program against a studio's real game server, in a fresh
// check::Session (its own emulator, virtual clock and ports, so runs go in
// parallel), and judges what it did against the properties.
//
// The server runs in real time: a pause or an outage is waited out in real
// time, and the virtual clock is moved by the same amount (timers, the
// status cache and the outage's end come due); an advance moves the virtual
// clock alone. A reservation waits, as a game client asking again would,
// until the server is Ready. Nothing waits for the server to settle after
// an event: a SIGTERM right after a reservation lands while the config is
// handled. After
// the last event the run watches one more second (or, after SIGTERM, until
// the server leaves or the grace period ends).
#pragma once

#include <string>
#include <vector>

#include "emulator/check/session.h"
#include "emulator/explore/program.h"
#include "emulator/explore/properties.h"

namespace imsemu::explore {

struct RunOutcome {
  check::Observation seen;
  std::vector<Violation> violations;  // earliest first
  std::string log_path;               // the server's output
};

// Plays `program`; `name` names the run's log folder under target.log_dir.
// An error when the emulator or the server cannot be started.
StatusOr<RunOutcome> Play(const check::CheckTarget& target, const Program& program,
                          const Limits& limits, const std::string& name);

}  // namespace imsemu::explore
