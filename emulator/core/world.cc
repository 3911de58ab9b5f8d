#include "emulator/core/world.h"

#include "emulator/clock/stopwatch.h"

#include <algorithm>
#include <climits>
#include <set>

#include "emulator/core/control_loop.h"

namespace imsemu::core {
namespace {

constexpr int kMaxTimersPerReconcile = 1000000;

// Group commit: the world whose commits this thread's request defers, the
// group its changes joined (0: none), and whether it is counted among the
// requests that may still join the open group.
thread_local const World* t_deferring = nullptr;
thread_local uint64_t t_group = 0;
thread_local bool t_joining = false;
// How long a group's first request waits for the requests in flight to
// join it. Real time: the commit it saves is a real write.
constexpr std::chrono::microseconds kMaxGroupWait{2000};

}  // namespace

World::World(WorldStore& store, const Clock& clock, WorldOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  counters_.ids = IdSource(options_.seed);
  counters_.next_game_port = options_.game_port_first;
}

World::~World() {
  MutexLock lock(mu_);
  if (group_open_) (void)store_.Commit();
}

void World::AddObserver(PayloadObserver* observer) {
  MutexLock lock(mu_);
  observers_.push_back(observer);
}

void World::ClearObservers() {
  MutexLock lock(mu_);
  observers_.clear();
}

void World::SetEventSink(std::function<void(const Event&)> sink) {
  MutexLock lock(mu_);
  event_sink_ = std::move(sink);
}

// ----------------------------------------------------------------------------
// Transactions and timers

Time World::Prepare() {
  const Time now = clock_.Now();
  ApplyDue(now);
  return now;
}

Status World::Transact(Time now, const std::function<Status(Time)>& op) {
  const bool deferring = options_.group_commit && t_deferring == this;
  const Counters before = counters_;
  if (!deferring && !group_open_) {
    store_.Begin();
    Status status = op(now);
    if (status.ok()) {
      SaveCounters(now);
      status = store_.Commit();
    } else {
      store_.Rollback();
    }
    Pending committed = std::exchange(pending_, Pending{});
    next_timer_ = store_.NextTimer();
    if (!status.ok()) {
      counters_ = before;
      return status;
    }
    Deliver(std::move(committed));
    return OkStatus();
  }
  if (!group_open_) {
    store_.Begin();
    group_open_ = true;
    ++group_seq_;
    group_counters_ = counters_;
  }
  store_.BeginStep();
  const Status status = op(now);
  if (status.ok()) {
    SaveCounters(now);
  }
  const Status stored = store_.EndStep(status.ok());
  Pending step = std::exchange(pending_, Pending{});
  if (!stored.ok()) {
    // A write failed, or undoing the step did: the whole group goes.
    store_.Rollback();
    GroupFailed(stored);
    return stored;
  }
  next_timer_ = store_.NextTimer();
  if (!status.ok()) {
    counters_ = before;
    // The others' changes; a failure to commit them is reported to them.
    if (!deferring) (void)CommitGroup();
    return status;
  }
  if (deferring) t_group = group_seq_;
  group_pending_.push_back(std::move(step));
  return deferring ? OkStatus() : CommitGroup();
}

void World::Deliver(Pending committed) {
  for (PayloadObserver* observer : observers_) {
    // Removals first: a replacement may take over the removed one's port.
    for (const std::string& id : committed.removed) observer->OnPayloadRemoved(id);
    for (const Payload& p : committed.added) observer->OnPayloadAdded(p);
    for (const auto& [i, a] : committed.started) observer->OnPayloadStarted(committed.added[i], *a);
    for (const auto& [p, a] : committed.restarted) observer->OnPayloadStarted(p, *a);
    for (const std::string& id : committed.api_down) observer->OnPayloadApiDown(id);
    for (const std::string& id : committed.api_up) observer->OnPayloadApiUp(id);
  }
  if (event_sink_) {
    for (const Event& e : committed.events) event_sink_(e);
  }
  if (!committed.events.empty()) journal_grew_.SignalAll();
}

Status World::CommitGroup() {
  if (!group_open_) return OkStatus();
  group_open_ = false;
  const Status status = store_.Commit();
  if (!status.ok()) {
    GroupFailed(status);
    return status;
  }
  // Step by step: one may remove what an earlier one added.
  for (Pending& step : std::exchange(group_pending_, {})) Deliver(std::move(step));
  groups_done_ = group_seq_;
  group_moved_.SignalAll();
  return OkStatus();
}

void World::GroupFailed(const Status& status) {
  group_open_ = false;
  counters_ = group_counters_;  // the journal's end with the rest
  LoadCounters();               // and the status cache's origin, as last stored
  next_timer_ = store_.NextTimer();
  group_pending_.clear();
  failed_groups_.emplace(group_seq_, status);
  constexpr size_t kRemembered = 1024;
  if (failed_groups_.size() > kRemembered) failed_groups_.erase(failed_groups_.begin());
  groups_done_ = group_seq_;
  group_moved_.SignalAll();
}

void World::DeferCommits() {
  if (!options_.group_commit) return;
  // Counted once, even if the last request on this thread never ended.
  if (t_deferring == this && t_joining) return;
  t_deferring = this;
  t_group = 0;
  t_joining = true;
  joining_.fetch_add(1);
}

void World::StopJoining() {
  if (t_deferring != this || !t_joining) return;
  t_joining = false;
  if (joining_.fetch_sub(1) == 1) group_moved_.SignalAll();
}

Status World::CommitDeferred() {
  if (!options_.group_commit || t_deferring != this) return OkStatus();
  MutexLock lock(mu_);
  StopJoining();
  t_deferring = nullptr;
  const uint64_t joined = std::exchange(t_group, 0);
  // Everything this request saw is stored before it is answered: the open
  // group too, even when only others' changes are in it. Its first request
  // to get here commits it, once the requests in flight have joined it (or
  // a moment has passed); the rest wait for that commit.
  const uint64_t target = group_open_ ? group_seq_ : 0;
  while (groups_done_ < target) {
    if (group_leader_) {
      group_moved_.Wait();
      continue;
    }
    group_leader_ = true;
    const Stopwatch waited;
    while (joining_.load() > 0 && groups_done_ < target) {
      const auto left = kMaxGroupWait - waited.Elapsed();
      if (left.count() <= 0) break;
      group_moved_.WaitFor(left);
    }
    group_leader_ = false;
    if (groups_done_ < target) {
      (void)CommitGroup();  // a failure is reported to each request that joined
    } else {
      group_moved_.SignalAll();  // another may lead the next group
    }
  }
  const auto failed = failed_groups_.find(joined);
  if (failed == failed_groups_.end()) return OkStatus();
  return failed->second;
}

Status World::Mutate(const std::function<Status(Time)>& op) { return Transact(Prepare(), op); }

void World::ApplyDue(Time now) {
  if (!next_timer_ || *next_timer_ > now) return;
  next_timer_.reset();  // nothing below may recurse into ApplyDue
  // A failed commit leaves the timers armed: the next call tries again.
  (void)Transact(now, [&](Time) IMSEMU_REQUIRES(mu_) {
    for (int i = 0; i < kMaxTimersPerReconcile; ++i) {
      std::optional<Payload> due = store_.NextDuePayload(now);
      if (!due) break;
      ApplyTimer(std::move(*due));
    }
    return OkStatus();
  });
}

void World::Reconcile() {
  MutexLock lock(mu_);
  Prepare();
}

void World::ReconcileAndSaveClock() {
  MutexLock lock(mu_);
  // Only a resume's start time depends on it: a failure costs nothing.
  (void)Mutate([](Time) { return OkStatus(); });
}

void World::ApplyTimer(Payload p) {
  if (p.api_down_until && (p.timer == TimerKind::kNone || *p.api_down_until <= p.timer_at)) {
    const Time at = *p.api_down_until;
    p.api_down_until.reset();
    Event e = Event::Of(p, EventKind::kPayloadApiUp, Actor::kEmulator, at);
    e.detail = "Payload Local API answering";
    Journal(std::move(e));
    pending_.api_up.push_back(p.id);
    store_.PutPayload(p);
    return;
  }
  const Time at = p.timer_at;
  const TimerKind kind = p.timer;
  p.timer = TimerKind::kNone;
  std::optional<Allocation> allocation = store_.GetAllocation(p.allocation_id);
  switch (kind) {
    case TimerKind::kNone:
      break;
    case TimerKind::kAutoReady:
      if (p.state == PayloadState::kStarting && allocation) {
        BecomeReady(p, *allocation, Actor::kGameServer, at);
      }
      break;
    case TimerKind::kRestart:
    case TimerKind::kStart:
      SetState(p, PayloadState::kStarting, Actor::kEmulator,
               kind == TimerKind::kRestart ? "restarted after back-off"
                                           : "started after the allocation's crash back-off",
               at);
      p.started = at;
      if (allocation) {
        AfterStart(p, *allocation, at);
        pending_.restarted.emplace_back(p, std::make_shared<const Allocation>(*allocation));
      }
      break;
    case TimerKind::kShutdown:
      SetState(p, PayloadState::kShutdown, Actor::kEmulator, p.details, at);
      Arm(p, TimerKind::kRemove, at + options_.timings.shutdown_linger);
      break;
    case TimerKind::kRemove:
      RemovePayload(p, Actor::kEmulator, "shut down", at);
      Converge(p.allocation_id, at);
      return;
    case TimerKind::kAutoReserve:
      if (p.state == PayloadState::kReady && allocation && allocation->spec.auto_reserve) {
        ReservePayload(p, AutoReservation(*allocation->spec.auto_reserve), Actor::kEmulator,
                       "auto-reserved", at);
      }
      break;
  }
  store_.PutPayload(p);
  // A timer changes no allocation: the one read above is current.
  if (allocation) Converge(*allocation, at);
}

// ----------------------------------------------------------------------------
// Payload lifecycle helpers (inside a transaction)

void World::Journal(Event event) {
  event.seq = store_.AppendEvent(event);
  counters_.journal_seq = event.seq;
  pending_.events.push_back(std::move(event));
}

void World::SetState(Payload& p, PayloadState to, Actor actor, const std::string& detail, Time at,
                     std::optional<ProcessExit> exit) {
  Event e = Event::Of(p, EventKind::kPayloadState, actor, at);
  e.exit = exit;
  e.old_state = PayloadStateName(p.state);
  e.new_state = PayloadStateName(to);
  e.detail = detail;
  p.state = to;
  p.state_since = at;
  Journal(std::move(e));
}

void World::Arm(Payload& p, TimerKind kind, Time at) {
  p.timer = kind;
  p.timer_at = at;
}

void World::AfterStart(Payload& p, const Allocation& allocation, Time at) {
  p.timer = TimerKind::kNone;
  if (!allocation.spec.auto_ready) return;
  if (allocation.spec.auto_ready_delay.count() == 0) {
    BecomeReady(p, allocation, Actor::kGameServer, at);
  } else {
    Arm(p, TimerKind::kAutoReady, at + allocation.spec.auto_ready_delay);
  }
}

void World::BecomeReady(Payload& p, const Allocation& allocation, Actor actor, Time at) {
  SetState(p, PayloadState::kReady, actor, "", at);
  p.details.clear();
  p.restarts = 0;
  p.timer = TimerKind::kNone;
  if (allocation.spec.auto_reserve) {
    Arm(p, TimerKind::kAutoReserve, at + allocation.spec.auto_reserve->after);
  }
}

void World::ReservePayload(Payload& p, const ReservationRequest& request, Actor actor,
                           const std::string& detail, Time at) {
  const PayloadState old_state = ApplyReservation(p, request, at);
  Event e = Event::Of(p, EventKind::kPayloadState, actor, at);
  e.old_state = PayloadStateName(old_state);
  e.new_state = PayloadStateName(p.state);
  e.detail = detail;
  Journal(std::move(e));
}

void World::CreatePayload(const std::shared_ptr<const Allocation>& shared, Time at) {
  const Allocation& allocation = *shared;
  Payload p;
  do {
    p.id = counters_.ids.NextPayloadId();
  } while (store_.GetPayload(p.id).has_value());
  p.project_id = allocation.project_id;
  p.allocation_id = allocation.id;
  p.seq = counters_.next_seq++;
  p.state = PayloadState::kStarting;
  p.address = options_.advertise_address;
  const bool real_game_server =
      !allocation.spec.payload_spec.command.empty() && options_.pick_game_port;
  for (const PortSpec& spec : allocation.spec.payload_spec.ports) {
    if (real_game_server) {
      p.ports.push_back({spec.name, options_.pick_game_port()});
      continue;
    }
    int& next = counters_.next_game_port;
    p.ports.push_back({spec.name, next});
    next = next >= options_.game_port_last ? options_.game_port_first : next + 1;
  }
  if (options_.pick_api_port) p.api_port = options_.pick_api_port();
  if (options_.new_payload_api_down.count() > 0)
    p.api_down_until = at + options_.new_payload_api_down;
  p.created = at;
  p.state_since = at;
  const Duration wait =
      CrashBackoff(options_.timings, allocation.crash_streak, allocation.last_crash, at);
  Event e = Event::Of(p, EventKind::kPayloadCreated, Actor::kControlLoop, at);
  const bool starts = wait.count() <= 0;
  if (!starts) {
    // A crash loop: the replacement waits, costing no process.
    p.state = PayloadState::kCreating;
    Arm(p, TimerKind::kStart, at + wait);
    e.new_state = "Creating";
    e.detail = std::to_string(allocation.crash_streak) +
               " game servers crashed after Ready in a row; starting in " +
               std::to_string(wait.count()) + " ms";
    Journal(std::move(e));
  } else {
    p.started = at;
    e.new_state = "Starting";
    Journal(std::move(e));
    AfterStart(p, allocation, at);
  }
  store_.PutPayload(p);
  if (starts) pending_.started.emplace_back(pending_.added.size(), shared);
  pending_.added.push_back(std::move(p));
}

void World::NoteExit(const std::string& allocation_id, CrashStreak streak, Time at) {
  std::optional<Allocation> a = store_.GetAllocation(allocation_id);
  if (!a) return;
  if (streak == CrashStreak::kCrashed) {
    const bool in_a_row = a->crash_streak > 0 && at - a->last_crash < options_.timings.crash_memory;
    a->crash_streak = in_a_row ? a->crash_streak + 1 : 1;
    a->last_crash = at;
  } else if (streak == CrashStreak::kEnded && a->crash_streak > 0) {
    a->crash_streak = 0;  // a game server that ends well ends the loop
  } else {
    return;
  }
  store_.PutAllocation(*a);
}

void World::RemovePayload(const Payload& p, Actor actor, const std::string& detail, Time at) {
  Event e = Event::Of(p, EventKind::kPayloadRemoved, actor, at);
  e.old_state = PayloadStateName(p.state);
  e.detail = detail;
  Journal(std::move(e));
  store_.DeletePayload(p.id);
  pending_.removed.push_back(p.id);
}

void World::Converge(const std::string& allocation_id, Time at) {
  if (std::optional<Allocation> allocation = store_.GetAllocation(allocation_id)) {
    Converge(*allocation, at);
  }
}

void World::Converge(const Allocation& allocation, Time at) {
  const std::string& allocation_id = allocation.id;
  const ScalePlan plan = PlanScale(allocation, store_.CountPayloads(allocation_id));
  if (plan.create > 0) {
    const auto shared = std::make_shared<const Allocation>(allocation);
    for (int i = 0; i < plan.create; ++i) CreatePayload(shared, at);
  }
  if (plan.remove > 0) {
    std::vector<Payload> payloads;
    store_.VisitPayloads(allocation_id, std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      payloads.push_back(p);
      return true;
    });
    const char* why = allocation.deleting ? "allocation deleted" : "scaled down";
    for (const Payload& p : ChooseToRemove(payloads, plan.remove)) {
      RemovePayload(p, Actor::kControlLoop, why, at);
    }
  }
  if (allocation.deleting && store_.CountPayloads(allocation_id).total == 0) {
    Event e = Event::Of(allocation, EventKind::kAllocationDeleted, Actor::kControlLoop, at);
    e.detail = "drained";
    Journal(std::move(e));
    store_.DeleteAllocation(allocation_id);
  }
}

