#include "emulator/http/control_api.h"

#include <charconv>
#include <map>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;
constexpr Surface kSurface = Surface::kControl;
constexpr int kMaxEventsPerPage = 1000;

Json ClockJson(const Clock& clock) {
  return {{"now", FormatRfc3339(clock.Now())},
          {"unix_ms", clock.Now().time_since_epoch().count()},
          {"mode", clock.IsVirtual() ? "virtual" : "real"}};
}

Json EventJson(const core::Event& e) {
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
  return out;
}

// Parses a non-negative integer query parameter; `fallback` when absent.
StatusOr<long long> IntParam(const httplib::Request& req, const char* name, long long fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return InvalidArgument(std::string(name) + " must be a non-negative integer, got '" + text +
                           "'");
  }
  return value;
}

// The request body as a JSON object with only `fields` in it (empty: {}).
StatusOr<Json> ReadObject(const httplib::Request& req,
                          std::initializer_list<std::string_view> fields) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  IMSEMU_RETURN_IF_ERROR(codec::ExpectObject(body, ""));
  IMSEMU_RETURN_IF_ERROR(codec::RejectUnknownFields(body, "", fields));
  return body;
}

// A required number of seconds (0..1e9) in the request body.
StatusOr<Duration> ReadRequiredSeconds(const httplib::Request& req) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ReadObject(req, {"seconds"}));
  IMSEMU_RETURN_IF_ERROR(codec::Require(body, "seconds", ""));
  long long ms = 0;
  IMSEMU_RETURN_IF_ERROR(codec::ReadSeconds(body, "seconds", "", ms));
  return Duration(ms);
}

Json FaultJson(const Fault& f) {
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
    return InvalidArgument(
        "api must be one of any, payload-local, session-manager, "
        "orchestration; got '" +
        api + "'");
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

}  // namespace

