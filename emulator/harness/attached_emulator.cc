#include "emulator/harness/attached_emulator.h"

#include <algorithm>

#include "emulator/clients/http_call.h"

namespace imsemu::harness {

StatusOr<std::unique_ptr<Emulator>> AttachedEmulator::Attach(const std::string& url) {
  IMSEMU_ASSIGN_OR_RETURN(EmulatorClaim claim, EmulatorClaim::Take(url));
  clients::HttpCall health(url);
  StatusOr<nlohmann::json> answer = health.Call(routes::kHealth);
  if (!answer.ok())
    return Unavailable("no emulator answers at " + url + ": " + answer.status().message());
  const std::string& server = health.server();  // "host:port"
  const size_t colon = server.rfind(':');
  const int port = colon == std::string::npos ? 0 : std::atoi(server.c_str() + colon + 1);
  return std::unique_ptr<Emulator>(new AttachedEmulator(url, port, std::move(claim)));
}

AttachedEmulator::AttachedEmulator(std::string url, int port, EmulatorClaim claim)
    : url_(std::move(url)), port_(port), claim_(std::move(claim)), control_(url_) {}

void AttachedEmulator::Stop() { claim_.reset(); }

Status AttachedEmulator::AdvanceClock(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  return control_.AdvanceClock(d);
}

Status AttachedEmulator::Reset() {
  std::lock_guard lock(mu_);
  return control_.Reset();
}

WorldState AttachedEmulator::State() const {
  std::lock_guard lock(mu_);
  StatusOr<WorldState> state = control_.State();
  return state.ok() ? *std::move(state) : WorldState{};
}

std::vector<std::string> AttachedEmulator::ProjectIds() {
  std::vector<std::string> ids = State().projects;
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> AttachedEmulator::PayloadIds() {
  std::vector<std::string> ids;
  for (const WorldPayload& p : State().payloads) ids.push_back(p.info.id);
  return ids;
}

std::string AttachedEmulator::PayloadApiOf(const std::string& payload_id) const {
  const WorldState state = State();
  const WorldPayload* p = state.FindPayload(payload_id);
  if (p != nullptr && !p->payload_api.empty()) return p->payload_api;
  // Unknown here: the shared path, whose answers then name the problem.
  return url_.substr(url_.find("://") == std::string::npos ? 0 : url_.find("://") + 3) +
         "/payloads/" + payload_id;
}

}  // namespace imsemu::harness
