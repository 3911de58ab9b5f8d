#include "emulator/scenario/step_kinds.h"

#include "emulator/codec/json_fields.h"
#include "emulator/scenario/scenario_loader.h"
#include "emulator/scenario/variables.h"
#include "emulator/util/percent_encode.h"

namespace imsemu::scenario {
namespace {

// Builds the call to a row's route from the step's parameters.
using RouteBuilder =
    std::function<StatusOr<Call>(const routes::Route&, const StepContext&, const Json&)>;

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

using BodyFn = std::function<StatusOr<std::string>(const Json&)>;

// The parameter a {name} of a path template is filled from: the same name;
// the project defaults to the scenario's.
StatusOr<std::map<std::string, std::string>> PathValues(const routes::Route& route,
                                                        const StepContext& c, const Json& p) {
  std::map<std::string, std::string> values;
  for (const char* name : {"project", "allocation", "payload", "name"}) {
    std::string placeholder(1, '{');
    placeholder.append(name).append(1, '}');
    if (std::string_view(route.path).find(placeholder) == std::string_view::npos) continue;
    if (std::string_view(name) == "project") {
      values[name] = Param(p, "project", c.scenario->project);
    } else {
      IMSEMU_ASSIGN_OR_RETURN(values[name], Required(p, name));
    }
  }
  return values;
}

// A call on the emulator's main port (Session Manager, orchestration,
// control): the route's path filled from the parameters, then `query` and
// `body` of them.
RouteBuilder OnMain(BodyFn body = nullptr,
                    std::function<std::string(const Json&)> query = nullptr) {
  return [body, query](const routes::Route& route, const StepContext& c,
                       const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(auto values, PathValues(route, c, p));
    Call call;
    call.method = route.method;
    call.target = c.main;
    call.path = routes::Expand(route.path, values) + (query ? query(p) : "");
    if (body) {
      IMSEMU_ASSIGN_OR_RETURN(call.body, body(p));
    }
    return call;
  };
}

// The JSON text of parameter `key` (an empty object when absent).
BodyFn JsonOf(const char* key) {
  return [key](const Json& p) -> StatusOr<std::string> { return BodyOf(p, key); };
}

// A JSON body made from the parameters.
BodyFn JsonBody(std::function<StatusOr<Json>(const Json&)> make) {
  return [make](const Json& p) -> StatusOr<std::string> {
    IMSEMU_ASSIGN_OR_RETURN(Json j, make(p));
    return j.dump();
  };
}

StatusOr<Json> Seconds(const Json& value, const std::string& field) {
  StatusOr<Duration> d = codec::ParseDuration(value);
  if (!d.ok()) return InvalidArgument(field + ": " + d.status().message());
  return Json({{"seconds", static_cast<double>(d->count()) / 1000.0}});
}

// A game server's call to its Payload Local API (its own port, or the shared
// one with via: shared).
RouteBuilder Server(BodyFn body = nullptr) {
  return [body](const routes::Route& route, const StepContext& c, const Json& p) -> StatusOr<Call> {
    IMSEMU_ASSIGN_OR_RETURN(std::string id, Required(p, "payload"));
    const std::string api =
        Param(p, "via") == "shared"
            ? c.main + routes::Expand(routes::kSharedPayloadPrefix, {{"payload", id}})
            : c.payload_api_of(id);
    const size_t slash = api.find('/');
    Call call;
    call.method = route.method;
    call.target = api.substr(0, slash);
    call.path = (slash == std::string::npos ? "" : api.substr(slash)) + route.path;
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
RouteBuilder Client() {
  return [](const routes::Route& route, const StepContext& c, const Json& p) -> StatusOr<Call> {
    const Scenario& s = *c.scenario;
    IMSEMU_ASSIGN_OR_RETURN(Call call, OnMain()(route, c, p));
    if (!(Has(p, "session_type") && p["session_type"].is_null())) {
      call.path += "?session_type=" + PercentEncode(Param(p, "session_type", s.session_type));
    }
    const std::string auth = Param(p, "auth", s.authorization);
    if (auth != "none") call.headers.emplace_back("Authorization", auth);
    if (call.method == "POST") {
      call.body = Has(p, "raw_body") ? Text(p["raw_body"])
                  : Has(p, "config") ? Json({{"session_config", Text(p["config"])}}).dump()
                                     : "{}";
    }
    return call;
  };
}

std::pair<const std::string, StepKind> Row(std::string name, routes::Route route,
                                           std::set<std::string> params, RouteBuilder build) {
  return {std::move(name),
          StepKind{route, std::move(params), [route, build](const StepContext& c, const Json& p) {
                     return build(route, c, p);
                   }}};
}

}  // namespace

const std::map<std::string, StepKind>& StepKinds() {
  using namespace routes;
  static const std::set<std::string> kServer = {"payload", "via"};
  static const std::map<std::string, StepKind> kKinds = {
      Row("client.create_session", kCreateSession,
          {"project", "session_type", "config", "raw_body", "auth"}, Client()),
      Row("client.list_sessions", kListSessions, {"project", "session_type", "auth"}, Client()),
      Row("server.ready", kReady, {"payload", "via", "raw_body"},
          Server([](const Json& p) -> StatusOr<std::string> { return Param(p, "raw_body"); })),
      Row("server.get_payload", kGetPayload, kServer, Server()),
      Row("server.get_config", kGetConfig, kServer, Server()),
      Row("server.get_status", kGetStatus, kServer, Server()),
      Row("server.set_status", kSetStatus, {"payload", "via", "status"},
          Server([](const Json& p) -> StatusOr<std::string> { return BodyOf(p, "status"); })),
      Row("server.set_label", kSetLabel, {"payload", "via", "key", "value"}, Server(KeyValue)),
      Row("server.set_annotation", kSetAnnotation, {"payload", "via", "key", "value"},
          Server(KeyValue)),
      Row("orchestration.create_allocation", kCreateAllocation, {"project", "spec"},
          OnMain(JsonOf("spec"))),
      Row("orchestration.get_allocation", kGetAllocation, {"project", "allocation"}, OnMain()),
      Row("orchestration.replace_allocation", kReplaceAllocation, {"project", "allocation", "spec"},
          OnMain(JsonOf("spec"))),
      Row("orchestration.delete_allocation", kDeleteAllocation, {"project", "allocation"},
          OnMain()),
      Row("orchestration.list_payloads", kListPayloads, {"project", "allocation"}, OnMain()),
      Row("orchestration.get_payload", kGetPayloadOf, {"project", "allocation", "payload"},
          OnMain()),
      Row("orchestration.reserve", kReserve, {"project", "allocation", "body"},
          OnMain(JsonOf("body"))),
      Row("orchestration.delete_payload", kDeletePayload,
          {"project", "allocation", "payload", "force"},
          OnMain(nullptr,
                 [](const Json& p) {
                   return Has(p, "force") && p["force"] == true ? "?force_delete=true" : "";
                 })),
      // `emulator.advance: 12s` or `emulator.advance: {by: 12s}`
      Row("emulator.advance", kAdvanceClock, {"by"}, OnMain(JsonBody([](const Json& p) {
            return Seconds(p.is_object() ? p.value("by", Json()) : p, "emulator.advance");
          }))),
      Row("emulator.exit", kExitPayload, {"payload", "code"},
          OnMain(JsonBody([](const Json& p) -> StatusOr<Json> {
            return Json({{"code", Has(p, "code") ? p["code"] : Json(0)}});
          }))),
      Row("emulator.state", kForceState, {"payload", "state"},
          OnMain(JsonBody([](const Json& p) -> StatusOr<Json> {
            IMSEMU_ASSIGN_OR_RETURN(std::string state, Required(p, "state"));
            return Json({{"state", state}});
          }))),
      Row("emulator.reset", kReset, {}, OnMain()),
      Row("emulator.snapshot", kTakeSnapshot, {"name"}, OnMain()),
      Row("emulator.restore", kRestoreSnapshot, {"name"}, OnMain()),
      Row("emulator.get_state", kGetState, {}, OnMain()),
      Row("emulator.events", kEvents, {"after"},
          OnMain(nullptr, [](const Json& p) { return "?after=" + Param(p, "after", "0"); })),
      Row("emulator.session_config", kSessionConfig, {"payload"}, OnMain()),
      Row("fault.add", kAddFault,
          {"api", "method", "path", "status", "delay_ms", "times", "probability", "message"},
          OnMain([](const Json& p) -> StatusOr<std::string> { return p.dump(); })),
      Row("fault.list", kListFaults, {}, OnMain()),
      Row("fault.clear", kClearFaults, {}, OnMain()),
      Row("fault.payload_api_down", kApiDown, {"payload", "for"},
          OnMain(JsonBody([](const Json& p) {
            return Seconds(Has(p, "for") ? p["for"] : Json(), "fault.payload_api_down.for");
          }))),
      {"wait_until", {{"", nullptr}, {"every", "within"}, nullptr}},  // and the step it repeats
  };
  return kKinds;
}

std::optional<KindOfCall> FindStepKind(const std::string& method, const std::string& path,
                                       bool payload_api) {
  for (const auto& [name, kind] : StepKinds()) {
    if (kind.route.path == nullptr || method != kind.route.method ||
        payload_api != routes::IsPayloadLocalApi(kind.route)) {
      continue;
    }
    if (auto values = routes::Match(kind.route.path, path)) return KindOfCall{name, *values};
  }
  return std::nullopt;
}

}  // namespace imsemu::scenario
