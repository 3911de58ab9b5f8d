#include "emulator/core/world.h"

#include <algorithm>
#include <set>

#include "emulator/core/control_loop.h"

namespace imsemu::core {
namespace {

constexpr int kMaxTimersPerReconcile = 1000000;

constexpr const char* kActorGameServer = "game-server";
constexpr const char* kActorOrchestration = "orchestration";
constexpr const char* kActorSessionManager = "session-manager";
constexpr const char* kActorControl = "control";
constexpr const char* kActorControlLoop = "control-loop";
constexpr const char* kActorEmulator = "emulator";

Event NewEvent(std::string kind, std::string actor, Time at, std::string project_id,
               std::string allocation_id) {
  Event e;
  e.time = at;
  e.kind = std::move(kind);
  e.actor = std::move(actor);
  e.project_id = std::move(project_id);
  e.allocation_id = std::move(allocation_id);
  return e;
}

Event PayloadEvent(const Payload& p, std::string kind, std::string actor, Time at) {
  Event e = NewEvent(std::move(kind), std::move(actor), at, p.project_id, p.allocation_id);
  e.payload_id = p.id;
  return e;
}

Event AllocationEvent(const Allocation& a, std::string kind, std::string actor, Time at) {
  return NewEvent(std::move(kind), std::move(actor), at, a.project_id, a.id);
}

}  // namespace

World::World(WorldStore& store, const Clock& clock, WorldOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), ids_(options_.seed) {
  next_game_port_ = options_.game_port_first;
}

void World::AddObserver(PayloadObserver* observer) {
  std::lock_guard lock(mu_);
  observers_.push_back(observer);
}

void World::ClearObservers() {
  std::lock_guard lock(mu_);
  observers_.clear();
}

void World::SetEventSink(std::function<void(const Event&)> sink) {
  std::lock_guard lock(mu_);
  event_sink_ = std::move(sink);
}

// ----------------------------------------------------------------------------
// Transactions and timers

Time World::Prepare() {
  const Time now = clock_.Now();
  ApplyDue(now);
  return now;
}

Status World::Mutate(const std::function<Status(Time)>& op) {
  const Time now = Prepare();
  store_.Begin();
  Status status = op(now);
  if (status.ok()) {
    SaveCounters();
    store_.PutMeta("now", std::to_string(now.time_since_epoch().count()));
    status = store_.Commit();
  } else {
    store_.Rollback();
  }
  if (!status.ok()) {
    added_.clear();
    started_.clear();
    removed_.clear();
    return status;
  }
  Notify();
  next_timer_ = store_.NextTimer();
  return OkStatus();
}

void World::Notify() {
  for (PayloadObserver* observer : observers_) {
    // Removals first: a replacement may take over the removed one's port.
    for (const std::string& id : removed_) observer->OnPayloadRemoved(id);
    for (const Payload& p : added_) observer->OnPayloadAdded(p);
    for (const auto& [p, a] : started_) observer->OnPayloadStarted(p, a);
  }
  added_.clear();
  started_.clear();
  removed_.clear();
  journal_grew_.notify_all();
}

void World::ApplyDue(Time now) {
  if (!next_timer_ || *next_timer_ > now) return;
  next_timer_.reset();  // Mutate below must not recurse into ApplyDue
  store_.Begin();
  for (int i = 0; i < kMaxTimersPerReconcile; ++i) {
    std::optional<Payload> due = store_.NextDuePayload(now);
    if (!due) break;
    ApplyTimer(std::move(*due));
  }
  SaveCounters();
  store_.PutMeta("now", std::to_string(now.time_since_epoch().count()));
  if (!store_.Commit().ok()) {
    added_.clear();
    started_.clear();
    removed_.clear();
  }
  Notify();
  next_timer_ = store_.NextTimer();
}

void World::Reconcile() {
  std::lock_guard lock(mu_);
  Prepare();
}

void World::ReconcileAndSaveClock() {
  std::lock_guard lock(mu_);
  const Time now = Prepare();
  store_.Begin();
  store_.PutMeta("now", std::to_string(now.time_since_epoch().count()));
  (void)store_.Commit();  // only a resume's start time depends on it
}

void World::ApplyTimer(Payload p) {
  const Time at = p.timer_at;
  const TimerKind kind = p.timer;
  p.timer = TimerKind::kNone;
  std::optional<Allocation> allocation = store_.GetAllocation(p.allocation_id);
  switch (kind) {
    case TimerKind::kNone:
      break;
    case TimerKind::kAutoReady:
      if (p.state == PayloadState::kStarting && allocation) {
        BecomeReady(p, *allocation, kActorGameServer, at);
      }
      break;
    case TimerKind::kRestart:
    case TimerKind::kStart:
      SetState(p, PayloadState::kStarting, kActorEmulator,
               kind == TimerKind::kRestart ? "restarted after back-off"
                                           : "started after the allocation's crash back-off",
               at);
      p.started = at;
      if (allocation) {
        AfterStart(p, *allocation, at);
        started_.emplace_back(p, *allocation);
      }
      break;
    case TimerKind::kShutdown:
      SetState(p, PayloadState::kShutdown, kActorEmulator, p.details, at);
      p.timer = TimerKind::kRemove;
      p.timer_at = at + options_.timings.shutdown_linger;
      break;
    case TimerKind::kRemove:
      RemovePayload(p, kActorEmulator, "shut down", at);
      Converge(p.allocation_id, at);
      return;
    case TimerKind::kAutoReserve:
      if (p.state == PayloadState::kReady && allocation && allocation->spec.auto_reserve) {
        const AutoReserve& auto_reserve = *allocation->spec.auto_reserve;
        p.state = PayloadState::kReserved;
        p.last_reserved = at;
        for (const auto& [k, v] : auto_reserve.labels) p.labels[k] = v;
        for (const auto& [k, v] : auto_reserve.annotations) p.annotations[k] = v;
        if (auto_reserve.session_config) p.session_config = auto_reserve.session_config;
        Event e = PayloadEvent(p, "payload.state", kActorEmulator, at);
        e.old_state = "Ready";
        e.new_state = "Reserved";
        e.detail = "auto-reserved";
        Journal(std::move(e));
      }
      break;
  }
  store_.PutPayload(p);
  Converge(p.allocation_id, at);
}

// ----------------------------------------------------------------------------
// Payload lifecycle helpers (inside a transaction)

void World::Journal(Event event) {
  if (event_sink_) event_sink_(event);
  journal_seq_ = store_.AppendEvent(event);
}

void World::SetState(Payload& p, PayloadState to, const std::string& actor,
                     const std::string& detail, Time at) {
  Event e = PayloadEvent(p, "payload.state", actor, at);
  e.old_state = PayloadStateName(p.state);
  e.new_state = PayloadStateName(to);
  e.detail = detail;
  p.state = to;
  Journal(std::move(e));
}

void World::AfterStart(Payload& p, const Allocation& allocation, Time at) {
  p.timer = TimerKind::kNone;
  if (!allocation.spec.auto_ready) return;
  if (allocation.spec.auto_ready_delay.count() == 0) {
    BecomeReady(p, allocation, kActorGameServer, at);
  } else {
    p.timer = TimerKind::kAutoReady;
    p.timer_at = at + allocation.spec.auto_ready_delay;
  }
}

void World::BecomeReady(Payload& p, const Allocation& allocation, const std::string& actor,
                        Time at) {
  SetState(p, PayloadState::kReady, actor, "", at);
  p.details.clear();
  p.restarts = 0;
  p.timer = TimerKind::kNone;
  if (allocation.spec.auto_reserve) {
    p.timer = TimerKind::kAutoReserve;
    p.timer_at = at + allocation.spec.auto_reserve->after;
  }
}

void World::CreatePayload(const Allocation& allocation, Time at) {
  Payload p;
  do {
    p.id = ids_.NextPayloadId();
  } while (store_.GetPayload(p.id).has_value());
  p.project_id = allocation.project_id;
  p.allocation_id = allocation.id;
  p.seq = next_seq_++;
  p.state = PayloadState::kStarting;
  p.address = options_.advertise_address;
  const bool real_game_server =
      !allocation.spec.payload_spec.command.empty() && options_.pick_game_port;
  for (const PortSpec& spec : allocation.spec.payload_spec.ports) {
    if (real_game_server) {
      p.ports.push_back({spec.name, options_.pick_game_port()});
      continue;
    }
    p.ports.push_back({spec.name, next_game_port_});
    next_game_port_ =
        next_game_port_ >= options_.game_port_last ? options_.game_port_first : next_game_port_ + 1;
  }
  p.created = at;
  const Duration wait =
      CrashBackoff(options_.timings, allocation.crash_streak, allocation.last_crash, at);
  Event e = PayloadEvent(p, "payload.created", kActorControlLoop, at);
  if (wait.count() > 0) {
    // A crash loop: the replacement waits, costing no process.
    p.state = PayloadState::kCreating;
    p.timer = TimerKind::kStart;
    p.timer_at = at + wait;
    e.new_state = "Creating";
    e.detail = std::to_string(allocation.crash_streak) +
               " game servers crashed after Ready in a row; starting in " +
               std::to_string(wait.count()) + " ms";
    Journal(std::move(e));
    store_.PutPayload(p);
    added_.push_back(p);
    return;
  }
  p.started = at;
  e.new_state = "Starting";
  Journal(std::move(e));
  AfterStart(p, allocation, at);
  store_.PutPayload(p);
  added_.push_back(p);
  started_.emplace_back(p, allocation);
}

void World::NoteExit(const std::string& allocation_id, bool crashed, Time at) {
  std::optional<Allocation> a = store_.GetAllocation(allocation_id);
  if (!a) return;
  if (crashed) {
    const bool in_a_row = a->crash_streak > 0 && at - a->last_crash < options_.timings.crash_memory;
    a->crash_streak = in_a_row ? a->crash_streak + 1 : 1;
    a->last_crash = at;
  } else if (a->crash_streak > 0) {
    a->crash_streak = 0;  // a game server that ends well ends the loop
  } else {
    return;
  }
  store_.PutAllocation(*a);
}

void World::RemovePayload(const Payload& p, const std::string& actor, const std::string& detail,
                          Time at) {
  Event e = PayloadEvent(p, "payload.removed", actor, at);
  e.old_state = PayloadStateName(p.state);
  e.detail = detail;
  Journal(std::move(e));
  store_.DeletePayload(p.id);
  removed_.push_back(p.id);
}

void World::Converge(const std::string& allocation_id, Time at) {
  std::optional<Allocation> allocation = store_.GetAllocation(allocation_id);
  if (!allocation) return;
  const ScalePlan plan = PlanScale(*allocation, store_.CountPayloads(allocation_id));
  for (int i = 0; i < plan.create; ++i) CreatePayload(*allocation, at);
  if (plan.remove > 0) {
    std::vector<Payload> victims;
    store_.VisitPayloads(allocation_id, std::nullopt, [&](const Payload& p) {
      if (p.forced) return true;  // forced states stick
      if (p.state == PayloadState::kReady || p.state == PayloadState::kStarting ||
          p.state == PayloadState::kCreating || p.state == PayloadState::kError) {
        victims.push_back(p);
      }
      return true;
    });
    // Payloads not yet Ready go first, then the newest.
    std::stable_sort(victims.begin(), victims.end(), [](const Payload& a, const Payload& b) {
      const bool a_ready = a.state == PayloadState::kReady;
      const bool b_ready = b.state == PayloadState::kReady;
      if (a_ready != b_ready) return !a_ready;
      return a.seq > b.seq;
    });
    const char* why = allocation->deleting ? "allocation deleted" : "scaled down";
    for (int i = 0; i < plan.remove && i < static_cast<int>(victims.size()); ++i) {
      RemovePayload(victims[i], kActorControlLoop, why, at);
    }
  }
  if (allocation->deleting && store_.CountPayloads(allocation_id).total == 0) {
    Event e = AllocationEvent(*allocation, "allocation.deleted", kActorControlLoop, at);
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
  next_seq_ = read("next_seq", 1);
  next_game_port_ = static_cast<int>(read("next_game_port", options_.game_port_first));
  ids_ = IdSource(options_.seed, static_cast<uint64_t>(read("id_draws", 0)));
  options_.status_cache.origin =
      Time(Duration(read("status_cache_origin", clock_.Now().time_since_epoch().count())));
}

void World::SaveCounters() {
  store_.PutMeta("next_seq", std::to_string(next_seq_));
  store_.PutMeta("next_game_port", std::to_string(next_game_port_));
  store_.PutMeta("id_draws", std::to_string(ids_.draws()));
  store_.PutMeta("status_cache_origin",
                 std::to_string(options_.status_cache.origin.time_since_epoch().count()));
}

Status World::Open(const Fixture& fixture) {
  std::lock_guard lock(mu_);
  if (store_.HoldsWorld()) {
    LoadCounters();
    next_timer_ = store_.NextTimer();
    added_.clear();
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) {
      for (PayloadObserver* observer : observers_) observer->OnPayloadAdded(p);
      return true;
    });
    return OkStatus();
  }
  options_.status_cache.origin = clock_.Now();
  return Mutate([&](Time now) { return LoadFixture(fixture, now); });
}

