#include "emulator/core/event.h"

#include <array>
#include <utility>

#include "emulator/core/allocation.h"
#include "emulator/core/payload.h"

namespace imsemu::core {
namespace {

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, const char*>, N>& names,
                       std::string_view name) {
  for (const auto& [value, text] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* Name(const std::array<std::pair<E, const char*>, N>& names, E value) {
  for (const auto& [v, text] : names) {
    if (v == value) return text;
  }
  return "unknown";
}

constexpr std::array<std::pair<Actor, const char*>, 6> kActors = {{
    {Actor::kGameServer, "game-server"},
    {Actor::kOrchestration, "orchestration"},
    {Actor::kSessionManager, "session-manager"},
    {Actor::kControl, "control"},
    {Actor::kControlLoop, "control-loop"},
    {Actor::kEmulator, "emulator"},
}};

constexpr std::array<std::pair<EventLevel, const char*>, 3> kLevels = {{
    {EventLevel::kDebug, "debug"},
    {EventLevel::kInfo, "info"},
    {EventLevel::kWarning, "warning"},
}};

constexpr std::array<std::pair<EventKind, const char*>, 14> kKinds = {{
    {EventKind::kPayloadCreated, "payload.created"},
    {EventKind::kPayloadState, "payload.state"},
    {EventKind::kPayloadRemoved, "payload.removed"},
    {EventKind::kPayloadLabel, "payload.label"},
    {EventKind::kPayloadAnnotation, "payload.annotation"},
    {EventKind::kPayloadOutput, "payload.output"},
    {EventKind::kSessionStatus, "session.status"},
    {EventKind::kSessionStatusNull, "session.status.null"},
    {EventKind::kSessionAmbiguousType, "session.ambiguous_type"},
    {EventKind::kAllocationCreated, "allocation.created"},
    {EventKind::kAllocationReplaced, "allocation.replaced"},
    {EventKind::kAllocationDeleting, "allocation.deleting"},
    {EventKind::kAllocationDeleted, "allocation.deleted"},
    {EventKind::kWorldReset, "world.reset"},
}};

}  // namespace

const char* ActorName(Actor actor) { return Name(kActors, actor); }
const char* EventLevelName(EventLevel level) { return Name(kLevels, level); }
const char* EventKindName(EventKind kind) { return Name(kKinds, kind); }
std::optional<Actor> ParseActor(std::string_view name) { return Parse(kActors, name); }
std::optional<EventLevel> ParseEventLevel(std::string_view name) { return Parse(kLevels, name); }
std::optional<EventKind> ParseEventKind(std::string_view name) { return Parse(kKinds, name); }

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
