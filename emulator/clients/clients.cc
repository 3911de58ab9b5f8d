// The typed clients of ims_emulator/clients.h over HttpCall.
#include "ims_emulator/clients.h"

#include <cstdlib>

#include "emulator/clients/http_call.h"
#include "emulator/util/percent_encode.h"
#include "emulator/util/utf8.h"

namespace imsemu {
namespace {

using Json = nlohmann::json;

// Reads a field the API documents, tolerating its absence (never throws).
std::string Text(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

StringMap Strings(const Json& j, const char* key) {
  StringMap out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (e->is_string()) out[e.key()] = e->get<std::string>();
  }
  return out;
}

// A member of an object answer; null when absent or not an object (an odd
// answer must not throw).
const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::vector<NamedPort> Ports(const Json& j) {
  std::vector<NamedPort> out;
  auto it = j.find("ports");
  if (it == j.end() || !it->is_array()) return out;
  for (const Json& p : *it) {
    const Json& port = Member(p, "port");
    if (p.is_object()) {
      out.push_back({Text(p, "name"), port.is_number_integer() ? port.get<int>() : 0});
    }
  }
  return out;
}

// An id the API may send as a number or a string.
std::string Id(const Json& j) {
  const Json& id = Member(j, "id");
  return id.is_number_integer() ? std::to_string(id.get<long long>()) : Text(j, "id");
}

int Int(const Json& j, const char* key) {
  const Json& v = Member(j, key);
  return v.is_number_integer() ? v.get<int>() : 0;
}

// The array member `key`, or an empty one.
const Json& Array(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  const Json& v = Member(j, key);
  return v.is_array() ? v : kEmpty;
}

ClockInfo ClockOf(const Json& j) {
  ClockInfo clock{Text(j, "mode") == "virtual", Text(j, "now"), 0, std::nullopt};
  if (const Json& ms = Member(j, "unix_ms"); ms.is_number_integer()) {
    clock.unix_ms = ms.get<long long>();
  }
  if (const Json& next = Member(j, "next_timer"); next.is_string()) {
    clock.next_timer = next.get<std::string>();
  }
  return clock;
}

// A payload as Get Payload Details and /state show it.
PayloadInfo PayloadOf(const Json& p) {
  const Json& status = Member(p, "status");
  const Json& metadata = Member(p, "metadata");
  return PayloadInfo{Text(p, "id"),
                     Text(p, "allocation_id"),
                     Text(status, "state"),
                     Text(status, "details"),
                     Text(status, "address"),
                     Ports(status),
                     Strings(metadata, "labels"),
                     Strings(metadata, "annotations")};
}

Status OnlyStatus(const StatusOr<Json>& answer) {
  return answer.ok() ? OkStatus() : answer.status();
}

StatusOr<std::optional<std::string>> Config(const StatusOr<Json>& answer) {
  if (!answer.ok()) return answer.status();
  const Json& config = Member(*answer, "config");
  if (config.is_string()) return std::optional<std::string>(config.get<std::string>());
  return std::optional<std::string>();
}

}  // namespace

// --- SessionManagerClient ---------------------------------------------------

struct SessionManagerClient::Impl {
  clients::HttpCall call;
  std::string project;
};

SessionManagerClient::SessionManagerClient(const std::string& base_url, std::string project,
                                           std::string authorization)
    : impl_(new Impl{clients::HttpCall(base_url, {{"Authorization", std::move(authorization)}}),
                     std::move(project)}) {}
SessionManagerClient::~SessionManagerClient() = default;
SessionManagerClient::SessionManagerClient(SessionManagerClient&&) noexcept = default;
SessionManagerClient& SessionManagerClient::operator=(SessionManagerClient&&) noexcept = default;

StatusOr<CreatedSession> SessionManagerClient::CreateSession(
    const std::string& session_type, const std::optional<std::string>& config) {
  Json body = Json::object();
  if (config) body["session_config"] = *config;
  IMSEMU_ASSIGN_OR_RETURN(
      Json answer, impl_->call.Call(routes::kCreateSession, {{"project", impl_->project}}, body,
                                    "?session_type=" + PercentEncode(session_type)));
  return CreatedSession{Text(answer, "id"), Text(answer, "address"), Ports(answer)};
}

StatusOr<std::vector<SessionInfo>> SessionManagerClient::ListSessions(
    const std::string& session_type) {
  IMSEMU_ASSIGN_OR_RETURN(
      Json answer, impl_->call.Call(routes::kListSessions, {{"project", impl_->project}}, nullptr,
                                    "?session_type=" + PercentEncode(session_type)));
  std::vector<SessionInfo> out;
  const Json& sessions = Member(answer, "sessions");
  if (!sessions.is_array()) return out;
  for (const Json& s : sessions) {
    out.push_back({Text(s, "id"), Text(s, "address"), Ports(s), Strings(s, "session_status")});
  }
  return out;
}

// --- PayloadClient ------------------------------------------------------------

struct PayloadClient::Impl {
  clients::HttpCall call;
};

PayloadClient::PayloadClient(const std::string& payload_api)
    : impl_(new Impl{clients::HttpCall(payload_api)}) {}
PayloadClient::~PayloadClient() = default;
PayloadClient::PayloadClient(PayloadClient&&) noexcept = default;
PayloadClient& PayloadClient::operator=(PayloadClient&&) noexcept = default;

StatusOr<PayloadClient> PayloadClient::FromEnvironment() {
  const char* api = std::getenv("ORCHESTRATION_PAYLOAD_API");
  if (api == nullptr || *api == '\0') {
    return FailedPrecondition("ORCHESTRATION_PAYLOAD_API is not set");
  }
  return PayloadClient(api);
}

StatusOr<PayloadInfo> PayloadClient::GetPayload() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kGetPayload));
  return PayloadOf(Member(answer, "result"));
}

