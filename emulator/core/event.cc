#include "emulator/core/event.h"

#include "emulator/core/allocation.h"
#include "emulator/core/payload.h"
#include "emulator/util/enum_names.h"

namespace imsemu::core {
namespace {

constexpr EnumNameTable<Actor, 6> kActors = {{
    {Actor::kGameServer, "game-server"},
    {Actor::kOrchestration, "orchestration"},
    {Actor::kSessionManager, "session-manager"},
    {Actor::kControl, "control"},
    {Actor::kControlLoop, "control-loop"},
    {Actor::kEmulator, "emulator"},
}};

constexpr EnumNameTable<EventLevel, 3> kLevels = {{
    {EventLevel::kDebug, "debug"},
    {EventLevel::kInfo, "info"},
    {EventLevel::kWarning, "warning"},
}};

constexpr EnumNameTable<EventKind, 20> kKinds = {{
    {EventKind::kPayloadCreated, "payload.created"},
    {EventKind::kPayloadState, "payload.state"},
    {EventKind::kPayloadRemoved, "payload.removed"},
    {EventKind::kPayloadLabel, "payload.label"},
    {EventKind::kPayloadAnnotation, "payload.annotation"},
    {EventKind::kPayloadOutput, "payload.output"},
    {EventKind::kPayloadApiDown, "payload.api_down"},
    {EventKind::kPayloadApiUp, "payload.api_up"},
    {EventKind::kSessionStatus, "session.status"},
    {EventKind::kSessionStatusNull, "session.status.null"},
    {EventKind::kSessionAmbiguousType, "session.ambiguous_type"},
    {EventKind::kAllocationCreated, "allocation.created"},
    {EventKind::kAllocationReplaced, "allocation.replaced"},
    {EventKind::kAllocationDeleting, "allocation.deleting"},
    {EventKind::kAllocationDeleted, "allocation.deleted"},
    {EventKind::kWorldReset, "world.reset"},
    {EventKind::kWorldRestored, "world.restored"},
    {EventKind::kAllocationShared, "allocation.shared"},
    {EventKind::kAllocationStatus, "allocation.status"},
    {EventKind::kAllocationRemoved, "allocation.removed"},
}};

}  // namespace

const char* ActorName(Actor actor) { return NameOf(kActors, actor, "unknown"); }
const char* EventLevelName(EventLevel level) { return NameOf(kLevels, level, "unknown"); }
const char* EventKindName(EventKind kind) { return NameOf(kKinds, kind, "unknown"); }
std::vector<std::string> ActorNameList() { return NameList(kActors); }
std::vector<std::string> EventLevelNameList() { return NameList(kLevels); }
std::vector<std::string> EventKindNameList() { return NameList(kKinds); }
std::optional<Actor> ParseActor(std::string_view name) { return ValueOf(kActors, name); }
std::optional<EventLevel> ParseEventLevel(std::string_view name) { return ValueOf(kLevels, name); }
std::optional<EventKind> ParseEventKind(std::string_view name) { return ValueOf(kKinds, name); }

Event Event::OfWorld(EventKind kind, Actor actor, Time at) {
  Event e;
  e.time = at;
  e.kind = kind;
  e.actor = actor;
  return e;
}

Event Event::Of(const Allocation& allocation, EventKind kind, Actor actor, Time at) {
  Event e = OfWorld(kind, actor, at);
  e.project_id = allocation.project_id;
  e.allocation_id = allocation.id;
  return e;
}

Event Event::Of(const Payload& payload, EventKind kind, Actor actor, Time at) {
  Event e = OfWorld(kind, actor, at);
  e.project_id = payload.project_id;
  e.allocation_id = payload.allocation_id;
  e.payload_id = payload.id;
  return e;
}

}  // namespace imsemu::core
