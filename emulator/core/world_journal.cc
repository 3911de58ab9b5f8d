// The world's journal and what reads it: waits for events, the next timer,
// the journal's end and its pages, and snapshots of the world now.
#include <algorithm>
#include <climits>

#include "emulator/clock/stopwatch.h"
#include "emulator/core/world.h"

namespace imsemu::core {

long long World::AwaitEvents(long long seq, std::chrono::milliseconds timeout) {
  const Stopwatch waited;  // real time, as the caller waits on real processes
  MutexLock lock(mu_);
  // Not a request that may still change the world: the group need not
  // wait for it, nor stay open while it waits.
  commits_.StopJoining();
  (void)commits_.Commit();
  while (counters_.journal_seq <= seq) {
    const std::chrono::milliseconds left = timeout - waited.Elapsed();
    if (left.count() <= 0) break;
    journal_grew_.WaitFor(left);
  }
  return counters_.journal_seq;
}

std::optional<Time> World::NextTimer() {
  MutexLock lock(mu_);
  return NextDeadlineLocked(Prepare());
}

std::optional<Time> World::NextPayloadDeadline() {
  MutexLock lock(mu_);
  Prepare();
  return next_timer_;
}

namespace {

// Moves `next` earlier to when the status cache shows clients one of `p`'s
// status updates they do not see yet at `now`, if that is earlier.
void EarlierStatusShown(const Payload& p, const StatusCache& cache, Time now,
                        std::optional<Time>& next) {
  if (p.state != PayloadState::kReserved) return;  // List Sessions shows Reserved ones only
  for (const StatusUpdate& u : p.status_updates) {
    const Time visible = cache.VisibleFrom(u.set_at);
    if (visible > now && (!next || visible < *next)) next = visible;
  }
}

}  // namespace

std::optional<Time> World::NextDeadlineLocked(Time now) {
  std::optional<Time> next = next_timer_;
  if (next_forget_ && (!next || *next_forget_ < *next)) next = next_forget_;
  const StatusCache& cache = StatusCacheLocked();
  store_.VisitPayloads("", PayloadState::kReserved, [&](const Payload& p) {
    EarlierStatusShown(p, cache, now, next);
    return true;
  });
  return next;
}

long long World::JournalEnd() {
  MutexLock lock(mu_);
  return counters_.journal_seq;
}

std::vector<Event> World::Events(long long after, int limit) {
  MutexLock lock(mu_);
  Prepare();
  return store_.ListEvents(after, limit);
}

std::vector<Event> World::Journal() {
  MutexLock lock(mu_);
  Prepare();
  const long long count = counters_.journal_seq;
  return store_.ListEvents(0, static_cast<int>(std::min<long long>(count, INT_MAX)));
}

WorldSnapshot World::SnapshotLocked() {
  WorldSnapshot s;
  s.now = Prepare();
  s.next_timer = next_timer_;
  s.status_cache = StatusCacheLocked();
  s.projects = store_.ListProjects();
  s.allocations = store_.ListAllocations("");
  store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
    EarlierStatusShown(p, s.status_cache, s.now, s.next_timer);  // one pass for both
    s.payloads.push_back(p);
    return true;
  });
  return s;
}

WorldSnapshot World::Snapshot() {
  MutexLock lock(mu_);
  return SnapshotLocked();
}

}  // namespace imsemu::core
