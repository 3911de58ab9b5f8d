// Event: one line of the journal that records every state change.
//
// The journal is append-only and ordered by `seq`; it is what the control
// API's /events, bug reports and record/replay are built on. Who caused an
// event, what kind it is and how loud it is are closed sets with wire names
// (the names the store keeps and the control API shows). Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/process_exit.h"

namespace imsemu::core {

struct Allocation;
struct Payload;

// Who caused an event.
enum class Actor {
  kGameServer,      // "game-server": its Payload Local API calls, its exits
  kOrchestration,   // "orchestration": the orchestration API
  kSessionManager,  // "session-manager": game clients
  kControl,         // "control": the control API (tests, the dashboard)
  kControlLoop,     // "control-loop": scaling allocations
  kEmulator,        // "emulator": timers (restarts, lingers, auto-reserve)
};

// How loud an event is: debug (a game server's output), info (every state
// change), warning (something a developer should look at).
enum class EventLevel { kDebug, kInfo, kWarning };

enum class EventKind {
  kPayloadCreated,        // "payload.created"
  kPayloadState,          // "payload.state"
  kPayloadRemoved,        // "payload.removed"
  kPayloadLabel,          // "payload.label"
  kPayloadAnnotation,     // "payload.annotation"
  kPayloadOutput,         // "payload.output"
  kPayloadApiDown,        // "payload.api_down"
  kPayloadApiUp,          // "payload.api_up"
  kSessionStatus,         // "session.status"
  kSessionStatusNull,     // "session.status.null"
  kSessionAmbiguousType,  // "session.ambiguous_type"
  kAllocationCreated,     // "allocation.created"
  kAllocationReplaced,    // "allocation.replaced"
  kAllocationDeleting,    // "allocation.deleting"
  kAllocationDeleted,     // "allocation.deleted"
  kWorldReset,            // "world.reset"
  kWorldRestored,         // "world.restored"
  kAllocationShared,      // "allocation.shared" (a warning)
  kAllocationStatus,      // "allocation.status" (old_state -> new_state)
  kAllocationRemoved,     // "allocation.removed" (a Deleted one, kept long enough)
};

const char* ActorName(Actor actor);
const char* EventLevelName(EventLevel level);
const char* EventKindName(EventKind kind);
// Every name of each table, in its order.
std::vector<std::string> ActorNameList();
std::vector<std::string> EventLevelNameList();
std::vector<std::string> EventKindNameList();
std::optional<Actor> ParseActor(std::string_view name);
std::optional<EventLevel> ParseEventLevel(std::string_view name);
std::optional<EventKind> ParseEventKind(std::string_view name);

struct Event {
  long long seq = 0;  // assigned by the store
  Time time;
  EventLevel level = EventLevel::kInfo;
  Actor actor = Actor::kEmulator;
  EventKind kind = EventKind::kPayloadState;
  std::string project_id;
  std::string allocation_id;
  std::string payload_id;
  std::string old_state;
  std::string new_state;
  std::string detail;
  // On the state change a game server's end caused: how it ended.
  std::optional<ProcessExit> exit;

  // An event about the world as a whole, an allocation, or a payload (its
  // project and allocation filled in).
  static Event OfWorld(EventKind kind, Actor actor, Time at);
  static Event Of(const Allocation& allocation, EventKind kind, Actor actor, Time at);
  static Event Of(const Payload& payload, EventKind kind, Actor actor, Time at);
};

}  // namespace imsemu::core
