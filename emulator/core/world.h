// World: the emulated IMS, an aggregate behind one lock.
//
// The rules it applies are pure functions in their own files (lifecycle.h,
// control_loop.h, reservation.h, status_cache.h); the world holds the state,
// the one transaction path (through its CommitGroup, commit_group.h) and the
// timers. Its operations are implemented by surface: world.cc (transactions,
// timers, lifecycle steps, fixtures), world_orchestration.cc,
// world_game_servers.cc, world_sessions.cc, world_journal.cc (the journal,
// snapshots) and world_images.cc (captures and restores of the whole world).
//
// Every operation runs under the world's mutex: it first applies every timer
// that is due (in deadline order, each at its own instant, with the control
// loop converging after each), then validates, then mutates inside one store
// transaction. A failed operation changes nothing. Every change appends to the
// journal. The world never sleeps and never arms real timers: callers make
// time pass by moving the clock and calling Reconcile(). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/allocation.h"
#include "emulator/core/commit_group.h"
#include "emulator/core/event.h"
#include "emulator/core/lifecycle.h"
#include "emulator/core/payload.h"
#include "emulator/core/reservation.h"
#include "emulator/core/status_cache.h"
#include "emulator/core/world_store.h"
#include "emulator/util/id_source.h"
#include "emulator/util/mutex.h"

namespace imsemu::core {

struct WorldOptions {
  uint64_t seed = 1;
  std::string advertise_address = "127.0.0.1";
  int game_port_first = 30000;  // fake external ports handed out in order
  int game_port_last = 32767;
  LifecycleTimings timings;
  StatusCache status_cache;  // its origin is the world's own (set when it is first created)
  // When set, picks the host port of each named port of allocations that run
  // a real game server (payload_spec.command), instead of the fake range.
  std::function<int()> pick_game_port;
  // When set, picks the port of each new payload's own Payload Local API.
  std::function<int()> pick_api_port;
  // Each new payload's Payload Local API starts down for this long (a
  // sidecar that comes up after the game server: `ims-emulator check`).
  Duration new_payload_api_down{0};
  // Group commit (for a store whose commits are writes to a file): see
  // World::DeferCommits().
  bool group_commit = false;
  // How long a deleted allocation stays listed (as Deleted) once drained.
  Duration keep_deleted{std::chrono::hours(1)};
};

struct AllocationFixture {
  std::optional<std::string> id;
  AllocationSpec spec;
};
struct ProjectFixture {
  std::string id;
  std::vector<AllocationFixture> allocations;
};
struct Fixture {
  std::vector<ProjectFixture> projects;
};

// Told, under the world's lock, after each committed change that adds,
// (re)starts or removes payloads, in that order: removals, additions, starts.
// Must not call back into the world.
class PayloadObserver {
 public:
  virtual ~PayloadObserver() = default;
  virtual void OnPayloadAdded(const Payload& /*payload*/) {}
  // The payload entered Starting (when created, and after each restart): its
  // game server should be launched now.
  virtual void OnPayloadStarted(const Payload& /*payload*/, const Allocation& /*allocation*/) {}
  virtual void OnPayloadRemoved(const std::string& /*payload_id*/) {}
  // Its Payload Local API stops answering, or answers again.
  virtual void OnPayloadApiDown(const std::string& /*payload_id*/) {}
  virtual void OnPayloadApiUp(const std::string& /*payload_id*/) {}
};

// A session as List Sessions shows it: the status is what the cache shows.
struct SessionView {
  std::string id;
  std::string address;
  std::vector<Port> ports;
  StringMap session_status;
};

struct WorldSnapshot {
  Time now;
  // The earliest deadline armed, or status-cache refresh that shows clients
  // a status they do not see yet (World::NextTimer).
  std::optional<Time> next_timer;
  StatusCache status_cache;
  std::vector<std::string> projects;
  std::vector<Allocation> allocations;
  std::vector<Payload> payloads;
};

// A whole world at one instant: what an export, an import and a named
// snapshot carry. With the streams the world hands out from, so that a
// restored world goes on exactly as the captured one would have.
struct WorldImage {
  Time now;
  std::vector<std::string> projects;
  std::vector<Allocation> allocations;
  std::vector<Payload> payloads;
  uint64_t id_draws = 0;
  long long next_seq = 1;
  int next_game_port = 0;
  Time status_cache_origin;
  long long journal_seq = 0;  // where the journal stood (read only)
};

class World {
 public:
  World(WorldStore& store, const Clock& clock, WorldOptions options);
  // Commits a group left open (none is, once every request has ended).
  ~World();

