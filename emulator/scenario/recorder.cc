#include "emulator/scenario/recorder.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <regex>

#include "emulator/codec/allocation_json.h"
#include "emulator/scenario/json_path.h"
#include "emulator/util/utf8.h"

namespace imsemu::scenario {
namespace {

using Json = nlohmann::json;

// At most this many body values are expected per step (a list of 1,000
// payloads is checked by its first ones).
constexpr size_t kMaxExpectations = 40;
// Stands in for credentials the Session Manager refused: never written,
// and refused again on replay (the message may differ: only the status is
// expected).
constexpr const char* kRefusedCredentials = "Bearer (refused credentials, not recorded)";
// Under the real clock, time between calls is written in steps of this.
constexpr long long kRealClockGrainMs = 100;

const std::regex kSessions(R"(/api/v0/projects/([^/]+)/sessions)");
const std::regex kShared(R"(/payloads/([a-z0-9-]+)(/api/v0/.*))");
const std::regex kAllocations(R"(/api/v0/projects/([^/]+)/allocations)");
const std::regex kAllocation(R"(/api/v0/projects/([^/]+)/allocations/([^/]+))");
const std::regex kPayloads(R"(/api/v0/projects/([^/]+)/allocations/([^/]+)/payloads)");
const std::regex kPayload(R"(/api/v0/projects/([^/]+)/allocations/([^/]+)/payloads/([^/]+))");
const std::regex kReservations(R"(/api/v0/projects/([^/]+)/allocations/([^/]+)/reservations)");
const std::regex kControlPayload(R"(/emulator/v0/payloads/([^/]+)/(exit|state|api-down))");
const std::regex kSnapshot(R"(/emulator/v0/snapshots/([^/]+)(/restore)?)");

// `text` on one line of a YAML comment: control characters as spaces, bytes
// that are not UTF-8 as '?'.
std::string OneLine(std::string text) {
  for (size_t bad = FirstInvalidUtf8(text); bad < text.size();
       bad = bad + 1 + FirstInvalidUtf8(std::string_view(text).substr(bad + 1))) {
    text[bad] = '?';
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}

// A duration as steps write it.
std::string Ms(long long ms) { return std::to_string(ms) + "ms"; }

// `text` with `${` spelt so that the runner does not read a variable in it
// (the header defines `dollar`).
std::string Escape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      out += "${dollar}";
    } else {
      out += text[i];
    }
  }
  return out;
}

// A value as a step writes it: strings escaped, ids handed out as their
// variables (also inside a longer text, such as an error message).
Json Spell(const Json& value, const std::map<std::string, std::string>& variables) {
  if (value.is_string()) {
    std::string s = Escape(value.get_ref<const std::string&>());
    for (const auto& [id, name] : variables) {
      for (size_t at = s.find(id); at != std::string::npos; at = s.find(id, at)) {
        const std::string reference = "${" + name + "}";
        s.replace(at, id.size(), reference);
        at += reference.size();
      }
    }
    return s;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = Spell(*it, variables);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& v : value) out.push_back(Spell(v, variables));
    return out;
  }
  return value;
}

bool PlainKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

bool LooksLikeTime(const std::string& s) {
  return s.size() >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s.back() == 'Z';
}

// The leaves of `value` as path -> value, in document order, skipping what
// does not replay: request ids (a per-emulator counter), times under the
// real clock, and the OS's ports of real game servers.
void Flatten(const Json& value, const std::string& path, const RecordingWorld& world, Json& out) {
  if (out.size() >= kMaxExpectations) return;
  if (value.is_object() && !value.empty()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      if (key.find('"') != std::string::npos || key == "request_id") continue;
      if (key == "ports" && world.real_game_servers) continue;
      const std::string child =
          PlainKey(key) ? (path.empty() ? key : path + "." + key) : path + "[\"" + key + "\"]";
      Flatten(*it, child, world, out);
    }
    return;
  }
  if (value.is_array() && !value.empty()) {
    for (size_t i = 0; i < value.size(); ++i) {
      Flatten(value[i], path + "[" + std::to_string(i) + "]", world, out);
    }
    return;
  }
  if (path.empty()) return;
  if (value.is_string() && !world.virtual_clock && LooksLikeTime(value.get<std::string>())) return;
  out[path] = value;
}