Status World::Reset(const Fixture& fixture) {
  std::lock_guard lock(mu_);
  // One transaction: a fixture that breaks a rule leaves the world as it was.
  return Mutate([&](Time now) -> Status {
    store_.VisitPayloads("", std::nullopt, [&](const Payload& p) {
      removed_.push_back(p.id);
      return true;
    });
    store_.Clear();
    Journal(NewEvent("world.reset", kActorControl, now, "", ""));
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
      IMSEMU_ASSIGN_OR_RETURN(Allocation added, AddAllocation(project.id, a.id, a.spec, now));
    }
  }
  return OkStatus();
}

// ----------------------------------------------------------------------------
// Orchestration

StatusOr<Allocation> World::AddAllocation(const std::string& project, std::optional<std::string> id,
                                          AllocationSpec spec, Time now) {
  IMSEMU_RETURN_IF_ERROR(ValidateAllocationSpec(spec));
  Allocation a;
  a.id = id ? *id : ids_.NextUuid();
  if (a.id.empty()) return InvalidArgument("allocation id must not be empty");
  if (store_.GetAllocation(a.id)) {
    return AlreadyExists("allocation '" + a.id + "' already exists");
  }
  a.project_id = project;
  a.seq = next_seq_++;
  a.created = now;
  a.spec = std::move(spec);
  if (!store_.HasProject(project)) store_.PutProject(project);
  store_.PutAllocation(a);
  Event e = AllocationEvent(a, "allocation.created", kActorOrchestration, now);
  e.detail = a.spec.name;
  Journal(std::move(e));
  Converge(a.id, now);
  return a;
}

