#include "emulator/core/status_cache.h"

#include "emulator/util/enum_names.h"

namespace imsemu::core {
namespace {

constexpr EnumNameTable<StatusCacheMode, 3> kModeNames = {{
    {StatusCacheMode::kPeriodic, "periodic"},
    {StatusCacheMode::kDelay, "delay"},
    {StatusCacheMode::kOff, "off"},
}};

}  // namespace

const char* StatusCacheModeName(StatusCacheMode mode) {
  return NameOf(kModeNames, mode, "periodic");
}

std::optional<StatusCacheMode> ParseStatusCacheMode(std::string_view name) {
  return ValueOf(kModeNames, name);
}

bool StatusCache::IsVisible(const StatusUpdate& update, Time now) const {
  if (update.set_at > now) return false;
  switch (mode) {
    case StatusCacheMode::kOff:
      return true;
    case StatusCacheMode::kDelay:
      return update.set_at + ttl <= now;
    case StatusCacheMode::kPeriodic: {
      if (ttl.count() <= 0) return true;
      const auto since = (now - origin).count();
      const auto refreshes = since >= 0 ? since / ttl.count() : -1 - (-since - 1) / ttl.count();
      const Time last_refresh = origin + ttl * refreshes;
      return update.set_at < last_refresh;  // a refresh takes what was set before it
    }
  }
  return true;
}

Time StatusCache::VisibleFrom(Time set_at) const {
  switch (mode) {
    case StatusCacheMode::kOff:
      return set_at;
    case StatusCacheMode::kDelay:
      return set_at + ttl;
    case StatusCacheMode::kPeriodic: {
      if (ttl.count() <= 0) return set_at;
      // The first refresh after `set_at` (IsVisible: set before the last refresh).
      const auto since = (set_at - origin).count();
      const auto refreshes = since >= 0 ? since / ttl.count() : -1 - (-since - 1) / ttl.count();
      return origin + ttl * (refreshes + 1);
    }
  }
  return set_at;
}

const StringMap& StatusCache::Visible(const std::vector<StatusUpdate>& updates, Time now) const {
  static const StringMap kEmpty;
  // Visibility is monotonic in set_at, so the newest visible one is the answer.
  for (auto it = updates.rbegin(); it != updates.rend(); ++it) {
    if (IsVisible(*it, now)) return it->status;
  }
  return kEmpty;
}

void StatusCache::Prune(std::vector<StatusUpdate>& updates, Time now) const {
  size_t newest_visible = updates.size();
  for (size_t i = updates.size(); i-- > 0;) {
    if (IsVisible(updates[i], now)) {
      newest_visible = i;
      break;
    }
  }
  if (newest_visible == updates.size() || newest_visible == 0) return;
  updates.erase(updates.begin(), updates.begin() + static_cast<long>(newest_visible));
}

}  // namespace imsemu::core
