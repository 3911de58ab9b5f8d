// Random: the simulation's random streams, the same on every machine.
//
// std::mt19937_64 is specified bit for bit by the standard, the
// distributions of <random> are not (each library draws differently), so the
// draws are written here: a uniform from 53 bits, an exponential by
// inversion, a normal by Box-Muller. Each stream (arrivals, match lengths,
// start-up times, crashes) has its own generator, so changing one setting
// never shifts another's draws: every setting of a sweep sees the same
// players (common random numbers). Samples of durations are rounded to
// whole milliseconds, which also absorbs a last-bit difference of libm.
#pragma once

#include <cstdint>
#include <random>

#include "emulator/rehearse/plan.h"

namespace imsemu::rehearse {

enum class Stream : uint64_t { kArrivals = 1, kMatches, kStartUps, kCrashes };

class Random {
 public:
  Random(uint64_t seed, Stream stream);
  // In [0, 1).
  double Uniform();
  // Exponential with the given mean (> 0).
  double Exponential(double mean);
  // Standard normal.
  double Normal();
  // A sample of `d`, in whole milliseconds (>= 0).
  Duration Sample(const Distribution& d);

 private:
  std::mt19937_64 engine_;
};

}  // namespace imsemu::rehearse
