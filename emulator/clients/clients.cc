// The typed clients of ims_emulator/clients.h over HttpCall.
#include "ims_emulator/clients.h"

#include <cstdlib>

#include "emulator/clients/http_call.h"
#include "emulator/util/percent_encode.h"

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
  const Json& result = Member(answer, "result");
  const Json& status = Member(result, "status");
  const Json& metadata = Member(result, "metadata");
  return PayloadInfo{Text(result, "id"),          Text(result, "allocation_id"),
                     Text(status, "state"),       Text(status, "details"),
                     Text(status, "address"),     Ports(status),
                     Strings(metadata, "labels"), Strings(metadata, "annotations")};
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

StatusOr<std::vector<std::string>> ControlClient::Journal(long long after) {
  std::vector<std::string> lines;
  while (true) {
    IMSEMU_ASSIGN_OR_RETURN(Json page, impl_->call.Call(routes::kEvents, {}, nullptr,
                                                        "?after=" + std::to_string(after)));
    const Json& events = Member(page, "events");
    if (!events.is_array()) return Internal("the journal answer has no 'events' list");
    for (const Json& e : events) {
      const Json& seq = Member(e, "seq");
      std::string line = (seq.is_number_integer() ? std::to_string(seq.get<long long>()) : "?") +
                         " " + Text(e, "time") + " " + Text(e, "kind") + " " +
                         Text(e, "payload_id");
      if (!Text(e, "old_state").empty() || !Text(e, "new_state").empty()) {
        line.append(" ").append(Text(e, "old_state")).append(" -> ").append(Text(e, "new_state"));
      }
      if (!Text(e, "detail").empty()) line.append(" ").append(Text(e, "detail"));
      lines.push_back(std::move(line));
    }
    const Json& next_after = Member(page, "next_after");
    const long long next = next_after.is_number_integer() ? next_after.get<long long>() : after;
    if (events.empty() || next == after) return lines;
    after = next;
  }
}

}  // namespace imsemu