Status PayloadClient::Ready() { return OnlyStatus(impl_->call.Call(routes::kReady)); }

Status PayloadClient::SetLabel(const std::string& key, const std::string& value) {
  return OnlyStatus(impl_->call.Call(routes::kSetLabel, {}, {{"key", key}, {"value", value}}));
}

Status PayloadClient::SetAnnotation(const std::string& key, const std::string& value) {
  return OnlyStatus(impl_->call.Call(routes::kSetAnnotation, {}, {{"key", key}, {"value", value}}));
}

StatusOr<std::optional<std::string>> PayloadClient::GetConfig() {
  return Config(impl_->call.Call(routes::kGetConfig));
}

StatusOr<StringMap> PayloadClient::GetStatus() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kGetStatus));
  return Strings(Json{{"s", answer}}, "s");
}

Status PayloadClient::SetStatus(const StringMap& status) {
  return OnlyStatus(impl_->call.Call(routes::kSetStatus, {}, Json(status)));
}

// --- ControlClient ------------------------------------------------------------

struct ControlClient::Impl {
  clients::HttpCall call;
};

ControlClient::ControlClient(const std::string& base_url)
    : impl_(new Impl{clients::HttpCall(base_url)}) {}
ControlClient::~ControlClient() = default;
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient& ControlClient::operator=(ControlClient&&) noexcept = default;

Status ControlClient::AdvanceClock(std::chrono::milliseconds d) {
  return OnlyStatus(impl_->call.Call(routes::kAdvanceClock, {},
                                     {{"seconds", static_cast<double>(d.count()) / 1000.0}}));
}

Status ControlClient::Reset() {
  return OnlyStatus(impl_->call.Call(routes::kReset, {}, Json::object()));
}

Status ControlClient::ExitPayload(const std::string& payload_id, int code) {
  return OnlyStatus(
      impl_->call.Call(routes::kExitPayload, {{"payload", payload_id}}, {{"code", code}}));
}