// ----------------------------------------------------------------------------
// Counters and fixtures

void World::LoadCounters() {
  auto read = [&](const char* key, long long fallback) {
    std::optional<std::string> v = store_.GetMeta(key);
    return v ? std::stoll(*v) : fallback;
  };
  counters_.next_seq = read("next_seq", 1);
  counters_.next_game_port = static_cast<int>(read("next_game_port", options_.game_port_first));
  counters_.ids = IdSource(options_.seed, static_cast<uint64_t>(read("id_draws", 0)));
  options_.status_cache.origin =
      Time(Duration(read("status_cache_origin", clock_.Now().time_since_epoch().count())));
}

void World::SaveCounters(Time now) {
  store_.PutMeta("now", std::to_string(now.time_since_epoch().count()));
  store_.PutMeta("next_seq", std::to_string(counters_.next_seq));
  store_.PutMeta("next_game_port", std::to_string(counters_.next_game_port));
  store_.PutMeta("id_draws", std::to_string(counters_.ids.draws()));
  store_.PutMeta("status_cache_origin",
                 std::to_string(options_.status_cache.origin.time_since_epoch().count()));
}

Status World::Open(const Fixture& fixture) {
  MutexLock lock(mu_);
  if (store_.HoldsWorld()) {
    LoadCounters();
    next_timer_ = store_.NextTimer();
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      for (PayloadObserver* observer : observers_) observer->OnPayloadAdded(p);
      return true;
    });
    return OkStatus();
  }
  options_.status_cache.origin = clock_.Now();
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) { return LoadFixture(fixture, now); });
}