StatusOr<Allocation> World::FindAllocation(const std::string& project, const std::string& id) {
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  std::optional<Allocation> a = store_.GetAllocation(id);
  if (!a || a->project_id != project) {
    return NotFound("allocation '" + id + "' not found in project '" + project + "'");
  }
  return *a;
}

StatusOr<Payload> World::FindPayload(const std::string& id) {
  std::optional<Payload> p = store_.GetPayload(id);
  if (!p) return NotFound("payload '" + id + "' not found");
  return *p;
}

StatusOr<std::vector<Allocation>> World::ListAllocations(const std::string& project) {
  std::lock_guard lock(mu_);
  Prepare();
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  return store_.ListAllocations(project);
}

StatusOr<Allocation> World::CreateAllocation(const std::string& project, AllocationSpec spec) {
  std::lock_guard lock(mu_);
  Allocation out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a,
                            AddAllocation(project, std::nullopt, std::move(spec), now));
    out = std::move(a);
    return OkStatus();
  }));
  return out;
}

StatusOr<Allocation> World::GetAllocation(const std::string& project, const std::string& id) {
  std::lock_guard lock(mu_);
  Prepare();
  return FindAllocation(project, id);
}

StatusOr<Allocation> World::UpdateAllocation(const std::string& project, const std::string& id,
                                             const char* kind,
                                             const std::function<Status(Allocation&)>& change) {
  std::lock_guard lock(mu_);
  Allocation out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, id));
    IMSEMU_RETURN_IF_ERROR(change(a));
    store_.PutAllocation(a);
    Journal(AllocationEvent(a, kind, kActorOrchestration, now));
    Converge(id, now);
    out = std::move(a);
    return OkStatus();
  }));
  return out;
}

