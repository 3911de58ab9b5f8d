#include "emulator/scenario/step_kinds.h"

#include "emulator/scenario/scenario_loader.h"
#include "emulator/scenario/variables.h"
#include "emulator/util/percent_encode.h"

namespace imsemu::scenario {
namespace {

using Builder = std::function<StatusOr<Call>(const StepContext&, const Json&)>;

bool Has(const Json& p, const char* key) { return p.is_object() && p.contains(key); }

// A parameter's text, or `fallback` when absent or null.
std::string Param(const Json& p, const char* key, const std::string& fallback = "") {
  if (!Has(p, key) || p[key].is_null()) return fallback;
  return Text(p[key]);
}

StatusOr<std::string> Required(const Json& p, const char* key) {
  std::string v = Param(p, key);
  if (v.empty()) return InvalidArgument(std::string("this step needs '") + key + "'");
  return v;
}

// The JSON text of parameter `key`, or of `fallback`.
std::string BodyOf(const Json& p, const char* key, const Json& fallback = Json::object()) {
  return Has(p, key) ? p[key].dump() : fallback.dump();
}

Call On(const StepContext& c, std::string method, std::string path, std::string body = "") {
  Call call;
  call.method = std::move(method);
  call.target = c.main;
  call.path = std::move(path);
  call.body = std::move(body);
  return call;
}

// A call to `path` on the emulator's control API with a JSON body.
Builder Control(std::string method, std::string path) {
  return [method, path](const StepContext& c, const Json&) -> StatusOr<Call> {
    return On(c, method, "/emulator/v0" + path);
  };
}

// A call about one payload on the control API.
Builder ControlOfPayload(std::string method, std::string suffix,
                         std::function<StatusOr<Json>(const Json&)> body = nullptr) {
  return [method, suffix, body](const StepContext& c, const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(std::string id, Required(p, "payload"));
    std::string text;
    if (body) {
      IMSEMU_ASSIGN_OR_RETURN(Json j, body(p));
      text = j.dump();
    }
    return On(c, method, "/emulator/v0/payloads/" + id + suffix, text);
  };
}

StatusOr<Json> Seconds(const Json& value, const std::string& field) {
  StatusOr<Duration> d = ParseDuration(value);
  if (!d.ok()) return InvalidArgument(field + ": " + d.status().message());
  return Json({{"seconds", static_cast<double>(d->count()) / 1000.0}});
}

// A game server's call to its Payload Local API (its own port, or the shared
// one with via: shared).
Builder Server(std::string method, std::string path,
               std::function<StatusOr<std::string>(const Json&)> body = nullptr) {
  return [method, path, body](const StepContext& c, const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(std::string id, Required(p, "payload"));
    const std::string api =
        Param(p, "via") == "shared" ? c.main + "/payloads/" + id : c.payload_api_of(id);
    const size_t slash = api.find('/');
    Call call;
    call.method = method;
    call.target = api.substr(0, slash);
    call.path = (slash == std::string::npos ? "" : api.substr(slash)) + path;
    if (body) {
      IMSEMU_ASSIGN_OR_RETURN(call.body, body(p));
    }
    return call;
  };
}

StatusOr<std::string> KeyValue(const Json& p) {
  IMSEMU_ASSIGN_OR_RETURN(std::string key, Required(p, "key"));
  return Json({{"key", key}, {"value", Param(p, "value")}}).dump();
}

// A game client's call to the Session Manager.
Builder Client(std::string method) {
  return [method](const StepContext& c, const Json& p) -> StatusOr<Call> {
    const Scenario& s = *c.scenario;
    Call call = On(c, method, "/api/v0/projects/" + Param(p, "project", s.project) + "/sessions");
    if (!(Has(p, "session_type") && p["session_type"].is_null())) {
      call.path += "?session_type=" + PercentEncode(Param(p, "session_type", s.session_type));
    }
    const std::string auth = Param(p, "auth", s.authorization);
    if (auth != "none") call.headers.emplace_back("Authorization", auth);
    if (method == "POST") {
      call.body = Has(p, "raw_body") ? Text(p["raw_body"])
                  : Has(p, "config") ? Json({{"session_config", Text(p["config"])}}).dump()
                                     : "{}";
    }
    return call;
  };
}

std::string Allocations(const StepContext& c, const Json& p) {
  return "/api/v0/projects/" + Param(p, "project", c.scenario->project) + "/allocations";
}

// An orchestration call about one allocation: `suffix` after its path.
Builder Orchestration(std::string method, std::string suffix, const char* body_key = nullptr) {
  return [method, suffix, body_key](const StepContext& c, const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(std::string allocation, Required(p, "allocation"));
    return On(c, method, Allocations(c, p) + "/" + allocation + suffix,
              body_key ? BodyOf(p, body_key) : "");
  };
}

// An orchestration call about one payload of an allocation.
Builder OrchestrationOfPayload(std::string method) {
  return [method](const StepContext& c, const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(std::string allocation, Required(p, "allocation"));
    IMSEMU_ASSIGN_OR_RETURN(std::string payload, Required(p, "payload"));
    const bool force = method == "DELETE" && Has(p, "force") && p["force"] == true;
    return On(c, method,
              Allocations(c, p) + "/" + allocation + "/payloads/" + payload +
                  (force ? "?force_delete=true" : ""));
  };
}

}  // namespace

const std::map<std::string, StepKind>& StepKinds() {
  static const std::set<std::string> kServer = {"payload", "via"};
  static const std::map<std::string, StepKind> kKinds = {
      {"client.create_session",
       {{"project", "session_type", "config", "raw_body", "auth"}, Client("POST")}},
      {"client.list_sessions", {{"project", "session_type", "auth"}, Client("GET")}},
      {"server.ready",
       {{"payload", "via", "raw_body"},
        Server("POST", "/api/v0/ready",
               [](const Json& p) -> StatusOr<std::string> { return Param(p, "raw_body"); })}},
      {"server.get_payload", {kServer, Server("GET", "/api/v0/payload")}},
      {"server.get_config", {kServer, Server("GET", "/api/v0/session-manager/config")}},
      {"server.get_status", {kServer, Server("GET", "/api/v0/session-manager/status")}},
      {"server.set_status",
       {{"payload", "via", "status"},
        Server("POST", "/api/v0/session-manager/status",
               [](const Json& p) -> StatusOr<std::string> { return BodyOf(p, "status"); })}},
      {"server.set_label",
       {{"payload", "via", "key", "value"}, Server("PUT", "/api/v0/metadata/label", KeyValue)}},
      {"server.set_annotation",
       {{"payload", "via", "key", "value"},
        Server("PUT", "/api/v0/metadata/annotation", KeyValue)}},
      {"orchestration.create_allocation",
       {{"project", "spec"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          return On(c, "POST", Allocations(c, p), BodyOf(p, "spec"));
        }}},
      {"orchestration.get_allocation", {{"project", "allocation"}, Orchestration("GET", "")}},
      {"orchestration.replace_allocation",
       {{"project", "allocation", "spec"}, Orchestration("PUT", "", "spec")}},
      {"orchestration.delete_allocation", {{"project", "allocation"}, Orchestration("DELETE", "")}},
      {"orchestration.list_payloads",
       {{"project", "allocation"}, Orchestration("GET", "/payloads")}},
      {"orchestration.get_payload",
       {{"project", "allocation", "payload"}, OrchestrationOfPayload("GET")}},
      {"orchestration.reserve",
       {{"project", "allocation", "body"}, Orchestration("POST", "/reservations", "body")}},
      {"orchestration.delete_payload",
       {{"project", "allocation", "payload", "force"}, OrchestrationOfPayload("DELETE")}},
      {"emulator.advance",
       {{"by"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          // `emulator.advance: 12s` or `emulator.advance: {by: 12s}`
          IMSEMU_ASSIGN_OR_RETURN(
              Json body, Seconds(p.is_object() ? p.value("by", Json()) : p, "emulator.advance"));
          return On(c, "POST", "/emulator/v0/clock/advance", body.dump());
        }}},
      {"emulator.exit",
       {{"payload", "code"},
        ControlOfPayload("POST", "/exit",
                         [](const Json& p) -> StatusOr<Json> {
                           return Json({{"code", Has(p, "code") ? p["code"] : Json(0)}});
                         })}},
      {"emulator.state",
       {{"payload", "state"},
        ControlOfPayload("PUT", "/state",
                         [](const Json& p) -> StatusOr<Json> {
                           IMSEMU_ASSIGN_OR_RETURN(std::string state, Required(p, "state"));
                           return Json({{"state", state}});
                         })}},
      {"emulator.reset", {{}, Control("POST", "/reset")}},
      {"emulator.snapshot",
       {{"name"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          IMSEMU_ASSIGN_OR_RETURN(std::string name, Required(p, "name"));
          return On(c, "POST", "/emulator/v0/snapshots/" + PercentEncode(name));
        }}},
      {"emulator.restore",
       {{"name"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          IMSEMU_ASSIGN_OR_RETURN(std::string name, Required(p, "name"));
          return On(c, "POST", "/emulator/v0/snapshots/" + PercentEncode(name) + "/restore");
        }}},
      {"emulator.get_state", {{}, Control("GET", "/state")}},
      {"emulator.events",
       {{"after"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          return On(c, "GET", "/emulator/v0/events?after=" + Param(p, "after", "0"));
        }}},
      {"emulator.session_config", {{"payload"}, ControlOfPayload("GET", "/session-config")}},
      {"fault.add",
       {{"api", "method", "path", "status", "delay_ms", "times", "probability", "message"},
        [](const StepContext& c, const Json& p) -> StatusOr<Call> {
          return On(c, "POST", "/emulator/v0/faults", p.dump());
        }}},
      {"fault.list", {{}, Control("GET", "/faults")}},
      {"fault.clear", {{}, Control("DELETE", "/faults")}},
      {"fault.payload_api_down",
       {{"payload", "for"},
        ControlOfPayload("POST", "/api-down",
                         [](const Json& p) {
                           return Seconds(Has(p, "for") ? p["for"] : Json(),
                                          "fault.payload_api_down.for");
                         })}},
      {"wait_until", {{"every", "within"}, nullptr}},  // and the step it repeats
  };
  return kKinds;
}

}  // namespace imsemu::scenario
