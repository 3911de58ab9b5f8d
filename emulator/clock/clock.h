// Clock: the only source of "now" in the emulator.
//
// SystemClock reads the wall clock; VirtualClock moves only when told, so a
// minute of game-server life can replay in microseconds and identically every
// run. Nothing else in the project reads the system clock. Both are
// thread-safe. Time has millisecond resolution, which is what the wire
// timestamps and the scenario durations need.
#pragma once

#include <atomic>
#include <chrono>

namespace imsemu {

using Duration = std::chrono::milliseconds;
using Time = std::chrono::sys_time<Duration>;

// Milliseconds since the Unix epoch, as records and snapshots store a time.
inline long long UnixMs(Time t) { return t.time_since_epoch().count(); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
  // True when the clock moves only through AdvanceBy/SetTime.
  virtual bool IsVirtual() const = 0;
};

class SystemClock final : public Clock {
 public:
  Time Now() const override;
  bool IsVirtual() const override { return false; }
};

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(Time start) : now_ms_(start.time_since_epoch().count()) {}

  Time Now() const override { return Time(Duration(now_ms_.load())); }
  bool IsVirtual() const override { return true; }

  // Moves the clock forward by `d` (negative durations are ignored).
  void AdvanceBy(Duration d) {
    if (d.count() > 0) now_ms_ += d.count();
  }
  // Sets the clock; the caller is responsible for never moving it backwards.
  void SetTime(Time t) { now_ms_ = t.time_since_epoch().count(); }

 private:
  std::atomic<long long> now_ms_;
};

// The instant a virtual clock starts at unless told otherwise.
inline constexpr Time kDefaultVirtualStart =
    Time(Duration(1767225600000LL));  // 2026-01-01T00:00:00Z

}  // namespace imsemu