StatusOr<Allocation> World::ReplaceAllocation(const std::string& project, const std::string& id,
                                              AllocationSpec spec) {
  return UpdateAllocation(project, id, "allocation.replaced", [&](Allocation& a) -> Status {
    if (a.deleting) return FailedPrecondition("allocation '" + id + "' is being deleted");
    IMSEMU_RETURN_IF_ERROR(ValidateAllocationSpec(spec));
    a.spec = std::move(spec);
    return OkStatus();
  });
}

StatusOr<Allocation> World::DeleteAllocation(const std::string& project, const std::string& id) {
  return UpdateAllocation(project, id, "allocation.deleting", [](Allocation& a) {
    a.deleting = true;
    return OkStatus();
  });
}

StatusOr<std::vector<Payload>> World::ListPayloads(const std::string& project,
                                                   const std::string& allocation) {
  std::lock_guard lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, allocation));
  std::vector<Payload> out;
  store_.VisitPayloads(allocation, std::nullopt, [&](const Payload& p) {
    out.push_back(p);
    return true;
  });
  return out;
}

StatusOr<Payload> World::GetPayloadOf(const std::string& project, const std::string& allocation,
                                      const std::string& id) {
  std::lock_guard lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, allocation));
  StatusOr<Payload> p = FindPayload(id);
  if (!p.ok() || p->allocation_id != allocation) {
    return NotFound("payload '" + id + "' not found in allocation '" + allocation + "'");
  }
  return p;
}

