#include "emulator/clock/clock.h"

namespace imsemu {

Time SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

}  // namespace imsemu