void MountControlApi(httplib::Server& server, core::World& world, RequestIds& ids,
                     ControlHooks hooks) {
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, kSurface, s, ids);
  };

  server.Get("/emulator/v0/health", [](const httplib::Request&, httplib::Response& res) {
    WriteJson(res, {{"status", "ok"}});
  });

  server.Get("/emulator/v0/clock", [hooks](const httplib::Request&, httplib::Response& res) {
    WriteJson(res, ClockJson(*hooks.clock));
  });

  server.Post("/emulator/v0/clock/advance",
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Duration> d = ReadRequiredSeconds(req);
                Status s = d.ok() ? hooks.advance_clock(*d) : d.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, ClockJson(*hooks.clock));
              });

  server.Post("/emulator/v0/reset", [hooks, fail](const httplib::Request&, httplib::Response& res) {
    Status s = hooks.reset();
    if (!s.ok()) return fail(res, s);
    WriteJson(res, Json::object());
  });

  server.Get("/emulator/v0/state",
             [&world, hooks](const httplib::Request&, httplib::Response& res) {
               core::WorldSnapshot snapshot = world.Snapshot();
               Json allocations = Json::array();
               std::map<std::string, std::string> session_type_of;
               for (const core::Allocation& a : snapshot.allocations) {
                 allocations.push_back(codec::AllocationToJson(a));
                 session_type_of[a.id] = a.spec.SessionType();
               }
               Json payloads = Json::array();
               Json sessions = Json::array();
               for (const core::Payload& p : snapshot.payloads) {
                 Json j = codec::PayloadToJson(p);
                 j["project_id"] = p.project_id;
                 j["orchestration_payload_api"] = hooks.payload_api_of(p.id);
                 j["session_status"] = Json(p.LatestSessionStatus());
                 if (p.session_config) j["has_session_config"] = true;
                 if (p.forced) j["forced"] = true;
                 if (std::optional<std::string> log = hooks.log_file_of(p.id)) j["log_file"] = *log;
                 if (std::optional<int> pid = hooks.pid_of(p.id)) j["pid"] = *pid;
                 if (p.state == core::PayloadState::kReserved) {
                   sessions.push_back({{"id", p.id},
                                       {"project_id", p.project_id},
                                       {"allocation_id", p.allocation_id},
                                       {"session_type", session_type_of[p.allocation_id]},
                                       {"session_status", Json(p.LatestSessionStatus())}});
                 }
                 payloads.push_back(std::move(j));
               }
               WriteJson(res, {{"clock", ClockJson(*hooks.clock)},
                               {"projects", Json(snapshot.projects)},
                               {"allocations", std::move(allocations)},
                               {"payloads", std::move(payloads)},
                               {"sessions", std::move(sessions)}});
             });

  server.Post(R"(/emulator/v0/payloads/([^/]+)/exit)",
              [&world, fail](const httplib::Request& req, httplib::Response& res) {
                // An exit status, as a process reports it.
                StatusOr<Json> body = ReadObject(req, {"code"});
                Status s = body.ok() ? codec::Require(*body, "code", "") : body.status();
                int code = 0;
                if (s.ok()) s = codec::ReadIntInRange(*body, "code", "", 0, 255, code);
                if (!s.ok()) return fail(res, s);
                auto p = world.ExitPayload(req.matches[1], code);
                if (!p.ok()) return fail(res, p.status());
                WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
              });

  server.Put(R"(/emulator/v0/payloads/([^/]+)/state)",
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               StatusOr<Json> body = ReadObject(req, {"state"});
               Status s = body.ok() ? codec::Require(*body, "state", "") : body.status();
               std::string name;
               if (s.ok()) s = codec::ReadString(*body, "state", "", name);
               std::optional<core::PayloadState> state = core::ParsePayloadState(name);
               if (s.ok() && !state) {
                 s = InvalidArgument(
                     "state must be one of Unknown, Creating, Starting, Ready, Reserved, "
                     "Shutdown, Error, Unhealthy; got '" +
                     name + "'");
               }
               if (!s.ok()) return fail(res, s);
               auto p = world.ForceState(req.matches[1], *state);
               if (!p.ok()) return fail(res, p.status());
               WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
             });

  server.Get(R"(/emulator/v0/payloads/([^/]+)/session-config)",
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               auto config = world.GetSessionConfig(req.matches[1]);
               if (!config.ok()) return fail(res, config.status());
               Json body = Json::object();
               if (config->has_value()) body["config"] = **config;
               WriteJson(res, body);
             });

  server.Post("/emulator/v0/faults",
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ParseBody(req);
                if (!body.ok()) return fail(res, body.status());
                StatusOr<FaultSpec> spec = FaultSpecFromJson(*body);
                if (!spec.ok()) return fail(res, spec.status());
                StatusOr<Fault> fault = hooks.faults->Add(*std::move(spec));
                if (!fault.ok()) return fail(res, fault.status());
                WriteJson(res, {{"result", FaultJson(*fault)}});
              });

  server.Get("/emulator/v0/faults", [hooks](const httplib::Request&, httplib::Response& res) {
    Json list = Json::array();
    for (const Fault& f : hooks.faults->List()) list.push_back(FaultJson(f));
    WriteJson(res, {{"faults", std::move(list)}});
  });

  server.Delete("/emulator/v0/faults", [hooks](const httplib::Request&, httplib::Response& res) {
    hooks.faults->Clear();
    WriteJson(res, Json::object());
  });

  server.Post(R"(/emulator/v0/payloads/([^/]+)/api-down)",
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Duration> d = ReadRequiredSeconds(req);
                Status s = d.ok() ? hooks.payload_api_down(req.matches[1], *d) : d.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, Json::object());
              });

  server.Get("/emulator/v0/events",
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               StatusOr<long long> after = IntParam(req, "after", 0);
               if (!after.ok()) return fail(res, after.status());
               StatusOr<long long> limit = IntParam(req, "limit", kMaxEventsPerPage);
               if (!limit.ok()) return fail(res, limit.status());
               const int n = static_cast<int>(std::min<long long>(*limit, kMaxEventsPerPage));
               Json events = Json::array();
               long long last = *after;
               for (const core::Event& e : world.Events(*after, n)) {
                 last = e.seq;
                 events.push_back(EventJson(e));
               }
               WriteJson(res, {{"events", std::move(events)}, {"next_after", last}});
             });
}

}  // namespace imsemu::http