  // Observers are told in the order they were added.
  void AddObserver(PayloadObserver* observer);
  void ClearObservers();
  // Called for every event journalled (to log it), under the world's lock,
  // once its transaction has committed.
  void SetEventSink(std::function<void(const Event&)> sink);

  // Resumes the world the store holds, or loads `fixture` into an empty one.
  // InvalidArgument if the fixture breaks a rule.
  Status Open(const Fixture& fixture);
  // Removes every project, allocation and payload and loads `fixture` again.
  // The journal and the id stream go on (ids are never reused in a run).
  Status Reset(const Fixture& fixture);
  // Applies everything due at the clock's current time.
  void Reconcile();
  // Applies everything due and records the clock's time in the store, so a
  // resumed virtual clock goes on from here.
  void ReconcileAndSaveClock();

  const WorldOptions& options() const { return options_; }

  // --- Group commit (WorldOptions::group_commit) ----------------------------
  // A request's thread calls DeferCommits() before it is handled and
  // CommitDeferred() before it is answered. In between, its changes stay in
  // the open transaction, where the changes of concurrent requests join
  // them, and they are written together: one commit for many. Observers and
  // the event sink hear of them once they are committed.
  // CommitDeferred() commits whatever is open, so nothing this request saw is
  // answered before it is stored, and returns the error when the group its
  // changes joined failed to commit (all of the group's changes are undone,
  // as any failed change is). Without group_commit both do nothing.
  void DeferCommits();
  Status CommitDeferred() IMSEMU_EXCLUDES(mu_);

  // --- Orchestration -------------------------------------------------------
  // NotFound if the project is unknown (CreateAllocation creates it).
  StatusOr<std::vector<Allocation>> ListAllocations(const std::string& project);
  StatusOr<Allocation> CreateAllocation(const std::string& project, AllocationSpec spec);
  StatusOr<Allocation> GetAllocation(const std::string& project, const std::string& id);
  StatusOr<Allocation> ReplaceAllocation(const std::string& project, const std::string& id,
                                         AllocationSpec spec);
  // Starts draining; the allocation disappears when its last payload does.
  StatusOr<Allocation> DeleteAllocation(const std::string& project, const std::string& id);
  StatusOr<std::vector<Payload>> ListPayloads(const std::string& project,
                                              const std::string& allocation);
  StatusOr<Payload> GetPayloadOf(const std::string& project, const std::string& allocation,
                                 const std::string& id);
  // FailedPrecondition for a Reserved payload unless `force`.
  Status DeletePayload(const std::string& project, const std::string& allocation,
                       const std::string& id, bool force);
  // FailedPrecondition when nothing matches.
  StatusOr<Payload> Reserve(const std::string& project, const std::string& allocation,
                            const ReservationRequest& request);

  // --- Payload Local API (the game server's view) ---------------------------
  StatusOr<Payload> GetPayload(const std::string& id);
  // Starting -> Ready; Ready and Reserved answer OK unchanged.
  StatusOr<Payload> MarkReady(const std::string& id);
  Status SetMetadata(const std::string& id, MetadataKind kind, const std::string& key,
                     const std::string& value, Actor actor);
  StatusOr<std::optional<std::string>> GetSessionConfig(const std::string& id);
  StatusOr<StringMap> GetSessionStatus(const std::string& id);
  // Replaces the status; `null_keys` are journalled as warnings.
  Status SetSessionStatus(const std::string& id, StringMap status,
                          const std::vector<std::string>& null_keys);

