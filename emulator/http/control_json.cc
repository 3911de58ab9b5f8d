#include "emulator/http/control_json.h"

#include <map>
#include <tuple>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/codec/process_exit_json.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;

}  // namespace

Json ClockToJson(const Clock& clock, std::optional<Time> next_timer) {
  const Time now = clock.Now();
  Json out = {{"now", FormatRfc3339(now)},
              {"unix_ms", now.time_since_epoch().count()},
              {"mode", clock.IsVirtual() ? "virtual" : "real"}};
  if (next_timer) out["next_timer"] = FormatRfc3339(*next_timer);
  return out;
}

namespace {

// A session as the dashboard shows it: what the game server set, what the
// Session Manager's cache shows clients now, and when they will agree.
Json SessionToJson(const core::Payload& p, const std::string& session_type,
                   const core::StatusCache& cache, Time now) {
  Json out = {{"id", p.id},
              {"project_id", p.project_id},
              {"allocation_id", p.allocation_id},
              {"session_type", session_type},
              {"session_status", Json(p.LatestSessionStatus())}};
  if (p.last_reserved) out["created"] = FormatRfc3339(*p.last_reserved);
  const core::StringMap& seen = cache.Visible(p.status_updates, now);
  out["clients_see"] = Json(seen);
  if (!p.status_updates.empty()) {
    const core::StatusUpdate& latest = p.status_updates.back();
    out["status_set_at"] = FormatRfc3339(latest.set_at);
    const Time visible = cache.VisibleFrom(latest.set_at);
    if (seen != latest.status && visible > now) {
      out["clients_see_latest_at"] = FormatRfc3339(visible);
    }
  }
  return out;
}

}  // namespace

Json EventToJson(const core::Event& e) {
  Json out = {{"seq", e.seq},
              {"time", FormatRfc3339(e.time)},
              {"level", core::EventLevelName(e.level)},
              {"actor", core::ActorName(e.actor)},
              {"kind", core::EventKindName(e.kind)}};
  for (const auto& [key, value] :
       {std::pair{"project_id", &e.project_id}, std::pair{"allocation_id", &e.allocation_id},
        std::pair{"payload_id", &e.payload_id}, std::pair{"old_state", &e.old_state},
        std::pair{"new_state", &e.new_state}, std::pair{"detail", &e.detail}}) {
    if (!value->empty()) out[key] = *value;
  }
  if (e.exit) out["exit"] = codec::ProcessExitToJson(*e.exit);
  return out;
}

Json FaultToJson(const Fault& f) {
  Json out = {{"id", f.id},
              {"api", ApiName(f.spec.api)},
              {"path", f.spec.path_pattern},
              {"delay_ms", f.spec.delay.count()},
              {"probability", f.spec.probability},
              {"matched", f.matched},
              {"fired", f.fired}};
  if (!f.spec.method.empty()) out["method"] = f.spec.method;
  if (f.spec.status != 0) out["status"] = f.spec.status;
  if (f.spec.times >= 0) out["times_left"] = f.spec.times;
  return out;
}

StatusOr<FaultSpec> FaultSpecFromJson(const Json& body) {
  IMSEMU_RETURN_IF_ERROR(codec::ExpectObject(body, ""));
  IMSEMU_RETURN_IF_ERROR(codec::RejectUnknownFields(
      body, "",
      {"api", "method", "path", "status", "delay_ms", "times", "probability", "message"}));
  FaultSpec spec;
  std::string api = "any";
  IMSEMU_RETURN_IF_ERROR(codec::ReadString(body, "api", "", api));
  std::optional<Api> parsed = ParseApi(api);
  if (!parsed) {
    return InvalidArgument("api must be one of " + ApiNames() + "; got '" + api + "'" +
                           (api == "control" ? " (the control API cannot be faulted)" : ""));
  }
  spec.api = *parsed;
  IMSEMU_RETURN_IF_ERROR(codec::ReadString(body, "method", "", spec.method));
  IMSEMU_RETURN_IF_ERROR(codec::ReadString(body, "path", "", spec.path_pattern));
  IMSEMU_RETURN_IF_ERROR(codec::ReadIntInRange(body, "status", "", 400, 599, spec.status));
  int delay_ms = 0;
  IMSEMU_RETURN_IF_ERROR(codec::ReadIntInRange(body, "delay_ms", "", 0, 60000, delay_ms));
  spec.delay = std::chrono::milliseconds(delay_ms);
  // Absent means every matching call; -1 is that sentinel, not a count.
  int times = 1;
  IMSEMU_RETURN_IF_ERROR(codec::ReadIntInRange(body, "times", "", 1, 1000000000, times));
  if (body.contains("times") && !body["times"].is_null()) spec.times = times;
  if (body.contains("probability") && !body["probability"].is_number()) {
    return InvalidArgument("probability must be a number");
  }
  spec.probability = body.value("probability", 1.0);
  IMSEMU_RETURN_IF_ERROR(codec::ReadString(body, "message", "", spec.message));
  return spec;
}

