#include "emulator/scenario/scenario_runner.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "emulator/clients/http_call.h"
#include "emulator/clock/stopwatch.h"
#include "emulator/emulator.h"
#include "emulator/scenario/json_path.h"
#include "emulator/scenario/scenario_loader.h"
#include "emulator/util/percent_encode.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::scenario {
namespace {

struct Call {
  std::string method;
  std::string target;  // host:port
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  httplib::Headers headers;
};

struct Exchange {
  int status = 0;  // 0: no answer (nothing listening)
  std::string raw;
  Json body;
};

// A step that could not be run as written.
struct StepError {
  std::string message;
};

std::string Truncate(const std::string& s, size_t n = 600) {
  return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::string Text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Expected scalars match strings that spell them (`players: 0` matches "0").
bool Matches(const Json& expected, const Json& actual) {
  if (expected == actual) return true;
  return actual.is_string() && !expected.is_string() && expected.is_primitive() &&
         actual.get<std::string>() == expected.dump();
}

class Run {
 public:
  Run(const Scenario& s, const RunOptions& o) : scenario_(s), options_(o), vars_(s.vars) {}

  ScenarioResult Go();

 private:
  void Step(const scenario::Step& step);
  void WaitUntil(const scenario::Step& step);
  // Runs `step` once; returns the mismatch, or nullopt when it held.
  std::optional<std::string> Attempt(const scenario::Step& step, Call& call, Exchange& got);
  Call BuildCall(const scenario::Step& step, const Json& params);
  Call PayloadCall(const Json& params, const std::string& method, const std::string& path);
  Exchange Send(const Call& call);
  std::optional<std::string> Check(const Expectation& expect, const Exchange& got);
  void Save(const scenario::Step& step, const Exchange& got);
  Json Substitute(const Json& value);
  std::string Param(const Json& params, const char* key, const std::string& fallback = "");
  std::string Required(const Json& params, const char* key);
  std::string Fail(const scenario::Step& step, const Call* call, const Exchange* got,
                   const std::string& mismatch);

  const Scenario& scenario_;
  const RunOptions& options_;
  std::unique_ptr<EmulatorImpl> emulator_;
  std::string main_;
  Time start_;
  std::map<std::string, Json> vars_;
  std::map<std::string, std::unique_ptr<clients::HttpCall>> connections_;  // by host:port
  std::string failure_;
};

std::string Run::Param(const Json& params, const char* key, const std::string& fallback) {
  if (!params.is_object() || !params.contains(key) || params[key].is_null()) return fallback;
  return Text(params[key]);
}

std::string Run::Required(const Json& params, const char* key) {
  std::string v = Param(params, key);
  if (v.empty()) throw StepError{std::string("this step needs '") + key + "'"};
  return v;
}

Json Run::Substitute(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = Substitute(*it);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(Substitute(item));
    return out;
  }
  if (!value.is_string()) return value;
  const std::string s = value.get<std::string>();
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t open = s.find("${", i);
    if (open == std::string::npos) {
      out += s.substr(i);
      break;
    }
    const size_t close = s.find('}', open);
    if (close == std::string::npos) throw StepError{"unclosed ${ in '" + s + "'"};
    const std::string name = s.substr(open + 2, close - open - 2);
    auto var = vars_.find(name);
    if (var == vars_.end()) {
      throw StepError{"variable '" + name + "' is not set (no earlier step saved it)"};
    }
    if (open == 0 && close == s.size() - 1) return var->second;  // keep the saved type
    out += s.substr(i, open - i) + Text(var->second);
    i = close + 1;
  }
  return out;
}

Call Run::PayloadCall(const Json& params, const std::string& method, const std::string& path) {
  const std::string id = Required(params, "payload");
  std::string api =
      Param(params, "via") == "shared" ? main_ + "/payloads/" + id : emulator_->PayloadApiOf(id);
  Call call;
  call.method = method;
  const size_t slash = api.find('/');
  call.target = api.substr(0, slash);
  call.path = (slash == std::string::npos ? "" : api.substr(slash)) + path;
  return call;
}