  // --- Session Manager ------------------------------------------------------
  // NotFound: unknown project or no allocation with that session_type;
  // ResourceExhausted: no Ready payload free.
  StatusOr<Payload> CreateSession(const std::string& project, const std::string& session_type,
                                  std::optional<std::string> session_config);
  StatusOr<std::vector<SessionView>> ListSessions(const std::string& project,
                                                  const std::string& session_type);

  // --- Control --------------------------------------------------------------
  // The game-server process ended as `exit` (the journal's state change
  // carries it); `reason`, when given, replaces the default details (e.g. why
  // the command could not start).
  StatusOr<Payload> ExitPayload(const std::string& id, const ProcessExit& exit,
                                const std::string& reason = "");
  // Journals lines a game server printed (level "debug").
  void RecordOutput(const std::string& id, const std::vector<std::string>& lines);
  // Blocks until the journal holds an event after `seq` or `timeout` passes
  // (real time: for waiting on real processes). Returns the last seq.
  long long AwaitEvents(long long seq, std::chrono::milliseconds timeout);
  // When the earliest armed timer or API outage falls due, or the status
  // cache next shows clients a status they do not see yet (nullopt: none).
  std::optional<Time> NextTimer();
  // When the earliest armed timer or API outage falls due (nullopt: none),
  // leaving out the status cache's refreshes: for a caller that moves time
  // itself and reads statuses as they are shown (rehearse). O(1).
  std::optional<Time> NextPayloadDeadline();
  // The seq of the newest event in the journal (0: none).
  long long JournalEnd();
  // Forces `state`, disarming any timer (for reproducing bugs).
  StatusOr<Payload> ForceState(const std::string& id, PayloadState state);
  // Its Payload Local API answers nothing for `d` (> 0) from now: a sidecar
  // that comes up late. Taking it down again moves the end.
  Status TakePayloadApiDown(const std::string& id, Duration d);
  WorldSnapshot Snapshot();
  // The whole world now (timers due first applied).
  WorldImage Capture();
  // Replaces the world with `image` in one transaction, ids and ports to come
  // included; observers are told of every payload removed and added, and the
  // journal (history) goes on with a world.restored event. The clock is the
  // caller's to set first. InvalidArgument if the image breaks a rule.
  Status Restore(const WorldImage& image, const std::string& detail);
  // Opens an empty store on `image` and its `journal` (an import at start);
  // FailedPrecondition if the store already holds a world.
  Status OpenFrom(const WorldImage& image, const std::vector<Event>& journal);
  std::vector<Event> Events(long long after, int limit);
  // The whole journal, oldest first, as it stands (one consistent read).
  std::vector<Event> Journal();
  // How List Sessions lags status updates (fixed once the world is open).
  StatusCache status_cache() IMSEMU_EXCLUDES(mu_);

 private:
  // What a transaction tells observers and the event sink once it commits.
  struct Pending {
    std::vector<Payload> added;
    // Payloads to launch: new ones by their index in `added`, restarted ones
    // as they are. The allocation is shared: a whole fleet starts from one
    // (100,000 copies of each otherwise).
    std::vector<std::pair<size_t, std::shared_ptr<const Allocation>>> started;
    std::vector<std::pair<Payload, std::shared_ptr<const Allocation>>> restarted;
    std::vector<std::string> removed;
    std::vector<std::string> api_down;
    std::vector<std::string> api_up;
    std::vector<Event> events;
  };
  // Everything the world hands out in order, and the status cache's origin:
  // stored with every commit and rolled back with the store.
  struct Counters {
    IdSource ids{1};
    long long next_seq = 1;
    int next_game_port = 0;
    long long journal_seq = 0;
    Time status_cache_origin;
  };

