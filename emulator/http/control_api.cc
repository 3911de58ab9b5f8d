#include "emulator/http/control_api.h"

#include <charconv>

#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/codec/timeline_json.h"
#include "emulator/http/control_json.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;
constexpr Surface kSurface = Surface::kControl;
constexpr int kMaxEventsPerPage = 1000;

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
    WriteJson(res, ClockToJson(*hooks.clock));
  });

  server.Post("/emulator/v0/clock/advance",
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Duration> d = ReadRequiredSeconds(req);
                Status s = d.ok() ? hooks.advance_clock(*d) : d.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, ClockToJson(*hooks.clock));
              });

  server.Post("/emulator/v0/reset", [hooks, fail](const httplib::Request&, httplib::Response& res) {
    Status s = hooks.reset();
    if (!s.ok()) return fail(res, s);
    WriteJson(res, Json::object());
  });

  server.Get("/emulator/v0/state", [&world, hooks](const httplib::Request&,
                                                   httplib::Response& res) {
    WriteJson(
        res, StateToJson(world.Snapshot(), *hooks.clock, [&](const std::string& id) {
          return PayloadProcess{hooks.payload_api_of(id), hooks.log_file_of(id), hooks.pid_of(id)};
        }));
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
                 s = InvalidArgument("state must be one of " + core::PayloadStateNames() +
                                     "; got '" + name + "'");
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
               WriteJson(res, SessionConfigToJson(*config));
             });

  server.Post("/emulator/v0/faults",
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ParseBody(req);
                if (!body.ok()) return fail(res, body.status());
                StatusOr<FaultSpec> spec = FaultSpecFromJson(*body);
                if (!spec.ok()) return fail(res, spec.status());
                StatusOr<Fault> fault = hooks.faults->Add(*std::move(spec));
                if (!fault.ok()) return fail(res, fault.status());
                WriteJson(res, {{"result", FaultToJson(*fault)}});
              });

  server.Get("/emulator/v0/faults", [hooks](const httplib::Request&, httplib::Response& res) {
    Json list = Json::array();
    for (const Fault& f : hooks.faults->List()) list.push_back(FaultToJson(f));
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
                 events.push_back(EventToJson(e));
               }
               WriteJson(res, {{"events", std::move(events)}, {"next_after", last}});
             });

  // The whole journal as a Chrome trace (open it in ui.perfetto.dev).
  server.Get("/emulator/v0/timeline", [&world, hooks](const httplib::Request&,
                                                      httplib::Response& res) {
    std::vector<core::Event> events;
    for (long long after = 0;;) {
      std::vector<core::Event> page = world.Events(after, kMaxEventsPerPage);
      if (page.empty()) break;
      after = page.back().seq;
      std::move(page.begin(), page.end(), std::back_inserter(events));
    }
    WriteJson(res, codec::TimelineToTraceJson(events, world.status_cache(), hooks.clock->Now()));
  });
}

}  // namespace imsemu::http
