#include "emulator/clock/stopwatch.h"

namespace imsemu {

Stopwatch::Stopwatch() : start_(std::chrono::steady_clock::now()) {}

std::chrono::milliseconds Stopwatch::Elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start_);
}

double Stopwatch::ElapsedMs() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
      .count();
}

}  // namespace imsemu
