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

namespace {

// What every record of an image keeps to: an id, its own, and a parent the
// image holds ("allocation 'a' names project 'p', which is not in
// projects[]"). Adds the id to `ids`.
Status CheckRecord(const char* what, const std::string& id, const char* parent_what,
                   const std::string& parent, const std::set<std::string>& parents,
                   std::set<std::string>& ids) {
  if (id.empty() || !parents.count(parent)) {
    return InvalidArgument(std::string(what) + " '" + id + "' names " + parent_what + " '" +
                           parent + "', which is not in " + parent_what + "s[]");
  }
  if (!ids.insert(id).second) {
    return InvalidArgument(std::string(what) + " '" + id + "' is there twice");
  }
  return OkStatus();
}

}  // namespace

Status World::PutImage(const WorldImage& image) {
  std::set<std::string> projects;
  for (const std::string& project : image.projects) {
    if (project.empty()) return InvalidArgument("projects[] must not be empty");
    projects.insert(project);
    store_.PutProject(project);
  }
  std::set<std::string> allocations;
  for (const Allocation& a : image.allocations) {
    IMSEMU_RETURN_IF_ERROR(
        CheckRecord("allocation", a.id, "project", a.project_id, projects, allocations));
    store_.PutAllocation(a);
  }
  std::set<std::string> payloads;
  for (const Payload& p : image.payloads) {
    IMSEMU_RETURN_IF_ERROR(
        CheckRecord("payload", p.id, "allocation", p.allocation_id, allocations, payloads));
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
    next_forget_known_ = false;
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
    next_forget_known_ = false;
    Event e = Event::OfWorld(EventKind::kWorldRestored, Actor::kControl, now);
    e.detail = "imported";
    Journal(std::move(e));
    return OkStatus();
  });
}

}  // namespace imsemu::core