Call Run::BuildCall(const scenario::Step& step, const Json& p) {
  const std::string& k = step.kind;
  const std::string project = Param(p, "project", scenario_.project);
  const std::string alloc_base = "/api/v0/projects/" + project + "/allocations";
  Call call;
  call.target = main_;
  auto json_body = [&](const char* key, const Json& fallback) {
    return p.is_object() && p.contains(key) ? p[key].dump() : fallback.dump();
  };
  if (k == "client.create_session" || k == "client.list_sessions") {
    call.method = k == "client.create_session" ? "POST" : "GET";
    call.path = "/api/v0/projects/" + project + "/sessions";
    const std::string type = Param(p, "session_type", scenario_.session_type);
    if (!(p.is_object() && p.contains("session_type") && p["session_type"].is_null())) {
      call.path += "?session_type=" + PercentEncode(type);
    }
    const std::string auth = Param(p, "auth", scenario_.authorization);
    if (auth != "none") call.headers.emplace("Authorization", auth);
    if (call.method == "POST") {
      if (p.is_object() && p.contains("raw_body")) {
        call.body = Text(p["raw_body"]);
      } else if (p.is_object() && p.contains("config")) {
        call.body = Json({{"session_config", Text(p["config"])}}).dump();
      } else {
        call.body = "{}";
      }
    }
    return call;
  }
  if (k.rfind("server.", 0) == 0) {
    static const std::map<std::string, std::pair<const char*, const char*>> kServer = {
        {"server.ready", {"POST", "/api/v0/ready"}},
        {"server.get_payload", {"GET", "/api/v0/payload"}},
        {"server.get_config", {"GET", "/api/v0/session-manager/config"}},
        {"server.get_status", {"GET", "/api/v0/session-manager/status"}},
        {"server.set_status", {"POST", "/api/v0/session-manager/status"}},
        {"server.set_label", {"PUT", "/api/v0/metadata/label"}},
        {"server.set_annotation", {"PUT", "/api/v0/metadata/annotation"}},
    };
    const auto& [method, path] = kServer.at(k);
    call = PayloadCall(p, method, path);
    if (k == "server.set_status") call.body = json_body("status", Json::object());
    if (k == "server.set_label" || k == "server.set_annotation") {
      call.body = Json({{"key", Required(p, "key")}, {"value", Param(p, "value")}}).dump();
    }
    if (k == "server.ready") call.body = Param(p, "raw_body");
    return call;
  }
  if (k == "orchestration.create_allocation" || k == "orchestration.replace_allocation") {
    call.method = k == "orchestration.create_allocation" ? "POST" : "PUT";
    call.path = alloc_base;
    if (call.method == "PUT") call.path += "/" + Required(p, "allocation");
    call.body = json_body("spec", Json::object());
    return call;
  }
  if (k.rfind("orchestration.", 0) == 0) {
    const std::string alloc = alloc_base + "/" + Required(p, "allocation");
    if (k == "orchestration.get_allocation") return {"GET", main_, alloc, "", "", {}};
    if (k == "orchestration.delete_allocation") return {"DELETE", main_, alloc, "", "", {}};
    if (k == "orchestration.list_payloads") return {"GET", main_, alloc + "/payloads", "", "", {}};
    if (k == "orchestration.reserve") {
      return {"POST",
              main_,
              alloc + "/reservations",
              json_body("body", Json::object()),
              "application/json",
              {}};
    }
    const std::string payload = alloc + "/payloads/" + Required(p, "payload");
    if (k == "orchestration.get_payload") return {"GET", main_, payload, "", "", {}};
    const bool force = p.value("force", false);
    return {"DELETE", main_, payload + (force ? "?force_delete=true" : ""), "", "", {}};
  }
  if (k == "emulator.advance") {
    const Json by = p.is_object() ? p.value("by", Json()) : p;
    StatusOr<Duration> d = ParseDuration(by);
    if (!d.ok()) throw StepError{"emulator.advance: " + d.status().message()};
    return {"POST",
            main_,
            "/emulator/v0/clock/advance",
            Json({{"seconds", static_cast<double>(d->count()) / 1000.0}}).dump(),
            "application/json",
            {}};
  }
  if (k == "emulator.exit") {
    return {"POST",
            main_,
            "/emulator/v0/payloads/" + Required(p, "payload") + "/exit",
            Json({{"code", p.value("code", 0)}}).dump(),
            "application/json",
            {}};
  }
  if (k == "emulator.state") {
    return {"PUT",
            main_,
            "/emulator/v0/payloads/" + Required(p, "payload") + "/state",
            Json({{"state", Required(p, "state")}}).dump(),
            "application/json",
            {}};
  }
  if (k == "emulator.reset") return {"POST", main_, "/emulator/v0/reset", "", "", {}};
  if (k == "emulator.get_state") return {"GET", main_, "/emulator/v0/state", "", "", {}};
  if (k == "emulator.events") {
    return {"GET", main_, "/emulator/v0/events?after=" + Param(p, "after", "0"), "", "", {}};
  }
  if (k == "emulator.session_config") {
    return {"GET", main_, "/emulator/v0/payloads/" + Required(p, "payload") + "/session-config",
            "",    "",    {}};
  }
  if (k == "fault.add")
    return {"POST", main_, "/emulator/v0/faults", p.dump(), "application/json", {}};
  if (k == "fault.list") return {"GET", main_, "/emulator/v0/faults", "", "", {}};
  if (k == "fault.clear") return {"DELETE", main_, "/emulator/v0/faults", "", "", {}};
  if (k == "fault.payload_api_down") {
    StatusOr<Duration> d = ParseDuration(p.value("for", Json()));
    if (!d.ok()) throw StepError{"fault.payload_api_down.for: " + d.status().message()};
    return {"POST",
            main_,
            "/emulator/v0/payloads/" + Required(p, "payload") + "/api-down",
            Json({{"seconds", static_cast<double>(d->count()) / 1000.0}}).dump(),
            "application/json",
            {}};
  }
  throw StepError{"step kind '" + k + "' cannot be run"};
}