  // Tells observers and the event sink what committed. mu_ held.
  void Deliver(const Pending& committed) IMSEMU_REQUIRES(mu_);
  // The status cache, with the world's origin. mu_ held.
  StatusCache StatusCacheLocked() const IMSEMU_REQUIRES(mu_);
  // Applies the timers due at the clock's time; returns that time. mu_ held.
  Time Prepare() IMSEMU_REQUIRES(mu_);
  // The one transaction: runs `op` at `now` as a step of the commit group
  // and commits it (now, or under group commit by the request's
  // CommitDeferred()); on any failure rolls back the store and the counters,
  // so a failed operation changes nothing. Observers and the event sink hear
  // what committed. mu_ held.
  Status Transact(Time now, const std::function<Status(Time)>& op) IMSEMU_REQUIRES(mu_);
  // Prepare(), then Transact(). mu_ held.
  Status Mutate(const std::function<Status(Time)>& op) IMSEMU_REQUIRES(mu_);
  // Locks, then Mutate(); returns what `op` returned.
  template <typename T>
  StatusOr<T> Locked(const std::function<StatusOr<T>(Time)>& op) IMSEMU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    std::optional<T> out;
    IMSEMU_RETURN_IF_ERROR(Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
      IMSEMU_ASSIGN_OR_RETURN(out, op(now));
      return OkStatus();
    }));
    return *std::move(out);
  }
  void ApplyDue(Time now) IMSEMU_REQUIRES(mu_);
  void ApplyTimer(Payload payload) IMSEMU_REQUIRES(mu_);
  Status LoadFixture(const Fixture& fixture, Time now) IMSEMU_REQUIRES(mu_);
  WorldSnapshot SnapshotLocked() IMSEMU_REQUIRES(mu_);
  // The earliest armed timer, or the earliest moment the status cache shows
  // clients a status they do not see yet at `now`.
  std::optional<Time> NextDeadlineLocked(Time now) IMSEMU_REQUIRES(mu_);
  // Writes `image` into an emptied store and takes its counters. mu_ held.
  Status PutImage(const WorldImage& image) IMSEMU_REQUIRES(mu_);
  StatusOr<Allocation> AddAllocation(const std::string& project, std::optional<std::string> id,
                                     AllocationSpec spec, Time now) IMSEMU_REQUIRES(mu_);
  StatusOr<Allocation> FindAllocation(const std::string& project, const std::string& id)
      IMSEMU_REQUIRES(mu_);
  // Finds the allocation, applies `change`, journals `kind` and converges.
  StatusOr<Allocation> UpdateAllocation(const std::string& project, const std::string& id,
                                        EventKind kind,
                                        const std::function<Status(Allocation&, Event&)>& change);
  StatusOr<Payload> FindPayload(const std::string& id) IMSEMU_REQUIRES(mu_);
  // A payload of `allocation` by id; NotFound if it is another's.
  StatusOr<Payload> FindPayloadOf(const std::string& project, const std::string& allocation,
                                  const std::string& id) IMSEMU_REQUIRES(mu_);
  // Chooses by the request's selectors and reserves (see reservation.h).
  // Remembers who reserved from `allocation`; the first time both the
  // Session Manager and an orchestration caller have, journals a warning.
  void NoteReserver(const Allocation& allocation, Actor actor, Time now) IMSEMU_REQUIRES(mu_);
  StatusOr<Payload> ReserveIn(const Allocation& allocation, const ReservationRequest& request,
                              Actor actor, Time now) IMSEMU_REQUIRES(mu_);
  // Why `allocation` has no Ready payload to give: how many payloads are in
  // which state, and what would make one Ready.
  std::string WhyNoneReady(const Allocation& allocation) IMSEMU_REQUIRES(mu_);
  // Applies `request` to `payload` and journals it; the caller stores it.
  void ReservePayload(Payload& payload, const ReservationRequest& request, Actor actor,
                      const std::string& detail, Time at) IMSEMU_REQUIRES(mu_);
  void Converge(const std::string& allocation_id, Time at) IMSEMU_REQUIRES(mu_);
  // The same, for `allocation` as it is stored now.
  void Converge(const Allocation& allocation, Time at) IMSEMU_REQUIRES(mu_);
  void CreatePayload(const std::shared_ptr<const Allocation>& allocation, Time at)
      IMSEMU_REQUIRES(mu_);
  // Applies an exit to the allocation's runs of failures: `streak`
  // (lifecycle.h) to its crash streak, and a failure (`before_ready`, or a
  // crash) to its failures since one was Ready.
  void NoteExit(const std::string& allocation_id, CrashStreak streak, bool before_ready, Time at)
      IMSEMU_REQUIRES(mu_);
  // One of the allocation's game servers is Ready: it has run, and its
  // failed starts are over.
  void NoteReady(const std::string& allocation_id) IMSEMU_REQUIRES(mu_);
  // One step of rolling out the allocation's revision: old payloads not yet
  // Ready go, new ones are created up to the buffer (surge), and old Ready
  // ones go as far as the Ready count stays at the buffer; the rollout ends
  // when no unreserved payload of an older revision is left.
  void RollOut(const Allocation& allocation, Time at) IMSEMU_REQUIRES(mu_);
  // After a change to an allocation or its payloads: marks a deleted one that
  // has drained as deleted, and journals its status when it changed.
  void RefreshStatus(const std::string& allocation_id, Time at) IMSEMU_REQUIRES(mu_);
  // Removes the Deleted allocations kept for keep_deleted by `now`.
  void ForgetDeleted(Time now) IMSEMU_REQUIRES(mu_);
  void RemovePayload(const Payload& payload, Actor actor, const std::string& detail, Time at)
      IMSEMU_REQUIRES(mu_);
  void SetState(Payload& payload, PayloadState to, Actor actor, const std::string& detail, Time at,
                std::optional<ProcessExit> exit = std::nullopt) IMSEMU_REQUIRES(mu_);
  // Arms the payload's one timer.
  static void Arm(Payload& payload, TimerKind kind, Time at);
  void AfterStart(Payload& payload, const Allocation& allocation, Time at) IMSEMU_REQUIRES(mu_);
  void BecomeReady(Payload& payload, const Allocation& allocation, Actor actor, Time at)
      IMSEMU_REQUIRES(mu_);
  void Journal(Event event) IMSEMU_REQUIRES(mu_);
  void LoadCounters() IMSEMU_REQUIRES(mu_);
  // The counters, and `now` as the clock's last time.
  void SaveCounters(Time now) IMSEMU_REQUIRES(mu_);

  WorldStore& store_;
  const Clock& clock_;
  const WorldOptions options_;
  Mutex mu_;
  std::vector<PayloadObserver*> observers_ IMSEMU_GUARDED_BY(mu_);
  CondVar journal_grew_{mu_};
  std::function<void(const Event&)> event_sink_ IMSEMU_GUARDED_BY(mu_);
  Counters counters_ IMSEMU_GUARDED_BY(mu_);
  std::optional<Time> next_timer_ IMSEMU_GUARDED_BY(mu_);
  // When the first Deleted allocation is to go (known_ false: not known, the
  // allocations are read again to find it).
  std::optional<Time> next_forget_ IMSEMU_GUARDED_BY(mu_);
  bool next_forget_known_ IMSEMU_GUARDED_BY(mu_) = false;
  Pending pending_ IMSEMU_GUARDED_BY(mu_);
  CommitGroup commits_ IMSEMU_GUARDED_BY(mu_);
  Counters counters_at_group_ IMSEMU_GUARDED_BY(mu_);  // as the open group found them
};

}  // namespace imsemu::core
