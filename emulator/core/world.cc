#include "emulator/core/world.h"

#include <set>

#include "emulator/core/control_loop.h"

namespace imsemu::core {
namespace {

constexpr int kMaxTimersPerReconcile = 1000000;

}  // namespace

World::World(WorldStore& store, const Clock& clock, WorldOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      commits_(store_, mu_, options_.group_commit, [this]() IMSEMU_REQUIRES(mu_) {
        counters_ = counters_at_group_;
        next_timer_ = store_.NextTimer();
        next_forget_known_ = false;
      }) {
  counters_.ids = IdSource(options_.seed);
  counters_.next_game_port = options_.game_port_first;
}

World::~World() {
  MutexLock lock(mu_);
  commits_.Close();
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
  const Counters before = counters_;
  if (commits_.BeginStep()) counters_at_group_ = before;
  const Status status = op(now);
  if (status.ok()) SaveCounters(now);
  IMSEMU_RETURN_IF_ERROR(commits_.EndStep(status.ok(),
                                          [this, step = std::exchange(pending_, Pending{})]()
                                              IMSEMU_REQUIRES(mu_) { Deliver(step); }));
  next_timer_ = store_.NextTimer();
  if (!status.ok()) counters_ = before;
  // A failed step's status is its own; the others' changes commit all the
  // same (a failure to commit them is reported to them).
  const Status committed = commits_.CommitUnlessDeferred();
  return status.ok() ? committed : status;
}

void World::Deliver(const Pending& committed) {
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

void World::DeferCommits() {
  if (!options_.group_commit) return;
  MutexLock lock(mu_);
  commits_.Defer();
}

Status World::CommitDeferred() {
  if (!options_.group_commit) return OkStatus();
  MutexLock lock(mu_);
  return commits_.CommitJoined();
}

Status World::Mutate(const std::function<Status(Time)>& op) { return Transact(Prepare(), op); }

void World::ApplyDue(Time now) {
  ForgetDeleted(now);
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
  NoteReady(allocation.id);
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
  p.revision = allocation.revision;
  p.address = options_.advertise_address;
  const bool real_game_server =
      allocation.spec.payload_spec.RunsGameServer() && options_.pick_game_port;
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

void World::NoteExit(const std::string& allocation_id, CrashStreak streak, bool before_ready,
                     Time at) {
  std::optional<Allocation> a = store_.GetAllocation(allocation_id);
  if (!a) return;
  if (before_ready || streak == CrashStreak::kCrashed) ++a->failures;
  if (before_ready) {
    // A failed start is no crash of a running game server: the streak stays.
  } else if (streak == CrashStreak::kCrashed) {
    const bool in_a_row = a->crash_streak > 0 && at - a->last_crash < options_.timings.crash_memory;
    a->crash_streak = in_a_row ? a->crash_streak + 1 : 1;
    a->last_crash = at;
  } else if (streak == CrashStreak::kEnded && a->crash_streak > 0) {
    a->crash_streak = 0;  // a game server that ends well ends the loop
  } else if (!before_ready) {
    return;
  }
  store_.PutAllocation(*a);
}

void World::NoteReady(const std::string& allocation_id) {
  std::optional<Allocation> a = store_.GetAllocation(allocation_id);
  if (!a || (a->has_run && a->failures == 0)) return;
  a->has_run = true;
  a->failures = 0;
  store_.PutAllocation(*a);
}

void World::RollOut(const Allocation& allocation, Time at) {
  const AllocationSpec& spec = allocation.spec;
  // What the allocation has, by revision: the current one's, and the older
  // ones' that are not Reserved (those finish their match untouched).
  struct Census {
    int total = 0, ready = 0, pending = 0;
    std::vector<Payload> old_ready, old_pending;
  };
  auto census = [&]() IMSEMU_REQUIRES(mu_) {
    Census c;
    store_.VisitPayloads(allocation.id, std::nullopt, [&](const Payload& p) {
      ++c.total;
      if (p.forced) return true;
      const bool current = p.revision == allocation.revision;
      if (p.state == PayloadState::kReady) {
        if (current) {
          ++c.ready;
        } else {
          c.old_ready.push_back(p);
        }
      } else if (IsPending(p.state)) {
        if (current) {
          ++c.pending;
        } else {
          c.old_pending.push_back(p);
        }
      }
      return true;
    });
    return c;
  };
  const std::string why = "replaced by revision " + std::to_string(allocation.revision);
  Census c = census();
  // Old payloads not yet Ready go at once: they would start the old build.
  for (const Payload& p : c.old_pending) RemovePayload(p, Actor::kControlLoop, why, at);
  c.total -= static_cast<int>(c.old_pending.size());
  // Surge: the current revision's own buffer, within max_payloads. At the
  // ceiling, with none of it starting, one old Ready payload makes room.
  int create = std::min(spec.buffer_size - c.ready - c.pending, spec.max_payloads - c.total);
  if (create <= 0 && c.ready + c.pending < spec.buffer_size && c.pending == 0 &&
      !c.old_ready.empty()) {
    RemovePayload(c.old_ready.front(), Actor::kControlLoop, why, at);
    create = 1;
  }
  if (create > 0) {
    const auto shared = std::make_shared<const Allocation>(allocation);
    for (int i = 0; i < create; ++i) CreatePayload(shared, at);
  }
  // Then remove: old Ready payloads go as far as the Ready count stays at
  // the buffer (the oldest first).
  c = census();
  const int old = static_cast<int>(c.old_ready.size());
  const int excess = std::clamp(c.ready + old - spec.buffer_size, 0, old);
  for (int i = 0; i < excess; ++i) RemovePayload(c.old_ready[i], Actor::kControlLoop, why, at);
  if (excess == old) {
    // No unreserved payload of an older revision is left: rolled out.
    std::optional<Allocation> a = store_.GetAllocation(allocation.id);
    if (a && a->updating) {
      a->updating = false;
      store_.PutAllocation(*a);
    }
  }
}

void World::RefreshStatus(const std::string& allocation_id, Time at) {
  std::optional<Allocation> a = store_.GetAllocation(allocation_id);
  if (!a) return;
  const StateCounts counts = store_.CountPayloads(allocation_id);
  bool changed = false;
  if (a->deleting && !a->deleted && counts.total == 0) {
    Event e = Event::Of(*a, EventKind::kAllocationDeleted, Actor::kControlLoop, at);
    e.detail = "drained";
    Journal(std::move(e));
    a->deleted = at;
    const Time forget = at + options_.keep_deleted;
    if (next_forget_known_ && (!next_forget_ || forget < *next_forget_)) next_forget_ = forget;
    changed = true;
  }
  const AllocationStatus status = StatusOf(*a, counts);
  if (status != a->status) {
    Event e = Event::Of(*a, EventKind::kAllocationStatus, Actor::kControlLoop, at);
    e.old_state = AllocationStatusName(a->status);
    e.new_state = AllocationStatusName(status);
    Journal(std::move(e));
    a->status = status;
    changed = true;
  }
  if (changed) store_.PutAllocation(*a);
}

void World::ForgetDeleted(Time now) {
  if (next_forget_known_ && (!next_forget_ || *next_forget_ > now)) return;
  // Read the allocations again: to find the next, or to remove those due.
  auto due = [&](const Allocation& a) {
    return a.deleted && *a.deleted + options_.keep_deleted <= now;
  };
  std::vector<Allocation> all = store_.ListAllocations("");
  next_forget_.reset();
  next_forget_known_ = true;
  bool any_due = false;
  for (const Allocation& a : all) {
    if (!a.deleted) continue;
    if (due(a)) {
      any_due = true;
    } else if (!next_forget_ || *a.deleted + options_.keep_deleted < *next_forget_) {
      next_forget_ = *a.deleted + options_.keep_deleted;
    }
  }
  if (!any_due) return;
  // A failed commit leaves them: the next call tries again.
  (void)Transact(now, [&](Time) IMSEMU_REQUIRES(mu_) {
    for (const Allocation& a : all) {
      if (!due(a)) continue;
      Event e = Event::Of(a, EventKind::kAllocationRemoved, Actor::kControlLoop, now);
      e.detail =
          "deleted " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(options_.keep_deleted).count()) +
          " s ago";
      Journal(std::move(e));
      store_.DeleteAllocation(a.id);
    }
    return OkStatus();
  });
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
  if (allocation.updating && allocation.spec.enabled && !allocation.deleting) {
    RollOut(allocation, at);
    RefreshStatus(allocation_id, at);
    return;
  }
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
  RefreshStatus(allocation_id, at);
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
  counters_.status_cache_origin =
      Time(Duration(read("status_cache_origin", clock_.Now().time_since_epoch().count())));
}

void World::SaveCounters(Time now) {
  store_.PutMeta("now", std::to_string(now.time_since_epoch().count()));
  store_.PutMeta("next_seq", std::to_string(counters_.next_seq));
  store_.PutMeta("next_game_port", std::to_string(counters_.next_game_port));
  store_.PutMeta("id_draws", std::to_string(counters_.ids.draws()));
  store_.PutMeta("status_cache_origin",
                 std::to_string(counters_.status_cache_origin.time_since_epoch().count()));
}

Status World::Open(const Fixture& fixture) {
  MutexLock lock(mu_);
  next_forget_known_ = false;
  if (store_.HoldsWorld()) {
    LoadCounters();
    next_timer_ = store_.NextTimer();
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
      for (PayloadObserver* observer : observers_) observer->OnPayloadAdded(p);
      return true;
    });
    return OkStatus();
  }
  counters_.status_cache_origin = clock_.Now();
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
// The status cache (the journal and snapshots: world_journal.cc; images:
// world_images.cc)

StatusCache World::StatusCacheLocked() const {
  StatusCache cache = options_.status_cache;
  cache.origin = counters_.status_cache_origin;
  return cache;
}

StatusCache World::status_cache() {
  MutexLock lock(mu_);
  return StatusCacheLocked();
}

}  // namespace imsemu::core
