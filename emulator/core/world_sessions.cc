// World: the Session Manager's operations (create and list sessions).
#include "emulator/core/world.h"

#include <algorithm>
#include <map>

namespace imsemu::core {

StatusOr<Payload> World::CreateSession(const std::string& project, const std::string& session_type,
                                       std::optional<std::string> session_config) {
  return Locked<Payload>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Payload> {
    if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
    std::vector<Allocation> matching;
    for (Allocation& a : store_.ListAllocations(project)) {
      if (a.spec.SessionType() == session_type && !a.deleting) matching.push_back(std::move(a));
    }
    if (matching.empty()) {
      return NotFound("no allocation in project '" + project +
                      "' has the annotation session_type=" + session_type);
    }
    if (matching.size() > 1) {
      Event w = Event::Of(matching.front(), EventKind::kSessionAmbiguousType,
                          Actor::kSessionManager, now);
      w.level = EventLevel::kWarning;
      w.detail = std::to_string(matching.size()) +
                 " allocations have session_type=" + session_type + "; using the first, '" +
                 matching.front().id + "'";
      Journal(std::move(w));
    }
    ReservationRequest request;
    request.session_config = std::move(session_config);
    StatusOr<Payload> p = ReserveIn(matching.front(), request, Actor::kSessionManager, now);
    if (!p.ok() && p.status().code() == StatusCode::kFailedPrecondition) {
      return ResourceExhausted("no Ready payload is free in allocation '" + matching.front().id +
                               "' for session_type=" + session_type + ": " +
                               WhyNoneReady(matching.front()));
    }
    return p;
  });
}

std::string World::WhyNoneReady(const Allocation& allocation) {
  std::map<PayloadState, int> counts;
  int total = 0;
  store_.VisitPayloads(allocation.id, std::nullopt, [&](const Payload& p) {
    ++counts[p.state];
    ++total;
    return true;
  });
  const AllocationSpec& spec = allocation.spec;
  if (total == 0) {
    if (!spec.enabled) return "the allocation is disabled, so it keeps no payload";
    return "it has no payload (buffer_size " + std::to_string(spec.buffer_size) +
           ", min_payloads " + std::to_string(spec.min_payloads) + ", max_payloads " +
           std::to_string(spec.max_payloads) + ")";
  }
  std::string why = "its payloads are";
  const char* sep = " ";
  for (const auto& [state, n] : counts) {
    why += sep + std::to_string(n) + " " + PayloadStateName(state);
    sep = ", ";
  }
  const int starting = counts[PayloadState::kCreating] + counts[PayloadState::kStarting];
  if (starting > 0 && !spec.auto_ready) {
    why += !spec.payload_spec.RunsGameServer()
               ? "; auto_ready is off and no command or image runs, so a payload becomes Ready "
                 "only when "
                 "something calls its POST /api/v0/ready (or set auto_ready: true)"
               : "; a payload becomes Ready when its game server calls POST /api/v0/ready";
  } else if (starting > 0) {
    const long long ms = spec.auto_ready_delay.count();
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "lit" + string.
    why.append("; a payload becomes Ready auto_ready_delay_seconds (")
        .append(std::to_string(ms / 1000));
    if (ms % 1000 != 0) why.append(".").append(std::to_string(1000 + ms % 1000).substr(1));
    why.append(" s) after it starts");
  } else if (total >= spec.max_payloads) {
    why += "; max_payloads (" + std::to_string(spec.max_payloads) + ") is reached";
  }
  return why;
}

StatusOr<std::vector<SessionView>> World::ListSessions(const std::string& project,
                                                       const std::string& session_type) {
  MutexLock lock(mu_);
  const Time now = Prepare();
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  std::vector<Payload> reserved;
  bool any = false;
  for (const Allocation& a : store_.ListAllocations(project)) {
    if (a.spec.SessionType() != session_type) continue;
    any = true;
    store_.VisitPayloads(a.id, PayloadState::kReserved, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      reserved.push_back(p);
      return true;
    });
  }
  if (!any) {
    return NotFound("no allocation in project '" + project +
                    "' has the annotation session_type=" + session_type);
  }
  std::sort(reserved.begin(), reserved.end(), [](const Payload& a, const Payload& b) {
    if (a.last_reserved != b.last_reserved) return a.last_reserved < b.last_reserved;
    return a.id < b.id;
  });
  std::vector<SessionView> out;
  out.reserve(reserved.size());
  const StatusCache cache = StatusCacheLocked();
  for (const Payload& p : reserved) {
    out.push_back({p.id, p.address, p.ports, cache.Visible(p.status_updates, now)});
  }
  return out;
}

}  // namespace imsemu::core
