// Search: `explore`'s loop. Plays seeded programs against the game server,
// several at once (each run its own session), until one breaks a property;
// then shrinks that program while it still breaks the same property, and
// plays the smallest one several times more to say how often it reproduces
// (a real process has real timing: a finding is never called certain
// unless it always reproduced).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "emulator/explore/program.h"
#include "emulator/explore/properties.h"
#include "emulator/explore/runner.h"
#include "emulator/explore/shrink.h"

namespace imsemu::explore {

struct SearchOptions {
  int runs = 50;
  uint64_t seed = 1;
  int jobs = 2;
  Alphabet alphabet;
  Limits limits;
  int shrink_attempts = 40;
  int confirmations = 5;
};

struct Finding {
  uint64_t run = 0;     // the run whose program broke it first
  Program found;        // that program
  Violation violation;  // what broke, as the minimal program broke it
  Program minimal;      // after shrinking
  int shrink_attempts = 0;
  int reproduced = 0;  // of `confirmations` plays of the minimal program
  int confirmations = 0;
  RunOutcome evidence;  // a play of the minimal program that broke it
};

struct SearchResult {
  int runs_played = 0;
  std::optional<Finding> finding;
};

// Searches (see above), telling `progress` one line per step (a run that
// broke something, shrinking, confirming). InvalidArgument, before any run,
// when the command (or image) cannot be started.
StatusOr<SearchResult> Search(const check::CheckTarget& target, const SearchOptions& options,
                              const std::function<void(const std::string&)>& progress);

}  // namespace imsemu::explore
