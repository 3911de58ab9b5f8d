// World: what game servers do (the Payload Local API) and what happens to them (exits, forced
// states, output).
#include "emulator/core/world.h"

#include <algorithm>

namespace imsemu::core {
namespace {

// A session status for the journal: `{phase: "lobby", players: "2"}`, each
// value cut at 64 bytes (on a character boundary), at most 16 keys shown.
std::string DescribeStatus(const StringMap& status) {
  constexpr size_t kValueChars = 64;
  constexpr size_t kKeys = 16;
  std::string out = "{";
  size_t shown = 0;
  for (const auto& [key, value] : status) {
    if (shown == kKeys) {
      out += ", ... " + std::to_string(status.size() - kKeys) + " more";
      break;
    }
    if (shown++ > 0) out += ", ";
    // Cut on a character boundary: never inside a UTF-8 sequence.
    size_t cut = std::min(value.size(), kValueChars);
    while (cut > 0 && cut < value.size() &&
           (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.append(key).append(": \"").append(value, 0, cut);
    out.append(cut < value.size() ? "...\"" : "\"");
  }
  return out + "}";
}

}  // namespace

StatusOr<Payload> World::GetPayload(const std::string& id) {
  MutexLock lock(mu_);
  Prepare();
  return FindPayload(id);
}

StatusOr<Payload> World::MarkReady(const std::string& id) {
  return Locked<Payload>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Payload> {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    if (p.state == PayloadState::kReady || p.state == PayloadState::kReserved) {
      return p;  // ready is retried by game servers: idempotent
    }
    IMSEMU_RETURN_IF_ERROR(CheckTransition(p.state, PayloadState::kReady));
    std::optional<Allocation> a = store_.GetAllocation(p.allocation_id);
    if (!a) return Internal("payload '" + id + "' has no allocation");
    BecomeReady(p, *a, Actor::kGameServer, now);
    store_.PutPayload(p);
    Converge(a->id, now);
    return p;
  });
}

Status World::SetMetadata(const std::string& id, MetadataKind kind, const std::string& key,
                          const std::string& value, Actor actor) {
  MutexLock lock(mu_);
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataKey("key", key));
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataValue("value", kind, value));
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    const bool label = kind == MetadataKind::kLabel;
    (label ? p.labels : p.annotations)[key] = value;
    Event e =
        Event::Of(p, label ? EventKind::kPayloadLabel : EventKind::kPayloadAnnotation, actor, now);
    e.detail = key;
    Journal(std::move(e));
    store_.PutPayload(p);
    return OkStatus();
  });
}

StatusOr<std::optional<std::string>> World::GetSessionConfig(const std::string& id) {
  MutexLock lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
  return p.session_config;
}

StatusOr<StringMap> World::GetSessionStatus(const std::string& id) {
  MutexLock lock(mu_);
  Prepare();
  IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
  return p.LatestSessionStatus();
}

Status World::SetSessionStatus(const std::string& id, StringMap status,
                               const std::vector<std::string>& null_keys) {
  MutexLock lock(mu_);
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    for (const std::string& key : null_keys) {
      Event w = Event::Of(p, EventKind::kSessionStatusNull, Actor::kGameServer, now);
      w.level = EventLevel::kWarning;
      w.detail = "session status key '" + key + "' was null; stored as \"\"";
      Journal(std::move(w));
    }
    p.status_updates.push_back({now, std::move(status)});
    StatusCacheLocked().Prune(p.status_updates, now);
    Event e = Event::Of(p, EventKind::kSessionStatus, Actor::kGameServer, now);
    e.detail = DescribeStatus(p.LatestSessionStatus());
    Journal(std::move(e));
    store_.PutPayload(p);
    return OkStatus();
  });
}

// ----------------------------------------------------------------------------
// Exits, forced states and output

StatusOr<Payload> World::ExitPayload(const std::string& id, const ProcessExit& how,
                                     const std::string& reason) {
  return Locked<Payload>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Payload> {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    IMSEMU_ASSIGN_OR_RETURN(ExitPlan exit, PlanExit(p, how, reason, options_.timings));
    NoteExit(p.allocation_id, exit.streak, exit.state == PayloadState::kError, now);
    p.restarts = exit.restarts;
    p.details = exit.details;
    SetState(p, exit.state, Actor::kGameServer, p.details, now, how);
    Arm(p, exit.timer, now + exit.timer_after);
    store_.PutPayload(p);
    Converge(p.allocation_id, now);
    return p;
  });
}

StatusOr<Payload> World::ForceState(const std::string& id, PayloadState state) {
  return Locked<Payload>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Payload> {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    SetState(p, state, Actor::kControl, "forced", now);
    p.timer = TimerKind::kNone;
    p.forced = true;
    if (state == PayloadState::kReserved) p.last_reserved = now;
    if (state == PayloadState::kStarting) p.started = now;
    store_.PutPayload(p);
    Converge(p.allocation_id, now);
    return p;
  });
}

Status World::TakePayloadApiDown(const std::string& id, Duration d) {
  if (d.count() <= 0) return InvalidArgument("seconds must be > 0");
  MutexLock lock(mu_);
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    const bool was_down = p.api_down_until.has_value();
    p.api_down_until = now + d;
    Event e = Event::Of(p, EventKind::kPayloadApiDown, Actor::kControl, now);
    e.detail = "Payload Local API answers nothing for " + std::to_string(d.count()) + " ms";
    Journal(std::move(e));
    if (!was_down) pending_.api_down.push_back(p.id);
    store_.PutPayload(p);
    return OkStatus();
  });
}

void World::RecordOutput(const std::string& id, const std::vector<std::string>& lines) {
  MutexLock lock(mu_);
  (void)Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
    for (const std::string& line : lines) {
      Event e = Event::Of(p, EventKind::kPayloadOutput, Actor::kGameServer, now);
      e.level = EventLevel::kDebug;
      e.detail = line;
      Journal(std::move(e));
    }
    return OkStatus();
  });
}

}  // namespace imsemu::core