Status ControlClient::ForceState(const std::string& payload_id, const std::string& state) {
  return OnlyStatus(
      impl_->call.Call(routes::kForceState, {{"payload", payload_id}}, {{"state", state}}));
}

StatusOr<std::optional<std::string>> ControlClient::SessionConfigOf(const std::string& payload_id) {
  return Config(impl_->call.Call(routes::kSessionConfig, {{"payload", payload_id}}));
}

StatusOr<std::vector<JournalEvent>> ControlClient::Events(long long after) {
  std::vector<JournalEvent> out;
  while (true) {
    IMSEMU_ASSIGN_OR_RETURN(Json page, impl_->call.Call(routes::kEvents, {}, nullptr,
                                                        "?after=" + std::to_string(after)));
    const Json& events = Member(page, "events");
    if (!events.is_array()) return Internal("the journal answer has no 'events' list");
    for (const Json& e : events) {
      const Json& seq = Member(e, "seq");
      out.push_back({seq.is_number_integer() ? seq.get<long long>() : 0, Text(e, "time"),
                     Text(e, "level"), Text(e, "actor"), Text(e, "kind"), Text(e, "project_id"),
                     Text(e, "allocation_id"), Text(e, "payload_id"), Text(e, "old_state"),
                     Text(e, "new_state"), Text(e, "detail")});
    }
    const Json& next_after = Member(page, "next_after");
    const long long next = next_after.is_number_integer() ? next_after.get<long long>() : after;
    if (events.empty() || next == after) return out;
    after = next;
  }
}

StatusOr<std::vector<std::string>> ControlClient::Journal(long long after) {
  IMSEMU_ASSIGN_OR_RETURN(std::vector<JournalEvent> events, Events(after));
  std::vector<std::string> lines;
  for (const JournalEvent& e : events) lines.push_back(e.ToString());
  return lines;
}

StatusOr<ClockInfo> ControlClient::Clock() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kGetClock));
  return ClockOf(answer);
}

Status ControlClient::AdvanceToNextTimer() {
  return OnlyStatus(impl_->call.Call(routes::kAdvanceClock, {}, {{"to", "next_timer"}}));
}

StatusOr<WorldState> ControlClient::State() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kGetState));
  WorldState state;
  state.clock = ClockOf(Member(answer, "clock"));
  for (const Json& project : Array(answer, "projects")) {
    if (project.is_string()) state.projects.push_back(project.get<std::string>());
  }
  for (const Json& a : Array(answer, "allocations")) {
    state.allocations.push_back({Text(a, "id"), Text(a, "project_id"), Text(a, "name"),
                                 Strings(a, "annotations")["session_type"], Text(a, "state"),
                                 Int(a, "buffer_size"), Int(a, "min_payloads"),
                                 Int(a, "max_payloads"),
                                 !Text(Member(a, "payload_spec"), "command").empty() ||
                                     !Text(Member(a, "payload_spec"), "image").empty()});
  }
  for (const Json& p : Array(answer, "payloads")) {
    state.payloads.push_back(
        {PayloadOf(p), Text(p, "orchestration_payload_api"), Text(p, "state_since")});
  }
  for (const Json& s : Array(answer, "sessions")) {
    WorldSession session{Text(s, "id"), Text(s, "session_type"), Strings(s, "session_status"),
                         Strings(s, "clients_see"), std::nullopt};
    if (const Json& at = Member(s, "clients_see_latest_at"); at.is_string()) {
      session.clients_see_latest_at = at.get<std::string>();
    }
    state.sessions.push_back(std::move(session));
  }
  return state;
}

StatusOr<std::vector<std::string>> ControlClient::PayloadLog(const std::string& payload_id,
                                                             int lines) {
  IMSEMU_ASSIGN_OR_RETURN(Json answer,
                          impl_->call.Call(routes::kPayloadLog, {{"payload", payload_id}}, nullptr,
                                           "?lines=" + std::to_string(lines)));
  std::vector<std::string> out;
  for (const Json& line : Array(answer, "lines")) {
    if (line.is_string()) out.push_back(line.get<std::string>());
  }
  return out;
}

