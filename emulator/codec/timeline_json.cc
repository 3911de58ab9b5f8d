#include "emulator/codec/timeline_json.h"

#include <map>
#include <string>

namespace imsemu::codec {
namespace {

using Json = nlohmann::json;

constexpr int kProcess = 1;
constexpr int kWorldTrack = 0;

// A mark at one instant on track `tid`.
Json Instant(int tid, const std::string& category, const std::string& name, long long ts,
             Json args) {
  return {{"ph", "i"},       {"s", "t"},     {"pid", kProcess}, {"tid", tid},
          {"cat", category}, {"name", name}, {"ts", ts},        {"args", std::move(args)}};
}

// One payload's or allocation's track: the state (or status) it is in since
// when.
struct Track {
  int tid = 0;
  std::string state;
  Time since;
};

// Allocations' tracks are keyed apart from payloads'.
std::string AllocationKey(const std::string& id) { return "allocation " + id; }

}  // namespace

Json TimelineToTraceJson(const std::vector<core::Event>& events, const core::StatusCache& cache,
                         Time end) {
  Json trace = Json::array();
  const Time origin = events.empty() ? end : events.front().time;
  auto us = [origin](Time t) { return (t - origin).count() * 1000; };
  trace.push_back({{"ph", "M"},
                   {"pid", kProcess},
                   {"name", "process_name"},
                   {"args", {{"name", "ims-emulator"}}}});
  trace.push_back({{"ph", "M"},
                   {"pid", kProcess},
                   {"tid", kWorldTrack},
                   {"name", "thread_name"},
                   {"args", {{"name", "allocations and world"}}}});
  // By payload id, or AllocationKey() for an allocation's status.
  std::map<std::string, Track> tracks;
  auto close_span = [&](const std::string& key, Track& track, Time until) {
    if (track.state.empty()) return;
    const bool allocation = key.rfind(AllocationKey(""), 0) == 0;
    trace.push_back({{"ph", "X"},
                     {"pid", kProcess},
                     {"tid", track.tid},
                     {"cat", allocation ? "status" : "state"},
                     {"name", track.state},
                     {"ts", us(track.since)},
                     {"dur", us(until) - us(track.since)},
                     {"args",
                      {{allocation ? "allocation" : "payload",
                        allocation ? key.substr(AllocationKey("").size()) : key}}}});
  };
  auto track_of = [&](const std::string& key, const std::string& name) -> Track& {
    auto [it, added] = tracks.try_emplace(key);
    if (added) {
      it->second.tid = static_cast<int>(tracks.size());
      trace.push_back({{"ph", "M"},
                       {"pid", kProcess},
                       {"tid", it->second.tid},
                       {"name", "thread_name"},
                       {"args", {{"name", name}}}});
    }
    return it->second;
  };
  for (const core::Event& e : events) {
    if (e.payload_id.empty() && !e.allocation_id.empty() &&
        (e.kind == core::EventKind::kAllocationCreated ||
         e.kind == core::EventKind::kAllocationStatus ||
         e.kind == core::EventKind::kAllocationRemoved)) {
      // An allocation's status, as spans on a track of its own (New from its
      // creation).
      const std::string key = AllocationKey(e.allocation_id);
      Track& track = track_of(key, key);
      close_span(key, track, e.time);
      track.state = e.kind == core::EventKind::kAllocationCreated  ? "New"
                    : e.kind == core::EventKind::kAllocationStatus ? e.new_state
                                                                   : "";
      track.since = e.time;
      if (e.kind == core::EventKind::kAllocationCreated) {
        trace.push_back(Instant(track.tid, core::EventKindName(e.kind), core::EventKindName(e.kind),
                                us(e.time), {{"detail", e.detail}}));
      }
      continue;
    }
    if (e.payload_id.empty()) {
      trace.push_back(Instant(kWorldTrack, core::EventKindName(e.kind), core::EventKindName(e.kind),
                              us(e.time), {{"detail", e.detail}}));
      continue;
    }
    Track& track = track_of(e.payload_id, "payload " + e.payload_id);
    switch (e.kind) {
      case core::EventKind::kPayloadCreated:
      case core::EventKind::kPayloadState:
        close_span(e.payload_id, track, e.time);
        track.state = e.new_state;
        track.since = e.time;
        break;
      case core::EventKind::kPayloadRemoved:
        close_span(e.payload_id, track, e.time);
        track.state.clear();
        break;
      case core::EventKind::kSessionStatus:
        trace.push_back(
            Instant(track.tid, "status", "server set status", us(e.time), {{"detail", e.detail}}));
        trace.push_back(Instant(track.tid, "status", "clients see status",
                                us(cache.VisibleFrom(e.time)), {{"set_at_us", us(e.time)}}));
        break;
      default:
        trace.push_back(Instant(track.tid, core::EventKindName(e.kind), core::EventKindName(e.kind),
                                us(e.time), {{"detail", e.detail}}));
    }
  }
  for (auto& [key, track] : tracks) close_span(key, track, end);
  return {{"traceEvents", std::move(trace)}, {"displayTimeUnit", "ms"}};
}

}  // namespace imsemu::codec