// The body parsed as JSON, or nullopt.
std::optional<Json> Parsed(const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string Query(const RecordedCall& call, const std::string& key) {
  auto it = call.query.find(key);
  return it == call.query.end() ? "" : it->second;
}

RecordedStep Comment(const RecordedCall& call, const std::string& why) {
  RecordedStep step;
  step.comment = "not replayed: " + call.method + " " + call.path + " (" + why + ")";
  return step;
}

// A game client's call: its project, session type, body and credentials.
RecordedStep ClientStep(const RecordedCall& call, const std::string& project) {
  RecordedStep step;
  step.kind = call.method == "POST" ? "client.create_session" : "client.list_sessions";
  step.params = {{"project", project}, {"session_type", Query(call, "session_type")}};
  if (!call.has_authorization && call.status == 401) {
    step.params["auth"] = "none";
  } else if (call.has_authorization && call.status == 401) {
    step.params["auth"] = kRefusedCredentials;
  }
  if (call.method == "POST") {
    const std::optional<Json> body = Parsed(call.body);
    if (body && body->is_object() && body->size() == 1 && body->contains("session_config") &&
        (*body)["session_config"].is_string()) {
      step.params["config"] = (*body)["session_config"];
    } else if (!(body && *body == Json::object())) {
      step.params["raw_body"] = call.body;
    }
    if (call.status == 200) step.save = {{"", "id"}};
  }
  return step;
}

// A game server's call to its Payload Local API (`api_path` from /api/v0/).
std::optional<RecordedStep> ServerStep(const RecordedCall& call, const std::string& payload,
                                       const std::string& api_path, bool shared) {
  RecordedStep step;
  step.params = {{"payload", payload}};
  if (shared) step.params["via"] = "shared";
  const std::optional<Json> body = Parsed(call.body);
  if (api_path == "/api/v0/payload" && call.method == "GET") {
    step.kind = "server.get_payload";
  } else if (api_path == "/api/v0/ready" && call.method == "POST") {
    step.kind = "server.ready";
    if (!call.body.empty()) step.params["raw_body"] = call.body;
  } else if (api_path == "/api/v0/session-manager/config" && call.method == "GET") {
    step.kind = "server.get_config";
  } else if (api_path == "/api/v0/session-manager/status" && call.method == "GET") {
    step.kind = "server.get_status";
  } else if (api_path == "/api/v0/session-manager/status" && call.method == "POST") {
    if (!body) return Comment(call, "its body is not JSON, which server.set_status cannot send");
    step.kind = "server.set_status";
    step.params["status"] = *body;
  } else if ((api_path == "/api/v0/metadata/label" || api_path == "/api/v0/metadata/annotation") &&
             call.method == "PUT") {
    if (!body || !body->is_object() || !body->contains("key") || !(*body)["key"].is_string()) {
      return Comment(call, "its body is not {key, value}, which a step cannot send");
    }
    step.kind = api_path.ends_with("label") ? "server.set_label" : "server.set_annotation";
    step.params["key"] = (*body)["key"];
    step.params["value"] = body->value("value", Json(""));
  } else {
    return std::nullopt;  // a path no handler serves: the 404 changed nothing
  }
  return step;
}

std::optional<RecordedStep> OrchestrationStep(const RecordedCall& call) {
  std::smatch m;
  RecordedStep step;
  const std::optional<Json> body = Parsed(call.body);
  auto with_body = [&](const char* kind, const char* key) -> std::optional<RecordedStep> {
    if (!body) return Comment(call, "its body is not JSON, which a step cannot send");
    step.kind = kind;
    step.params[key] = *body;
    return step;
  };
  if (std::regex_match(call.path, m, kAllocations)) {
    step.params = {{"project", m[1]}};
    if (call.method != "POST") return Comment(call, "no step lists allocations");
    if (call.status == 200) step.save = {{"", "result.id"}};
    return with_body("orchestration.create_allocation", "spec");
  }
  if (std::regex_match(call.path, m, kAllocation)) {
    step.params = {{"project", m[1]}, {"allocation", m[2]}};
    if (call.method == "GET") step.kind = "orchestration.get_allocation";
    if (call.method == "DELETE") step.kind = "orchestration.delete_allocation";
    if (call.method == "PUT") return with_body("orchestration.replace_allocation", "spec");
    return step;
  }
  if (std::regex_match(call.path, m, kPayloads)) {
    step.params = {{"project", m[1]}, {"allocation", m[2]}};
    step.kind = "orchestration.list_payloads";
    return step;
  }
  if (std::regex_match(call.path, m, kPayload)) {
    step.params = {{"project", m[1]}, {"allocation", m[2]}, {"payload", m[3]}};
    step.kind =
        call.method == "DELETE" ? "orchestration.delete_payload" : "orchestration.get_payload";
    if (call.method == "DELETE" && Query(call, "force_delete") == "true") {
      step.params["force"] = true;
    }
    return step;
  }
  if (std::regex_match(call.path, m, kReservations)) {
    step.params = {{"project", m[1]}, {"allocation", m[2]}};
    if (call.status == 200) step.save = {{"", "result.id"}};
    return with_body("orchestration.reserve", "body");
  }
  return Comment(call, "no step sets payload metadata through the orchestration API");
}

std::optional<RecordedStep> ControlStep(const RecordedCall& call) {
  if (call.method == "GET") return std::nullopt;  // reading changes nothing
  std::smatch m;
  RecordedStep step;
  const std::optional<Json> body = Parsed(call.body);
  if (call.path == "/emulator/v0/clock/advance") return std::nullopt;  // the time between steps
  if (call.path == "/emulator/v0/reset") {
    step.kind = "emulator.reset";
  } else if (std::regex_match(call.path, m, kControlPayload)) {
    step.params = {{"payload", m[1]}};
    if (!body || !body->is_object()) return Comment(call, "its body is not a JSON object");
    if (m[2] == "exit" && body->contains("code")) {
      step.kind = "emulator.exit";
      step.params["code"] = (*body)["code"];
    } else if (m[2] == "state" && body->contains("state")) {
      step.kind = "emulator.state";
      step.params["state"] = (*body)["state"];
    } else if (m[2] == "api-down" && body->contains("seconds") && (*body)["seconds"].is_number()) {
      step.kind = "fault.payload_api_down";
      step.params["for"] = Ms(std::llround((*body)["seconds"].get<double>() * 1000));
    } else {
      return Comment(call, "a step cannot send its body");
    }
  } else if (call.path == "/emulator/v0/faults") {
    if (call.method == "DELETE") {
      step.kind = "fault.clear";
    } else {
      if (!body || !body->is_object()) return Comment(call, "its body is not a JSON object");
      step.kind = "fault.add";
      step.params = *body;
    }
  } else if (std::regex_match(call.path, m, kSnapshot)) {
    step.kind = m[2].matched ? "emulator.restore" : "emulator.snapshot";
    step.params = {{"name", m[1]}};
  } else if (call.path == "/emulator/v0/import") {
    return Comment(call, "an import reads a file; replay from the snapshot with serve --import");
  } else {
    // A control call that changes the world and that no step kind replays
    // is said, never dropped: the replay would differ without a word.
    return Comment(call, "no step kind replays this control call");
  }
  return step;
}

std::string Dump(const Json& j) {
  // UTF-8 as it is: yaml-cpp reads no escaped surrogate pairs (an emoji).
  return j.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace

std::optional<RecordedStep> StepFor(const RecordedCall& call, const RecordingWorld& world,
                                    std::map<std::string, std::string>& variables) {
  std::smatch m;
  std::optional<RecordedStep> step;
  if (!call.payload_id.empty()) {
    step = ServerStep(call, call.payload_id, call.path, /*shared=*/false);
  } else if (std::regex_match(call.path, m, kShared)) {
    step = ServerStep(call, m[1], m[2], /*shared=*/true);
  } else if (std::regex_match(call.path, m, kSessions)) {
    step = ClientStep(call, m[1]);
  } else if (call.path.starts_with("/api/v0/projects/")) {
    step = OrchestrationStep(call);
  } else if (call.path.starts_with("/emulator/v0/")) {
    step = ControlStep(call);
  }
  if (!step || step->kind.empty()) return step;
  step->params = Spell(step->params, variables);
  step->status = call.status;
  if (std::optional<Json> answer = Parsed(call.response_body)) {
    if (step->save) {
      const Json* id = FindPath(*answer, step->save->second);
      if (id && id->is_string() && !variables.count(id->get<std::string>())) {
        const char prefix = step->kind == "orchestration.create_allocation" ? 'a' : 's';
        int n = 1;
        for (const auto& [_, name] : variables) n += name[0] == prefix ? 1 : 0;
        const std::string name = std::string(1, prefix) + std::to_string(n);
        variables[id->get<std::string>()] = name;
        step->save->first = name;
      } else {
        step->save.reset();
      }
    }
    Json leaves = Json::object();
    Flatten(*answer, "", world, leaves);
    if (step->save) leaves.erase(step->save->second);  // saved, not yet known to expect
    // A step without parameters (emulator.reset, fault.clear) has null params.
    if (step->params.is_object() && step->params.value("auth", "") == kRefusedCredentials) {
      leaves.erase("message");
    }
    step->body_expectations = Spell(leaves, variables);
  }
  return step;
}

std::string HeaderText(const RecordingWorld& w, const std::string& path) {
  Json fixture = codec::FixtureToJson(w.fixture);
  if (w.real_game_servers) {
    // The recorded calls of each game server replace its process.
    for (Json& project : fixture["projects"]) {
      for (Json& allocation : project["allocations"]) {
        allocation["payload_spec"].erase("command");
        allocation["payload_spec"].erase("args");
        allocation["payload_spec"].erase("env");
      }
    }
  }
  return "# Recorded by `ims-emulator serve --record` under the " +
         std::string(w.virtual_clock ? "virtual clock: time between calls is exact."
                                     : "real clock: time between calls is rounded to 100 ms.") +
         "\n# Replay it with: ims-emulator scenario run " + OneLine(path) +
         "\nname: recorded session\n"
         "description: >\n"
         "  A live session against ims-emulator, recorded call by call: each step is\n"
         "  a call a game client, game server or orchestration caller made (or a\n"
         "  control call), expecting the answer it got.\n"
         "seed: " +
         std::to_string(w.seed) +
         "\nclock: virtual\n"
         "status_cache: {mode: " +
         core::StatusCacheModeName(w.status_cache.mode) +
         ", ttl: " + Ms(w.status_cache.ttl.count()) +
         "}\n"
         "vars: {dollar: \"$\"}\n"
         "world: " +
         Dump(fixture) + "\nsteps:\n";
}

std::string StepText(const RecordedStep& step) {
  if (step.kind.empty()) return "  # " + OneLine(step.comment) + "\n";
  std::string text = "  - " + step.kind + ": " + Dump(step.params) + "\n";
  if (step.save) text += "    save: " + Dump(Json{{step.save->first, step.save->second}}) + "\n";
  text += "    expect:\n      status: " + std::to_string(step.status) + "\n";
  if (!step.body_expectations.empty()) {
    text += "      body: " + Dump(step.body_expectations) + "\n";
  }
  return text;
}

StatusOr<std::unique_ptr<Recorder>> Recorder::Open(const std::string& path, RecordingWorld world,
                                                   Time start) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    return InvalidArgument("--record: cannot write '" + path + "': " + std::strerror(errno));
  }
  std::unique_ptr<Recorder> recorder(new Recorder(file, std::move(world), start));
  MutexLock lock(recorder->mu_);
  recorder->Append(HeaderText(recorder->world_, path));
  return recorder;
}

