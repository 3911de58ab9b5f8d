#include "emulator/codec/payload_json.h"

#include "emulator/util/rfc3339.h"

namespace imsemu::codec {

nlohmann::json PortsToJson(const std::vector<core::Port>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const core::Port& p : ports) out.push_back({{"name", p.name}, {"port", p.port}});
  return out;
}

nlohmann::json PayloadToJson(const core::Payload& p) {
  nlohmann::json status = {{"state", core::PayloadStateName(p.state)}};
  if (!p.details.empty()) status["details"] = p.details;
  if (!p.address.empty()) status["address"] = p.address;
  status["ports"] = PortsToJson(p.ports);
  if (p.last_reserved) status["last_reserved"] = FormatRfc3339(*p.last_reserved);
  if (p.started) status["started"] = FormatRfc3339(*p.started);
  return {
      {"id", p.id},
      {"cluster_id", kClusterId},
      {"allocation_id", p.allocation_id},
      {"status", std::move(status)},
      {"created", FormatRfc3339(p.created)},
      {"metadata",
       {{"labels", nlohmann::json(p.labels)}, {"annotations", nlohmann::json(p.annotations)}}},
  };
}

}  // namespace imsemu::codec