Status World::DeletePayload(const std::string& project, const std::string& allocation,
                            const std::string& id, bool force) {
  std::lock_guard lock(mu_);
  return Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, allocation));
    StatusOr<Payload> p = FindPayload(id);
    if (!p.ok() || p->allocation_id != allocation) {
      return NotFound("payload '" + id + "' not found in allocation '" + allocation + "'");
    }
    if (p->state == PayloadState::kReserved && !force) {
      return FailedPrecondition("payload '" + id +
                                "' is Reserved; delete it with force_delete=true");
    }
    RemovePayload(*p, kActorOrchestration, force ? "force-deleted" : "deleted", now);
    Converge(allocation, now);
    return OkStatus();
  });
}

StatusOr<Payload> World::ReserveIn(const Allocation& allocation, const ReservationRequest& request,
                                   const std::string& actor, Time now) {
  IMSEMU_RETURN_IF_ERROR(ValidateReservation(request));
  if (allocation.deleting || !allocation.spec.enabled) {
    return FailedPrecondition("allocation '" + allocation.id + "' is " + allocation.StateName() +
                              " and takes no reservations");
  }
  std::vector<Selector> selectors = request.selectors;
  if (selectors.empty()) selectors.emplace_back();
  std::optional<Payload> chosen;
  size_t chosen_selector = 0;
  for (size_t i = 0; i < selectors.size() && !chosen; ++i) {
    store_.VisitPayloads(allocation.id, selectors[i].payload_state, [&](const Payload& p) {
      if (!Matches(selectors[i], p)) return true;
      chosen = p;
      chosen_selector = i;
      return false;
    });
  }
  if (!chosen) {
    return FailedPrecondition("no payload of allocation '" + allocation.id +
                              "' matches the reservation's selectors");
  }
  Payload& p = *chosen;
  const PayloadState old_state = p.state;
  p.state = PayloadState::kReserved;
  p.last_reserved = now;
  if (p.timer == TimerKind::kAutoReserve) p.timer = TimerKind::kNone;
  for (const auto& [k, v] : request.labels) p.labels[k] = v;
  for (const auto& [k, v] : request.annotations) p.annotations[k] = v;
  if (request.session_config) p.session_config = request.session_config;
  Event e = PayloadEvent(p, "payload.state", actor, now);
  e.old_state = PayloadStateName(old_state);
  e.new_state = "Reserved";
  e.detail = old_state == PayloadState::kReserved
                 ? "back-fill reservation (selector " + std::to_string(chosen_selector) + ")"
                 : "reserved (selector " + std::to_string(chosen_selector) + ")";
  Journal(std::move(e));
  store_.PutPayload(p);
  Converge(allocation.id, now);
  return p;
}