Exchange Run::Send(const Call& call) {
  std::unique_ptr<clients::HttpCall>& connection = connections_[call.target];
  if (!connection) connection = std::make_unique<clients::HttpCall>(call.target);
  clients::HttpReply reply =
      connection->Exchange(call.method, call.path, call.body, call.content_type, call.headers);
  Exchange got;
  got.status = reply.status;
  got.raw = std::move(reply.body);
  got.body = Json::parse(got.raw, nullptr, false);
  return got;
}

std::optional<std::string> Run::Check(const Expectation& expect, const Exchange& got) {
  const int want = expect.status.value_or(200);
  if (got.status != want) {
    return "expected: status " + std::to_string(want) + "\n  actual:   status " +
           (got.status == 0 ? std::string("none (nothing answered)") : std::to_string(got.status));
  }
  for (const auto& [path, raw_expected] : expect.body) {
    const Json expected = Substitute(raw_expected);
    const Json* actual = FindPath(got.body, path);
    if (actual == nullptr || !Matches(expected, *actual)) {
      return "expected: " + path + " = " + expected.dump() + "\n  actual:   " + path +
             (actual == nullptr ? " is absent" : " = " + Truncate(actual->dump(), 300));
    }
  }
  for (const std::string& path : expect.absent) {
    if (const Json* actual = FindPath(got.body, path)) {
      return "expected: " + path + " absent\n  actual:   " + path + " = " +
             Truncate(actual->dump(), 300);
    }
  }
  return std::nullopt;
}

void Run::Save(const scenario::Step& step, const Exchange& got) {
  for (const auto& [name, path] : step.save) {
    const Json* value = FindPath(got.body, path);
    if (value == nullptr) throw StepError{"save: the response has no '" + path + "'"};
    vars_[name] = *value;
  }
}

std::string Run::Fail(const scenario::Step& step, const Call* call, const Exchange* got,
                      const std::string& mismatch) {
  std::ostringstream out;
  out << "FAIL " << scenario_.file << ":" << step.line << ": step " << step.number << " ("
      << step.kind << ")\n";
  if (call != nullptr) {
    out << "  request:  " << call->method << " http://" << call->target << call->path << "\n";
    if (!call->body.empty()) out << "            " << Truncate(call->body) << "\n";
  }
  if (got != nullptr) {
    out << "  response: "
        << (got->status == 0 ? std::string("(no answer)") : std::to_string(got->status)) << " "
        << Truncate(got->raw) << "\n";
  }
  out << "  " << mismatch << "\n";
  const Time now = emulator_ ? emulator_->clock().Now() : start_;
  out << "  seed " << options_.seed.value_or(scenario_.seed) << ", virtual time "
      << FormatRfc3339(now) << " (" << static_cast<double>((now - start_).count()) / 1000.0
      << " s into the scenario)\n";
  return out.str();
}

std::optional<std::string> Run::Attempt(const scenario::Step& step, Call& call, Exchange& got) {
  call = BuildCall(step, Substitute(step.params));
  got = Send(call);
  if (options_.verbose != nullptr) {
    *options_.verbose << "  " << scenario_.file << ":" << step.line << " " << step.kind << " -> "
                      << got.status << " " << Truncate(got.raw, 200) << "\n";
  }
  return Check(step.expect, got);
}

