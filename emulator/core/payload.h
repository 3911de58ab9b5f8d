// Payload: one running game-server instance of an allocation.
//
// A payload's id is unique across the emulator and never reused during a run.
// Its state follows the lifecycle in lifecycle.h. At most one timer is armed
// per payload (auto-ready, restart after back-off, shutdown, removal,
// auto-reserve); the world applies it when the clock reaches `timer_at`.
// Its Payload Local API may be down until a time of its own; the world applies
// that deadline in the same pass, in deadline order (NextDeadline()).
// The session status is kept as a short history of updates so that what the
// Session Manager shows (see status_cache.h) is derived from it, never stored
// twice. Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/metadata.h"

namespace imsemu::core {

enum class PayloadState {
  kUnknown,
  kCreating,
  kStarting,
  kReady,
  kReserved,
  kShutdown,
  kError,
  kUnhealthy,
};

// The wire name of `state`, e.g. "Ready".
const char* PayloadStateName(PayloadState state);
// Parses a wire name (exact case); nullopt if unknown.
std::optional<PayloadState> ParsePayloadState(std::string_view name);
// Every wire name, "Unknown, Creating, ...", for error messages.
std::string PayloadStateNames();
// Every state's name, in the order of PayloadStateNames().
std::vector<std::string> PayloadStateNameList();

struct Port {
  std::string name;
  int port = 0;
  bool operator==(const Port&) const = default;
};

// One `POST /api/v0/session-manager/status` as the game server sent it.
struct StatusUpdate {
  Time set_at;
  StringMap status;
  bool operator==(const StatusUpdate&) const = default;
};

enum class TimerKind { kNone, kAutoReady, kRestart, kShutdown, kRemove, kAutoReserve, kStart };

const char* TimerKindName(TimerKind kind);
std::optional<TimerKind> ParseTimerKind(std::string_view name);

struct Payload {
  std::string id;
  std::string project_id;
  std::string allocation_id;
  long long seq = 0;  // creation order across the world
  PayloadState state = PayloadState::kCreating;
  std::string details;
  std::string address;
  std::vector<Port> ports;
  Time created;
  Time state_since;  // when it entered its current state
  std::optional<Time> started;
  std::optional<Time> last_reserved;
  StringMap labels;
  StringMap annotations;
  std::optional<std::string> session_config;
  std::vector<StatusUpdate> status_updates;  // oldest first
  TimerKind timer = TimerKind::kNone;
  Time timer_at;
  int restarts = 0;  // consecutive exits before Ready, for the back-off
  // The allocation's spec revision it was created with (what it runs).
  int revision = 1;
  // Its state was forced through the control API: the control loop leaves it
  // alone (it neither counts towards the buffer nor is scaled away).
  bool forced = false;
  // Its Payload Local API answers nothing until then (a late sidecar).
  std::optional<Time> api_down_until;
  // The port of its own Payload Local API listener, chosen when it was
  // created and kept across a --state restart (0: none chosen).
  int api_port = 0;

  // The earlier of its timer and the end of its API outage, if either.
  std::optional<Time> NextDeadline() const;

  // The latest session status the game server set ({} when none).
  const StringMap& LatestSessionStatus() const;

  bool operator==(const Payload&) const = default;
};

}  // namespace imsemu::core
