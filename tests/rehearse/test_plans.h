// Plans the rehearsal's tests build by hand (simulation_test.cc,
// theory_test.cc).
#pragma once

#include <cstdint>

#include "emulator/rehearse/plan.h"

namespace imsemu::rehearse::test {

using Kind = Distribution::Kind;

inline Distribution Exponential(Duration mean) {
  Distribution d;
  d.kind = Kind::kExponential;
  d.value = mean;
  return d;
}

inline Distribution Fixed(Duration value) {
  Distribution d;
  d.value = value;
  return d;
}

// A fleet of exactly `n`, ready at once, no retries, Poisson arrivals.
inline Plan FixedFleet(int n, double per_minute, Distribution match, Duration duration,
                       uint64_t seed) {
  Plan plan;
  plan.name = "fixed fleet";
  plan.seed = seed;
  plan.duration = duration;
  plan.allocation = {n, n, n};
  plan.arrivals.per_minute = per_minute;
  plan.match_length = match;
  return plan;
}

}  // namespace imsemu::rehearse::test
