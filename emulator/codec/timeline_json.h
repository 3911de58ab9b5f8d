// The journal as a timeline: the Chrome trace-event format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open.
//
// One track per payload (named by its id, in creation order) shows its
// states as spans; on it, "server set status" marks when the game server set
// a session status and "clients see status" when List Sessions first shows
// it, so the status cache's lag is the gap between the two. Allocation and
// world events are instants on a track of their own. Times are
// microseconds from the first event. Pure.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/core/event.h"
#include "emulator/core/status_cache.h"

namespace imsemu::codec {

// `events` in journal order; `end` closes the last spans (the clock's now).
nlohmann::json TimelineToTraceJson(const std::vector<core::Event>& events,
                                   const core::StatusCache& cache, Time end);

}  // namespace imsemu::codec
