#include "emulator/http/payload_api_outages.h"

#include <spdlog/spdlog.h>

namespace imsemu::http {

void PayloadApiOutages::OnPayloadAdded(const core::Payload& payload) {
  if (payload.api_down_until) OnPayloadApiDown(payload.id);
}

void PayloadApiOutages::OnPayloadApiDown(const std::string& payload_id) {
  FaultSpec spec;
  spec.api = Api::kPayloadLocal;
  spec.path_pattern = "/payloads/" + payload_id + "/.*";
  spec.status = 503;
  spec.message = "the Payload Local API of payload '" + payload_id + "' is not listening yet";
  StatusOr<Fault> fault = faults_.Add(spec);
  if (!fault.ok()) {
    spdlog::error("payload {}: {}", payload_id, fault.status().message());
    return;
  }
  MutexLock lock(mu_);
  fault_of_[payload_id] = fault->id;
}

void PayloadApiOutages::Up(const std::string& payload_id) {
  MutexLock lock(mu_);
  auto it = fault_of_.find(payload_id);
  if (it == fault_of_.end()) return;
  faults_.Remove(it->second);
  fault_of_.erase(it);
}

}  // namespace imsemu::http