StatusOr<Payload> World::Reserve(const std::string& project, const std::string& allocation,
                                 const ReservationRequest& request) {
  std::lock_guard lock(mu_);
  Payload out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, allocation));
    IMSEMU_ASSIGN_OR_RETURN(Payload p, ReserveIn(a, request, kActorOrchestration, now));
    out = std::move(p);
    return OkStatus();
  }));
  return out;
}

// ----------------------------------------------------------------------------
// Payload Local API

StatusOr<Payload> World::GetPayload(const std::string& id) {
  std::lock_guard lock(mu_);
  Prepare();
  return FindPayload(id);
}

StatusOr<Payload> World::MarkReady(const std::string& id) {
  std::lock_guard lock(mu_);
  Payload out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    if (p.state == PayloadState::kReady || p.state == PayloadState::kReserved) {
      out = std::move(p);
      return OkStatus();  // ready is retried by game servers: idempotent
    }
    IMSEMU_RETURN_IF_ERROR(CheckTransition(p.state, PayloadState::kReady));
    std::optional<Allocation> a = store_.GetAllocation(p.allocation_id);
    if (!a) return Internal("payload '" + id + "' has no allocation");
    BecomeReady(p, *a, kActorGameServer, now);
    store_.PutPayload(p);
    Converge(a->id, now);
    out = std::move(p);
    return OkStatus();
  }));
  return out;
}

Status World::SetMetadata(const std::string& id, MetadataKind kind, const std::string& key,
                          const std::string& value, const std::string& actor) {
  std::lock_guard lock(mu_);
  return Mutate([&](Time now) -> Status {
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataKey("key", key));
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataValue("value", kind, value));
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    const bool label = kind == MetadataKind::kLabel;
    (label ? p.labels : p.annotations)[key] = value;
    Event e = PayloadEvent(p, label ? "payload.label" : "payload.annotation", actor, now);
    e.detail = key;
    Journal(std::move(e));
    store_.PutPayload(p);
    return OkStatus();
  });
}

StatusOr<std::optional<std::string>> World::GetSessionConfig(const std::string& id) {
  std::lock_guard lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
  return p.session_config;
}

StatusOr<StringMap> World::GetSessionStatus(const std::string& id) {
  std::lock_guard lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
  return p.LatestSessionStatus();
}

Status World::SetSessionStatus(const std::string& id, StringMap status,
                               const std::vector<std::string>& null_keys) {
  std::lock_guard lock(mu_);
  return Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    for (const std::string& key : null_keys) {
      Event w = PayloadEvent(p, "session.status.null", kActorGameServer, now);
      w.level = "warning";
      w.detail = "session status key '" + key + "' was null; stored as \"\"";
      Journal(std::move(w));
    }
    p.status_updates.push_back({now, std::move(status)});
    options_.status_cache.Prune(p.status_updates, now);
    Event e = PayloadEvent(p, "session.status", kActorGameServer, now);
    e.detail = std::to_string(p.LatestSessionStatus().size()) + " keys";
    Journal(std::move(e));
    store_.PutPayload(p);
    return OkStatus();
  });
}

// ----------------------------------------------------------------------------
// Session Manager

StatusOr<Payload> World::CreateSession(const std::string& project, const std::string& session_type,
                                       std::optional<std::string> session_config) {
  std::lock_guard lock(mu_);
  Payload out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
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
      Event w =
          AllocationEvent(matching.front(), "session.ambiguous_type", kActorSessionManager, now);
      w.level = "warning";
      w.detail = std::to_string(matching.size()) +
                 " allocations have session_type=" + session_type + "; using the first, '" +
                 matching.front().id + "'";
      Journal(std::move(w));
    }
    ReservationRequest request;
    request.session_config = std::move(session_config);
    StatusOr<Payload> p = ReserveIn(matching.front(), request, kActorSessionManager, now);
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kFailedPrecondition) {
        return ResourceExhausted("no Ready payload is free in allocation '" + matching.front().id +
                                 "' for session_type=" + session_type);
      }
      return p.status();
    }
    out = *std::move(p);
    return OkStatus();
  }));
  return out;
}

