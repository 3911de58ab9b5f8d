// Stopwatch: elapsed real (monotonic) time, for the few things that must not
// follow the emulator's clock: measuring wall time (how fast a scenario
// replays) and bounding real waits (the grace given to game servers when the
// emulator stops, which must end even under a virtual clock). Not
// thread-safe; cheap to copy.
#pragma once

#include <chrono>

namespace imsemu {

class Stopwatch {
 public:
  Stopwatch();
  // Real time since construction.
  std::chrono::milliseconds Elapsed() const;
  double ElapsedMs() const;

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace imsemu
