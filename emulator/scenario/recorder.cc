#include "emulator/scenario/recorder.h"
#include "emulator/util/file_problem.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <tuple>

#include <unistd.h>

#include "emulator/codec/allocation_json.h"
#include "emulator/scenario/json_path.h"
#include "emulator/scenario/step_kinds.h"
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
// Reads since the last other step are rewritten as they repeat up to this
// size; past it, they start afresh (each rewrite is one write of them all).
constexpr size_t kMaxReadsBytes = 64 * 1024;

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
RecordedStep ClientStep(const RecordedCall& call, RecordedStep step) {
  step.params["session_type"] = Query(call, "session_type");
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

// What a step of `step.kind` takes from the call's body and query, beyond
// the values of its route's path (already in `step.params`); a comment when a
// step cannot send what the call sent.
std::optional<RecordedStep> WithBody(const RecordedCall& call, RecordedStep step) {
  const std::string& kind = step.kind;
  const std::optional<Json> body = Parsed(call.body);
  auto body_as = [&](const char* key) -> std::optional<RecordedStep> {
    if (!body) return Comment(call, "its body is not JSON, which " + kind + " cannot send");
    step.params[key] = *body;
    return step;
  };
  auto object_body = [&]() { return body && body->is_object(); };
  if (kind.starts_with("client.")) return ClientStep(call, std::move(step));
  if (kind == "server.ready") {
    if (!call.body.empty()) step.params["raw_body"] = call.body;
  } else if (kind == "server.set_status") {
    return body_as("status");
  } else if (kind == "server.set_label" || kind == "server.set_annotation") {
    if (!object_body() || !body->contains("key") || !(*body)["key"].is_string()) {
      return Comment(call, "its body is not {key, value}, which a step cannot send");
    }
    step.params["key"] = (*body)["key"];
    step.params["value"] = body->value("value", Json(""));
  } else if (kind == "orchestration.create_allocation") {
    if (call.status == 200) step.save = {{"", "result.id"}};
    return body_as("spec");
  } else if (kind == "orchestration.replace_allocation") {
    return body_as("spec");
  } else if (kind == "orchestration.reserve") {
    if (call.status == 200) step.save = {{"", "result.id"}};
    return body_as("body");
  } else if (kind == "orchestration.delete_payload") {
    if (Query(call, "force_delete") == "true") step.params["force"] = true;
  } else if (kind == "emulator.exit" || kind == "emulator.state" ||
             kind == "fault.payload_api_down") {
    if (!object_body()) return Comment(call, "its body is not a JSON object");
    if (kind == "emulator.exit" && body->contains("code")) {
      step.params["code"] = (*body)["code"];
    } else if (kind == "emulator.state" && body->contains("state")) {
      step.params["state"] = (*body)["state"];
    } else if (kind == "fault.payload_api_down" && body->contains("seconds") &&
               (*body)["seconds"].is_number()) {
      step.params["for"] = Ms(std::llround((*body)["seconds"].get<double>() * 1000));
    } else {
      return Comment(call, "a step cannot send its body");
    }
  } else if (kind == "fault.add") {
    if (!object_body()) return Comment(call, "its body is not a JSON object");
    step.params = *body;
  }
  return step;
}

// The step for a call no step kind makes: none for a call that changes
// nothing, else a comment saying why it is not replayed.
std::optional<RecordedStep> WithoutKind(const RecordedCall& call, bool payload_api) {
  if (payload_api) return std::nullopt;  // a path no handler serves: the 404 changed nothing
  if (routes::Match(routes::kListSessions.path, call.path)) {
    return std::nullopt;  // a method the Session Manager does not serve: a 404
  }
  const std::string_view allocations = routes::kListAllocations.path;
  if (call.path.starts_with(allocations.substr(0, allocations.find('{')))) {
    return Comment(call, "no step kind makes this orchestration call");
  }
  if (!call.path.starts_with(routes::kControlApiPrefix)) return std::nullopt;
  if (routes::Match(routes::kImport.path, call.path)) {
    return Comment(call, "an import reads a file; replay from the snapshot with serve --import");
  }
  // A control call that changes the world and that no step kind replays
  // is said, never dropped: the replay would differ without a word.
  return Comment(call, "no step kind replays this control call");
}

std::string Dump(const Json& j) {
  // UTF-8 as it is: yaml-cpp reads no escaped surrogate pairs (an emoji).
  return j.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace

std::optional<RecordedStep> StepFor(const RecordedCall& call, const RecordingWorld& world,
                                    std::map<std::string, std::string>& variables) {
  // A Payload Local API call: on the payload's own port, or under the shared
  // port's /payloads/{payload} prefix.
  std::string payload = call.payload_id;
  std::string path = call.path;
  if (auto shared = routes::SplitSharedPayloadPath(path); payload.empty() && shared) {
    std::tie(payload, path) = *std::move(shared);
  }
  const bool payload_api = !payload.empty();
  if (!payload_api && path.starts_with(routes::kControlApiPrefix) && call.method == "GET") {
    return std::nullopt;  // reading the control API changes nothing
  }
  std::optional<RecordedStep> step;
  // The time between steps is written as advances of its own.
  if (std::optional<KindOfCall> found = FindStepKind(call.method, path, payload_api);
      found && found->kind != "emulator.advance") {
    RecordedStep made;
    made.kind = found->kind;
    made.params = Json::object();
    for (const auto& [name, value] : found->values) made.params[name] = value;
    if (payload_api) {
      made.params["payload"] = payload;
      if (call.payload_id.empty()) made.params["via"] = "shared";
    }
    step = WithBody(call, std::move(made));
    // A kind that takes no parameters (emulator.reset, fault.clear) has none.
    if (step && !step->kind.empty() && StepKinds().at(step->kind).params.empty()) {
      step->params = Json();
    }
  } else if (!found) {
    step = WithoutKind(call, payload_api);
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
        allocation["payload_spec"].erase("environment_variables");
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
  if (step.times > 1) {
    char span[32];
    std::snprintf(span, sizeof span, "%.1f", static_cast<double>(step.span.count()) / 1000.0);
    text += "    times: " + std::to_string(step.times) + "  # the same answer " +
            std::to_string(step.times) + " times in " + span + " s (replayed back to back)\n";
  }
  text += "    expect:\n      status: " + std::to_string(step.status) + "\n";
  if (!step.body_expectations.empty()) {
    text += "      body: " + Dump(step.body_expectations) + "\n";
  }
  return text;
}

StatusOr<std::unique_ptr<Recorder>> Recorder::Open(const std::string& path, bool overwrite,
                                                   RecordingWorld world, Time start) {
  // "x": fail if it exists, so a recording is never lost by a slip.
  std::FILE* file = std::fopen(path.c_str(), overwrite ? "w" : "wx");
  if (file == nullptr && errno == EEXIST) {
    return InvalidArgument("--record: '" + path +
                           "' already exists; give --record-overwrite to replace it, or "
                           "another file");
  }
  if (file == nullptr) {
    const std::string why = FileProblem(path, FileUse::kWrite);
    return InvalidArgument("--record: cannot write '" + path +
                           "': " + (why.empty() ? std::strerror(errno) : why));
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
  call.path = routes::Expand(routes::kExitPayload.path, {{"payload", payload_id}});
  call.body = Json({{"code", code}}).dump();
  call.status = 200;  // passed on to the world, which took it
  Record(call, now);
}

Recorder::Recorder(std::FILE* file, RecordingWorld world, Time start)
    : file_(file), world_(std::move(world)), last_(start) {}

Recorder::~Recorder() { std::fclose(file_); }

namespace {

// Writes all of `text` at `offset` (one write for a text that fits, as a
// step's does: a SIGKILL never leaves half of it).
void WriteAt(int fd, const std::string& text, long long offset) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done,
                               static_cast<off_t>(offset + static_cast<long long>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk: the recording ends where it could
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void Recorder::Append(const std::string& text) {
  // In the kernel's hands before the answer is sent: a crash of ours loses nothing.
  WriteAt(fileno(file_), text, size_);
  size_ += static_cast<long long>(text.size());
}

void Recorder::RewriteReads() {
  std::string text;
  for (const Read& read : reads_) text += read.advance + StepText(read.step);
  WriteAt(fileno(file_), text, reads_start_);
  size_ = reads_start_ + static_cast<long long>(text.size());
  if (::ftruncate(fileno(file_), static_cast<off_t>(size_)) != 0) {
    // The tail only grows (counts and spans go up): nothing was left over.
  }
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
  // A read that changes nothing, answered as an earlier one since the last
  // other step: that step's count goes up, and the time passes on to the next.
  // A fault may answer a read and counts the reads it matched: while one may
  // be in force, every read is written where it happened.
  if (step->kind == "fault.add" || step->kind == "emulator.restore") faults_ = true;
  if (step->kind == "fault.clear") faults_ = false;
  const bool read = call.method == "GET" && !step->kind.empty() && !faults_;
  const std::string identity = read ? StepText(*step) : "";
  for (Read& earlier : reads_) {
    if (!read || earlier.identity != identity) continue;
    ++earlier.step.times;
    earlier.step.span = now - earlier.first;
    RewriteReads();
    return;
  }
  std::string advance;
  long long elapsed = (now - last_).count();
  if (!world_.virtual_clock) elapsed -= elapsed % kRealClockGrainMs;
  if (elapsed > 0) {
    advance = "  - emulator.advance: " + Ms(elapsed) + "\n";
    last_ += imsemu::Duration(elapsed);
  } else if (elapsed < 0) {
    last_ = now;  // a restore moved the clock back; its step does so too
  }
  if (!read || size_ - reads_start_ > static_cast<long long>(kMaxReadsBytes)) reads_.clear();
  if (read) {
    if (reads_.empty()) reads_start_ = size_;
    reads_.push_back({advance, *step, identity, now});
  }
  Append(advance + StepText(*step));
}

}  // namespace imsemu::scenario