void Run::Step(const scenario::Step& step) {
  Call call;
  Exchange got;
  try {
    if (step.kind == "wait_until") return WaitUntil(step);
    if (auto mismatch = Attempt(step, call, got)) {
      failure_ = Fail(step, &call, &got, *mismatch);
      return;
    }
    Save(step, got);
  } catch (const StepError& e) {
    failure_ = Fail(step, call.method.empty() ? nullptr : &call,
                    got.status == 0 && got.raw.empty() ? nullptr : &got, e.message);
  }
}

void Run::WaitUntil(const scenario::Step& step) {
  const scenario::Step& inner = *step.repeat;
  const Time deadline = emulator_->clock().Now() + step.within;
  const Stopwatch waited;
  while (true) {
    Call call;
    Exchange got;
    std::optional<std::string> mismatch = Attempt(inner, call, got);
    if (!mismatch) {
      Save(inner, got);
      return;
    }
    const bool out_of_time = scenario_.virtual_clock ? emulator_->clock().Now() >= deadline
                                                     : waited.Elapsed() >= step.within;
    if (out_of_time) {
      failure_ = Fail(
          step, &call, &got,
          "did not hold within " + std::to_string(step.within.count()) + " ms:\n  " + *mismatch);
      return;
    }
    if (scenario_.virtual_clock) {
      Status s = emulator_->AdvanceClock(step.every);
      if (!s.ok()) throw StepError{s.message()};
    } else {
      std::this_thread::sleep_for(step.every);
    }
  }
}

ScenarioResult Run::Go() {
  ScenarioResult result;
  result.file = scenario_.file;
  result.name = scenario_.name;
  const Stopwatch wall;
  EmulatorOptions options;
  options.fixture = scenario_.world;
  // A scenario file is a local, trusted script, like a fixture.
  options.allow_http_commands = true;
  options.virtual_clock = scenario_.virtual_clock;
  options.world.seed = options_.seed.value_or(scenario_.seed);
  options.world.status_cache.mode = scenario_.status_cache;
  options.world.status_cache.ttl = scenario_.status_cache_ttl;
  StatusOr<http::SessionAuth> auth = http::SessionAuth::FromSpec(scenario_.auth);
  if (!auth.ok()) return LoadFailure(scenario_.file, auth.status().message());
  options.auth = *auth;
  StatusOr<std::unique_ptr<EmulatorImpl>> started = EmulatorImpl::Start(std::move(options));
  if (!started.ok()) return LoadFailure(scenario_.file, started.status().message());
  emulator_ = *std::move(started);
  main_ = "127.0.0.1:" + std::to_string(emulator_->port());
  start_ = emulator_->clock().Now();
  for (const scenario::Step& step : scenario_.steps) {
    Step(step);
    ++result.steps_run;
    if (!failure_.empty()) break;
  }
  result.virtual_elapsed = emulator_->clock().Now() - start_;
  connections_.clear();
  emulator_->Stop();
  result.passed = failure_.empty();
  result.report = failure_;
  result.wall_ms = wall.ElapsedMs();
  return result;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

ScenarioResult RunScenario(const Scenario& scenario, const RunOptions& options) {
  return Run(scenario, options).Go();
}

ScenarioResult LoadFailure(const std::string& file, const std::string& message) {
  ScenarioResult r;
  r.file = file;
  r.name = file;
  r.report = "FAIL " + message + "\n";
  return r;
}

std::string JUnitXml(const std::vector<ScenarioResult>& results) {
  int failures = 0;
  double total_ms = 0;
  for (const ScenarioResult& r : results) {
    failures += r.passed ? 0 : 1;
    total_ms += r.wall_ms;
  }
  std::ostringstream out;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", total_ms / 1000.0);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n  <testsuite name=\"scenarios\" tests=\"" << results.size()
      << "\" failures=\"" << failures << "\" errors=\"0\" time=\"" << seconds << "\">\n";
  for (const ScenarioResult& r : results) {
    std::snprintf(seconds, sizeof seconds, "%.3f", r.wall_ms / 1000.0);
    out << "    <testcase classname=\"" << XmlEscape(r.file) << "\" name=\"" << XmlEscape(r.name)
        << "\" time=\"" << seconds << "\"";
    if (r.passed) {
      out << "/>\n";
    } else {
      const std::string first_line = r.report.substr(0, r.report.find('\n'));
      out << ">\n      <failure message=\"" << XmlEscape(first_line) << "\">" << XmlEscape(r.report)
          << "</failure>\n    </testcase>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace imsemu::scenario
