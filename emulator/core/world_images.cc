// The world's images (world.h, WorldImage): captures and restores of the
// whole world, for exports, imports and named snapshots.
#include <set>

#include "emulator/core/world.h"

namespace imsemu::core {

WorldImage World::Capture() {
  MutexLock lock(mu_);
  WorldSnapshot s = SnapshotLocked();
  WorldImage image;
  image.now = s.now;
  image.projects = std::move(s.projects);
  image.allocations = std::move(s.allocations);
  image.payloads = std::move(s.payloads);
  image.id_draws = counters_.ids.draws();
  image.next_seq = counters_.next_seq;
  image.next_game_port = counters_.next_game_port;
  image.status_cache_origin = counters_.status_cache_origin;
  image.journal_seq = counters_.journal_seq;
  return image;
}

Status World::PutImage(const WorldImage& image) {
  std::set<std::string> projects;
  for (const std::string& project : image.projects) {
    if (project.empty()) return InvalidArgument("projects[] must not be empty");
    projects.insert(project);
    store_.PutProject(project);
  }
  std::set<std::string> allocations;
  for (const Allocation& a : image.allocations) {
    if (a.id.empty() || !projects.count(a.project_id)) {
      return InvalidArgument("allocation '" + a.id + "' names project '" + a.project_id +
                             "', which is not in projects[]");
    }
    if (!allocations.insert(a.id).second) {
      return InvalidArgument("allocation '" + a.id + "' is there twice");
    }
    store_.PutAllocation(a);
  }
  std::set<std::string> payloads;
  for (const Payload& p : image.payloads) {
    if (p.id.empty() || !allocations.count(p.allocation_id)) {
      return InvalidArgument("payload '" + p.id + "' names allocation '" + p.allocation_id +
                             "', which is not in allocations[]");
    }
    if (!payloads.insert(p.id).second) {
      return InvalidArgument("payload '" + p.id + "' is there twice");
    }
    store_.PutPayload(p);
    pending_.added.push_back(p);
  }
  counters_.ids = IdSource(options_.seed, image.id_draws);
  counters_.next_seq = image.next_seq;
  counters_.next_game_port = image.next_game_port;
  counters_.status_cache_origin = image.status_cache_origin;
  return OkStatus();
}

Status World::Restore(const WorldImage& image, const std::string& detail) {
  MutexLock lock(mu_);
  // At the clock's time as the caller set it: the old world's timers are not
  // applied first, they are replaced.
  return Transact(clock_.Now(), [&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      pending_.removed.push_back(p.id);
      return true;
    });
    store_.Clear();
    IMSEMU_RETURN_IF_ERROR(PutImage(image));
    Event e = Event::OfWorld(EventKind::kWorldRestored, Actor::kControl, now);
    e.detail = detail;
    Journal(std::move(e));
    return OkStatus();
  });
}

Status World::OpenFrom(const WorldImage& image, const std::vector<Event>& journal) {
  MutexLock lock(mu_);
  if (store_.HoldsWorld()) {
    return FailedPrecondition(
        "the state file already holds a world: import into a new --state file or :memory:");
  }
  return Transact(clock_.Now(), [&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    // The journal as it was, then the world.
    for (const Event& e : journal) counters_.journal_seq = store_.AppendEvent(e);
    IMSEMU_RETURN_IF_ERROR(PutImage(image));
    Event e = Event::OfWorld(EventKind::kWorldRestored, Actor::kControl, now);
    e.detail = "imported";
    Journal(std::move(e));
    return OkStatus();
  });
}

}  // namespace imsemu::core
