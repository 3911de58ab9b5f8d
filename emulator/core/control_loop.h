// ControlLoop: what an allocation needs to converge to its spec.
//
// Keep `buffer_size` payloads Ready (counting those on their way to Ready),
// never letting the total go below `min_payloads` or above `max_payloads`.
// Only payloads that are not Reserved are scaled. A disabled or deleted
// allocation drains: every unreserved payload goes and none is created.
// A pure function: the world applies the plan.
#pragma once

#include "emulator/core/allocation.h"
#include "emulator/core/world_store.h"

namespace imsemu::core {

struct ScalePlan {
  int create = 0;  // payloads to create
  int remove = 0;  // unreserved payloads to remove (pending first, newest first)
};

ScalePlan PlanScale(const Allocation& allocation, const StateCounts& counts);

}  // namespace imsemu::core