bool Recorder::Replays(const std::string& method, const std::string& path, bool payload_port) {
  if (payload_port || path.starts_with("/api/") || path.starts_with("/payloads/")) return true;
  return path.starts_with("/emulator/") && method != "GET";
}

void Recorder::RecordExit(const std::string& payload_id, int code, Time now) {
  RecordedCall call;
  call.method = "POST";
  call.path = "/emulator/v0/payloads/" + payload_id + "/exit";
  call.body = Json({{"code", code}}).dump();
  call.status = 200;  // passed on to the world, which took it
  Record(call, now);
}

Recorder::Recorder(std::FILE* file, RecordingWorld world, Time start)
    : file_(file), world_(std::move(world)), last_(start) {}

Recorder::~Recorder() { std::fclose(file_); }

void Recorder::Append(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);  // in the kernel's hands: a crash of ours loses nothing
}

void Recorder::Record(const RecordedCall& call, Time now) {
  MutexLock lock(mu_);
  std::optional<RecordedStep> step;
  try {
    step = StepFor(call, world_, variables_);
  } catch (const std::exception& e) {  // a bug of ours: said in the file, not lost
    step = Comment(call, std::string("the recorder failed: ") + e.what());
  }
  if (!step) return;
  std::string text;
  long long elapsed = (now - last_).count();
  if (!world_.virtual_clock) elapsed -= elapsed % kRealClockGrainMs;
  if (elapsed > 0) {
    text += "  - emulator.advance: " + Ms(elapsed) + "\n";
    last_ += imsemu::Duration(elapsed);
  } else if (elapsed < 0) {
    last_ = now;  // a restore moved the clock back; its step does so too
  }
  Append(text + StepText(*step));
}

}  // namespace imsemu::scenario
