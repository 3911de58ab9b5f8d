// ControlLoop: what an allocation needs to converge to its spec.
//
// Keep `buffer_size` payloads Ready (counting those on their way to Ready),
// never letting the total go below `min_payloads` or above `max_payloads`.
// Only payloads that are not Reserved are scaled. A disabled or deleted
// allocation drains: every unreserved payload goes and none is created.
// A pure function: the world applies the plan.
#pragma once

#include <vector>

#include "emulator/core/allocation.h"
#include "emulator/core/world_store.h"

namespace imsemu::core {

// On its way to Ready: Creating, Starting, or Error (restarting).
bool IsPending(PayloadState state);
// What the control loop counts and scales: Ready or pending, not Reserved,
// not leaving. (A forced payload is left alone whatever its state.)
bool IsUnreserved(PayloadState state);

struct ScalePlan {
  int create = 0;  // payloads to create
  int remove = 0;  // unreserved payloads to remove (pending first, newest first)
};

ScalePlan PlanScale(const Allocation& allocation, const StateCounts& counts);

// Game servers failing (to start, or after Ready) with none Ready since,
// before an allocation with none Ready shows Error.
inline constexpr int kFailuresBeforeError = 3;

// IMS's status of `allocation` with `counts` of its payloads: Deleted once a
// deleted one has drained; Draining while a disabled or deleted one still
// has payloads; Disabled once a disabled one has none; Error while
// kFailuresBeforeError or more game servers failed since one was last Ready
// and none is; Updating while an edit rolls out; Stopped when it has nothing
// to run and no payload; New until one
// of its game servers is first Ready; Running otherwise.
AllocationStatus StatusOf(const Allocation& allocation, const StateCounts& counts);

// Which `count` of an allocation's `payloads` (in creation order) scaling
// down removes: unreserved, unforced ones, those not yet Ready first, then
// the newest.
std::vector<Payload> ChooseToRemove(const std::vector<Payload>& payloads, int count);

}  // namespace imsemu::core