Json FaultRecordToJson(const Fault& f) {
  Json spec = {{"api", ApiName(f.spec.api)},        {"method", f.spec.method},
               {"path", f.spec.path_pattern},       {"delay_ms", f.spec.delay.count()},
               {"probability", f.spec.probability}, {"message", f.spec.message}};
  if (f.spec.status != 0) spec["status"] = f.spec.status;
  return {{"id", f.id},
          {"spec", std::move(spec)},
          {"times_left", f.spec.times},
          {"matched", f.matched},
          {"fired", f.fired}};
}

StatusOr<Fault> FaultRecordFromJson(const Json& record, const std::string& where) {
  auto named = [&](const Status& s) { return InvalidArgument(where + ": " + s.message()); };
  if (Status s = codec::ExpectObject(record, ""); !s.ok()) return named(s);
  if (Status s =
          codec::RejectUnknownFields(record, "", {"id", "spec", "times_left", "matched", "fired"});
      !s.ok()) {
    return named(s);
  }
  Fault f;
  int times_left = -1;
  int id = 0;
  for (const auto& [key, out, low] :
       {std::tuple{"id", &id, 1}, std::tuple{"times_left", &times_left, -1}}) {
    if (Status s = codec::Require(record, key, ""); !s.ok()) return named(s);
    if (Status s = codec::ReadIntInRange(record, key, "", low, 1000000000, *out); !s.ok())
      return named(s);
  }
  f.id = id;
  for (const auto& [key, out] : {std::pair{"matched", &f.matched}, std::pair{"fired", &f.fired}}) {
    const Json value = record.value(key, Json(0));
    if (!value.is_number_integer() || value.get<long long>() < 0) {
      return InvalidArgument(where + "." + key + " must be a non-negative integer");
    }
    *out = value.get<long long>();
  }
  StatusOr<FaultSpec> spec = FaultSpecFromJson(record.value("spec", Json::object()));
  if (!spec.ok()) return InvalidArgument(where + ".spec: " + spec.status().message());
  f.spec = *std::move(spec);
  f.spec.times = times_left;
  return f;
}

Json StateToJson(const core::WorldSnapshot& snapshot, const Clock& clock,
                 const std::function<PayloadProcess(const std::string&)>& process_of) {
  Json allocations = Json::array();
  std::map<std::string, std::string> session_type_of;
  for (const core::Allocation& a : snapshot.allocations) {
    allocations.push_back(codec::AllocationToJson(a));
    session_type_of[a.id] = a.spec.SessionType();
  }
  Json payloads = Json::array();
  Json sessions = Json::array();
  for (const core::Payload& p : snapshot.payloads) {
    const PayloadProcess process = process_of(p.id);
    Json j = codec::PayloadToJson(p);
    j["project_id"] = p.project_id;
    j["orchestration_payload_api"] = process.payload_api;
    j["session_status"] = Json(p.LatestSessionStatus());
    j["state_since"] = FormatRfc3339(p.state_since);
    if (p.session_config) j["has_session_config"] = true;
    if (p.forced) j["forced"] = true;
    j["revision"] = p.revision;
    if (p.api_down_until) j["api_down_until"] = FormatRfc3339(*p.api_down_until);
    if (process.log_file) j["log_file"] = *process.log_file;
    if (process.pid) j["pid"] = *process.pid;
    if (p.state == core::PayloadState::kReserved) {
      sessions.push_back(
          SessionToJson(p, session_type_of[p.allocation_id], snapshot.status_cache, snapshot.now));
    }
    payloads.push_back(std::move(j));
  }
  return {{"clock", ClockToJson(clock, snapshot.next_timer)},
          {"projects", Json(snapshot.projects)},
          {"allocations", std::move(allocations)},
          {"payloads", std::move(payloads)},
          {"sessions", std::move(sessions)}};
}

Json SessionConfigToJson(const std::optional<std::string>& config) {
  Json body = Json::object();
  if (config) body["config"] = *config;
  return body;
}

}  // namespace imsemu::http
