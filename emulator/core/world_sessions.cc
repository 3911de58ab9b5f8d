// World: the Session Manager's operations (create and list sessions).
#include "emulator/core/world.h"

#include <algorithm>

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
                               "' for session_type=" + session_type);
    }
    return p;
  });
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