Status World::Reset(const Fixture& fixture) {
  MutexLock lock(mu_);
  // One transaction: a fixture that breaks a rule leaves the world as it was.
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      pending_.removed.push_back(p.id);
      return true;
    });
    store_.Clear();
    Journal(Event::OfWorld(EventKind::kWorldReset, Actor::kControl, now));
    return LoadFixture(fixture, now);
  });
}

Status World::LoadFixture(const Fixture& fixture, Time now) {
  std::set<std::string> ids;
  for (const ProjectFixture& project : fixture.projects) {
    if (project.id.empty()) return InvalidArgument("projects[].id must not be empty");
    store_.PutProject(project.id);
    for (const AllocationFixture& a : project.allocations) {
      if (a.id && !ids.insert(*a.id).second) {
        return InvalidArgument("allocation id '" + *a.id + "' is used twice in the fixture");
      }
      IMSEMU_RETURN_IF_ERROR(AddAllocation(project.id, a.id, a.spec, now).status());
    }
  }
  return OkStatus();
}

// ----------------------------------------------------------------------------
// The journal and snapshots

long long World::AwaitEvents(long long seq, std::chrono::milliseconds timeout) {
  const Stopwatch waited;  // real time, as the caller waits on real processes
  MutexLock lock(mu_);
  // Not a request that may still change the world: the group need not
  // wait for it, nor stay open while it waits.
  StopJoining();
  (void)CommitGroup();
  while (counters_.journal_seq <= seq) {
    const std::chrono::milliseconds left = timeout - waited.Elapsed();
    if (left.count() <= 0) break;
    journal_grew_.WaitFor(left);
  }
  return counters_.journal_seq;
}