StatusOr<std::string> ControlClient::AddFault(const FaultSpec& fault) {
  Json body = {
      {"api", fault.api}, {"delay_ms", fault.delay.count()}, {"probability", fault.probability}};
  if (!fault.method.empty()) body["method"] = fault.method;
  if (!fault.path.empty()) body["path"] = fault.path;
  if (fault.status != 0) body["status"] = fault.status;
  if (fault.times) body["times"] = *fault.times;
  if (!fault.message.empty()) body["message"] = fault.message;
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kAddFault, {}, body));
  return Id(Member(answer, "result"));
}

StatusOr<std::vector<FaultInfo>> ControlClient::Faults() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kListFaults));
  std::vector<FaultInfo> out;
  for (const Json& f : Array(answer, "faults")) {
    FaultInfo info;
    info.id = Id(f);
    info.spec.api = Text(f, "api");
    info.spec.method = Text(f, "method");
    info.spec.path = Text(f, "path");
    info.spec.status = Int(f, "status");
    info.spec.delay = std::chrono::milliseconds(Int(f, "delay_ms"));
    if (Member(f, "times_left").is_number_integer()) info.spec.times = Int(f, "times_left");
    if (const Json& p = Member(f, "probability"); p.is_number()) {
      info.spec.probability = p.get<double>();
    }
    info.matched = Int(f, "matched");
    info.fired = Int(f, "fired");
    out.push_back(std::move(info));
  }
  return out;
}

Status ControlClient::ClearFaults() { return OnlyStatus(impl_->call.Call(routes::kClearFaults)); }

Status ControlClient::TakePayloadApiDown(const std::string& payload_id,
                                         std::chrono::milliseconds d) {
  return OnlyStatus(impl_->call.Call(routes::kApiDown, {{"payload", payload_id}},
                                     {{"seconds", static_cast<double>(d.count()) / 1000.0}}));
}

Status ControlClient::TakeSnapshot(const std::string& name) {
  return OnlyStatus(impl_->call.Call(routes::kTakeSnapshot, {{"name", name}}, Json::object()));
}

Status ControlClient::RestoreSnapshot(const std::string& name) {
  return OnlyStatus(impl_->call.Call(routes::kRestoreSnapshot, {{"name", name}}, Json::object()));
}

StatusOr<std::vector<std::string>> ControlClient::Snapshots() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kListSnapshots));
  std::vector<std::string> names;
  for (const Json& s : Array(answer, "snapshots")) names.push_back(Text(s, "name"));
  return names;
}

StatusOr<std::string> ControlClient::Export() {
  IMSEMU_ASSIGN_OR_RETURN(Json answer, impl_->call.Call(routes::kExport));
  return answer.dump(2);
}

Status ControlClient::Import(const std::string& path) {
  return OnlyStatus(impl_->call.Call(routes::kImport, {}, {{"file", path}}));
}

// --- World state ----------------------------------------------------------------

const WorldPayload* WorldState::FindPayload(const std::string& id) const {
  for (const WorldPayload& p : payloads) {
    if (p.info.id == id) return &p;
  }
  return nullptr;
}

const WorldSession* WorldState::FindSession(const std::string& id) const {
  for (const WorldSession& s : sessions) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

int WorldState::CountInState(const std::string& state) const {
  int n = 0;
  for (const WorldPayload& p : payloads) n += p.info.state == state ? 1 : 0;
  return n;
}

std::string JournalEvent::ToString() const {
  std::string line = std::to_string(seq) + " " + time + " " + kind + " " + payload_id;
  if (!old_state.empty() || !new_state.empty()) {
    line.append(" ").append(old_state).append(" -> ").append(new_state);
  }
  if (!detail.empty()) line.append(" ").append(detail);
  return PrintableText(line);  // a hostile status value or label stays text
}

}  // namespace imsemu
