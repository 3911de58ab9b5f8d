// Shrink: from a program that breaks a property to the smallest one found
// that still breaks the same property (as QuickCheck and Hypothesis shrink):
// events taken out, one at a time and then in halves; durations halved;
// repeated errors made one; the config made one of the simplest that still
// breaks it. Each candidate is played (a real game server, real time), so
// the attempts are bounded. The player is a function, so the search is
// tested with a fake one in milliseconds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "emulator/explore/program.h"

namespace imsemu::explore {

// Plays a program; true when it broke `property` again. Called from
// `jobs` threads at once.
using Breaks = std::function<bool(const Program&)>;

struct Shrunk {
  Program program;
  int attempts = 0;  // programs played
  int accepted = 0;  // of which were smaller and still broke it
};

// Shrinks `program`, which broke the property `breaks` tests, playing at
// most `max_attempts` candidates; each of `simpler_configs` shorter than a
// reservation's config is tried in its place, in order (the studio's first
// example first). Every accepted step makes the program strictly smaller
// (fewer events, a shorter duration, fewer errors or a shorter config).
// Candidates are played `jobs` at a time; of those that break it, the first
// in the order above is taken, so the result does not depend on timing.
Shrunk Shrink(const Program& program, const Breaks& breaks, int max_attempts,
              const std::vector<std::string>& simpler_configs = {}, int jobs = 1);

}  // namespace imsemu::explore
