#include "emulator/core/control_loop.h"

#include <algorithm>

namespace imsemu::core {

bool IsPending(PayloadState state) {
  return state == PayloadState::kCreating || state == PayloadState::kStarting ||
         state == PayloadState::kError;
}

bool IsUnreserved(PayloadState state) { return state == PayloadState::kReady || IsPending(state); }

ScalePlan PlanScale(const Allocation& allocation, const StateCounts& counts) {
  const AllocationSpec& spec = allocation.spec;
  const int unreserved = counts.ready + counts.pending;
  if (allocation.deleting || !spec.enabled) return {0, unreserved};

  ScalePlan plan;
  const int want_ready = spec.buffer_size;
  if (unreserved < want_ready) {
    plan.create = std::max(0, std::min(want_ready - unreserved, spec.max_payloads - counts.total));
  } else if (unreserved > want_ready) {
    plan.remove = std::max(0, std::min(unreserved - want_ready, counts.total - spec.min_payloads));
  }
  // The floor and the ceiling win over the buffer.
  const int total_after = counts.total + plan.create - plan.remove;
  if (total_after < spec.min_payloads) plan.create += spec.min_payloads - total_after;
  if (total_after > spec.max_payloads) {
    plan.remove += std::min(total_after - spec.max_payloads, unreserved - plan.remove);
  }
  plan.create = std::max(plan.create, 0);
  plan.remove = std::clamp(plan.remove, 0, unreserved);
  return plan;
}

AllocationStatus StatusOf(const Allocation& allocation, const StateCounts& counts) {
  using S = AllocationStatus;
  if (allocation.deleted) return S::kDeleted;
  if (allocation.deleting || !allocation.spec.enabled) {
    if (counts.total > 0) return S::kDraining;
    return allocation.deleting ? S::kDeleted : S::kDisabled;
  }
  if (allocation.failures >= kFailuresBeforeError && counts.ready == 0) return S::kError;
  if (allocation.updating) return S::kUpdating;
  const AllocationSpec& spec = allocation.spec;
  const bool nothing_to_run =
      spec.max_payloads == 0 || (spec.buffer_size == 0 && spec.min_payloads == 0);
  if (counts.total == 0 && nothing_to_run) return S::kStopped;
  if (!allocation.has_run) return S::kNew;
  return S::kRunning;
}

std::vector<Payload> ChooseToRemove(const std::vector<Payload>& payloads, int count) {
  std::vector<Payload> victims;
  for (const Payload& p : payloads) {
    if (!p.forced && IsUnreserved(p.state)) victims.push_back(p);
  }
  std::stable_sort(victims.begin(), victims.end(), [](const Payload& a, const Payload& b) {
    const bool a_ready = a.state == PayloadState::kReady;
    const bool b_ready = b.state == PayloadState::kReady;
    if (a_ready != b_ready) return !a_ready;
    return a.seq > b.seq;
  });
  if (count < static_cast<int>(victims.size()))
    victims.resize(static_cast<size_t>(std::max(count, 0)));
  return victims;
}

}  // namespace imsemu::core