std::optional<Time> World::NextTimer() {
  MutexLock lock(mu_);
  Prepare();
  return next_timer_;
}

long long World::JournalEnd() {
  MutexLock lock(mu_);
  return counters_.journal_seq;
}

WorldSnapshot World::SnapshotLocked() {
  WorldSnapshot s;
  s.now = Prepare();
  s.next_timer = next_timer_;
  s.status_cache = options_.status_cache;
  s.projects = store_.ListProjects();
  s.allocations = store_.ListAllocations("");
  store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
    s.payloads.push_back(p);
    return true;
  });
  return s;
}

WorldSnapshot World::Snapshot() {
  MutexLock lock(mu_);
  return SnapshotLocked();
}

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
  image.status_cache_origin = options_.status_cache.origin;
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
  options_.status_cache.origin = image.status_cache_origin;
  return OkStatus();
}

Status World::Restore(const WorldImage& image, const std::string& detail) {
  MutexLock lock(mu_);
  const Time origin = options_.status_cache.origin;
  // At the clock's time as the caller set it: the old world's timers are not
  // applied first, they are replaced.
  Status s = Transact(clock_.Now(), [&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
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
  if (!s.ok()) options_.status_cache.origin = origin;
  return s;
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

StatusCache World::status_cache() {
  MutexLock lock(mu_);
  return options_.status_cache;
}

}  // namespace imsemu::core
