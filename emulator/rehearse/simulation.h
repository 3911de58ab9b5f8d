// Simulation: one setting of a plan, run on the world's own rules.
//
// A core::World (the same allocation control loop, reservations, lifecycle
// and status cache as `serve`) over a MemoryWorldStore and a VirtualClock.
// The simulation stands in for players and game servers, calling the world
// as the Session Manager's and the Payload Local API's handlers do:
//   a player     -> CreateSession; refused (no Ready payload) -> retries
//                   `patience.retries` times `patience.every` apart, then
//                   gives up;
//   a game server, when its payload starts -> MarkReady after `ready_after`;
//                  when Reserved -> GetSessionConfig, SetSessionStatus
//                  {"phase": "playing"}; after its match -> ExitPayload with
//                  code 0, or, with `crash_probability`, code 1 at a uniform
//                  moment of the match (the player's session is lost);
//   a new build (plan.rollouts) -> ReplaceAllocation with a changed
//                  payload_spec, rolled out by the world; its game servers
//                  start in the build's ready_after.
// Time jumps from one event to the next (a player, a game server, or a
// timer the world armed), so a day takes as long as its events do. Every
// figure is computed from integers (milliseconds, payload-milliseconds), so
// the same plan and seed give the same result on any machine.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "emulator/core/world.h"
#include "emulator/rehearse/plan.h"

namespace imsemu::rehearse {

struct Percentiles {
  long long p50 = 0;
  long long p99 = 0;
};

// Payloads grouped as a studio pays for them.
enum class Group { kStarting, kReady, kReserved, kLeaving };
inline constexpr int kGroups = 4;
const char* GroupName(Group group);  // "starting", "ready", "reserved", "leaving"

// One slice of the run for the report's plots.
struct Bucket {
  long long start_ms = 0;
  long long length_ms = 0;
  int players = 0;   // first requests
  int requests = 0;  // retries included
  int refused = 0;
  // Payload-milliseconds in each group: / length_ms is the mean count.
  std::array<long long, kGroups> payload_ms{};
};

// One new build's rollout, as the run saw it: from the edit until the
// allocation is Running again (no unreserved server of an older build left)
// and a game server of the new build is Ready, whichever is later.
struct RolloutResult {
  long long at_ms = 0;
  std::optional<long long> running_ms;      // the allocation Running again
  std::optional<long long> first_ready_ms;  // the new build's first Ready server
  bool superseded = false;                  // the next build shipped before it was done
  long long requests = 0;                   // while it rolled out, retries included
  long long refused = 0;
  int peak_payloads = 0;  // at once, while it rolled out

  // When it was done; nullopt: still rolling out when the run (or it) ended.
  std::optional<long long> done_ms() const;
};

struct Result {
  Settings settings;
  long long sessions_requested = 0;  // players (first requests)
  long long requests = 0;            // retries counted as their own
  long long refused = 0;             // requests that found no Ready payload
  long long sessions_created = 0;
  long long players_gave_up = 0;
  long long matches_crashed = 0;
  Percentiles time_to_session_ms;      // first request to session, retries included
  Percentiles list_staleness_ms;       // status set -> first shown in List Sessions
  long long statuses_never_shown = 0;  // the match ended before the cache showed it
  int peak_payloads = 0;
  std::array<long long, kGroups> payload_ms{};  // over the whole run
  long long duration_ms = 0;
  std::vector<Bucket> timeline;
  std::vector<RolloutResult> rollouts;  // one per plan.rollouts entry

  double refused_fraction() const;
  double hours(Group group) const;
  double payload_hours() const;  // every payload alive, whatever its state
};

// Told now and then how far a run is (0..1 of its simulated time).
using Progress = std::function<void(double fraction)>;

Result Simulate(const Plan& plan, const Settings& settings, const Progress& progress = nullptr);

// The world a setting runs in: one project, one allocation of `settings`
// serving the plan's session_type. A plan the loader accepted makes a valid
// one for each of its settings (the fuzz target holds it to that).
core::Fixture FixtureOf(const Plan& plan, const Settings& settings);

// The timeline's buckets: at most this many.
inline constexpr int kTimelineBuckets = 288;

}  // namespace imsemu::rehearse
