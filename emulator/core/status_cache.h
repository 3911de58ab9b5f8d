// StatusCache: what session status the Session Manager shows, and when.
//
// The real Session Manager shows a status change in List Sessions up to 12 s
// late because of a cache. The emulator derives the shown status from the
// payload's recent updates and the clock, deterministically:
//   kPeriodic: the cache refreshes at origin + k*ttl; List shows the latest
//              update set before the last refresh, so an update shows after
//              more than 0 and at most ttl;
//   kDelay:    every update becomes visible exactly ttl after it was set;
//   kOff:      the latest update, at once.
// Pure functions and a value type.
#pragma once

#include <string_view>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/payload.h"

namespace imsemu::core {

enum class StatusCacheMode { kPeriodic, kDelay, kOff };

const char* StatusCacheModeName(StatusCacheMode mode);
std::optional<StatusCacheMode> ParseStatusCacheMode(std::string_view name);

struct StatusCache {
  StatusCacheMode mode = StatusCacheMode::kPeriodic;
  Duration ttl{12000};
  Time origin;  // periodic refreshes happen at origin + k*ttl

  // The status List Sessions shows at `now` ({} before any update is visible).
  const StringMap& Visible(const std::vector<StatusUpdate>& updates, Time now) const;

  // When an update set at `set_at` first shows in List Sessions (unless a
  // later update replaces it first): the cache lag made concrete.
  Time VisibleFrom(Time set_at) const;
  // Drops the updates that can never be shown again after `now`.
  void Prune(std::vector<StatusUpdate>& updates, Time now) const;

 private:
  // True if `update` is visible at `now`.
  bool IsVisible(const StatusUpdate& update, Time now) const;
};

}  // namespace imsemu::core