StatusOr<std::vector<SessionView>> World::ListSessions(const std::string& project,
                                                       const std::string& session_type) {
  std::lock_guard lock(mu_);
  const Time now = Prepare();
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  std::vector<Payload> reserved;
  bool any = false;
  for (const Allocation& a : store_.ListAllocations(project)) {
    if (a.spec.SessionType() != session_type) continue;
    any = true;
    store_.VisitPayloads(a.id, PayloadState::kReserved, [&](const Payload& p) {
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
  for (const Payload& p : reserved) {
    out.push_back({p.id, p.address, p.ports, options_.status_cache.Visible(p.status_updates, now)});
  }
  return out;
}

// ----------------------------------------------------------------------------
// Control

StatusOr<Payload> World::ExitPayload(const std::string& id, int code, const std::string& reason) {
  std::lock_guard lock(mu_);
  Payload out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    IMSEMU_ASSIGN_OR_RETURN(PayloadState next, StateAfterExit(p.state, code));
    const std::string code_text = "exit code " + std::to_string(code);
    switch (next) {
      case PayloadState::kError: {
        p.restarts++;
        const Duration backoff = RestartBackoff(options_.timings, p.restarts);
        p.details =
            (reason.empty() ? "game server exited before Ready (" + code_text + ")" : reason) +
            "; restart in " + std::to_string(backoff.count()) + " ms";
        SetState(p, PayloadState::kError, kActorGameServer, p.details, now);
        p.timer = TimerKind::kRestart;
        p.timer_at = now + backoff;
        break;
      }
      case PayloadState::kUnhealthy:
        NoteExit(p.allocation_id, /*crashed=*/true, now);
        p.details = reason.empty() ? "game server exited (" + code_text + ")" : reason;
        SetState(p, PayloadState::kUnhealthy, kActorGameServer, p.details, now);
        p.timer = TimerKind::kShutdown;
        p.timer_at = now + options_.timings.unhealthy_linger;
        break;
      default:
        if (code == 0) NoteExit(p.allocation_id, /*crashed=*/false, now);
        p.details = reason.empty() ? "game server exited (" + code_text + ")" : reason;
        SetState(p, PayloadState::kShutdown, kActorGameServer, p.details, now);
        p.timer = TimerKind::kRemove;
        p.timer_at = now + options_.timings.shutdown_linger;
    }
    store_.PutPayload(p);
    Converge(p.allocation_id, now);
    out = std::move(p);
    return OkStatus();
  }));
  return out;
}

StatusOr<Payload> World::ForceState(const std::string& id, PayloadState state) {
  std::lock_guard lock(mu_);
  Payload out;
  IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    SetState(p, state, kActorControl, "forced", now);
    p.timer = TimerKind::kNone;
    p.forced = true;
    if (state == PayloadState::kReserved) p.last_reserved = now;
    if (state == PayloadState::kStarting) p.started = now;
    store_.PutPayload(p);
    Converge(p.allocation_id, now);
    out = std::move(p);
    return OkStatus();
  }));
  return out;
}

void World::RecordOutput(const std::string& id, const std::vector<std::string>& lines) {
  std::lock_guard lock(mu_);
  (void)Mutate([&](Time now) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    for (const std::string& line : lines) {
      Event e = PayloadEvent(p, "payload.output", kActorGameServer, now);
      e.level = "debug";
      e.detail = line;
      Journal(std::move(e));
    }
    return OkStatus();
  });
}

long long World::AwaitEvents(long long seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  journal_grew_.wait_for(lock, timeout, [&] { return journal_seq_ > seq; });
  return journal_seq_;
}

WorldSnapshot World::Snapshot() {
  std::lock_guard lock(mu_);
  WorldSnapshot s;
  s.now = Prepare();
  s.projects = store_.ListProjects();
  s.allocations = store_.ListAllocations("");
  store_.VisitPayloads("", std::nullopt, [&](const Payload& p) {
    s.payloads.push_back(p);
    return true;
  });
  return s;
}

std::vector<Event> World::Events(long long after, int limit) {
  std::lock_guard lock(mu_);
  Prepare();
  return store_.ListEvents(after, limit);
}

}  // namespace imsemu::core
