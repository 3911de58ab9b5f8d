// IdSource: every id and fake port the emulator hands out, from a seed.
//
// The n-th draw depends only on (seed, n), and the draw counter is part of the
// persisted world, so a scenario with a seed replays byte for byte and a
// resumed --state world never hands out an id twice. Not thread-safe: the
// world draws under its own lock.
#pragma once

#include <cstdint>
#include <string>

namespace imsemu {

// SplitMix64: a fast, well-mixed function of its input (ids here, the
// random streams of `rehearse`).
uint64_t SplitMix64(uint64_t x);

class IdSource {
 public:
  explicit IdSource(uint64_t seed, uint64_t draws = 0) : seed_(seed), draws_(draws) {}

  // An IMS-style payload id: two groups of five [a-z0-9], e.g. `8hhtn-fvpvq`.
  std::string NextPayloadId();
  // A UUID (version 4 layout) for allocations.
  std::string NextUuid();
  // A number in [lo, hi].
  int NextInRange(int lo, int hi);
  // A uniformly distributed double in [0, 1).
  double NextUnit();

  uint64_t seed() const { return seed_; }
  uint64_t draws() const { return draws_; }

 private:
  uint64_t Next();

  uint64_t seed_;
  uint64_t draws_;
};

}  // namespace imsemu
