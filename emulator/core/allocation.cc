#include "emulator/core/allocation.h"

#include <set>

namespace imsemu::core {

const std::string& AllocationSpec::SessionType() const {
  static const std::string kNone;
  auto it = annotations.find("session_type");
  return it == annotations.end() ? kNone : it->second;
}

Status ValidateAllocationSpec(const AllocationSpec& spec) {
  IMSEMU_RETURN_IF_ERROR(
      ValidateMetadata("annotations", MetadataKind::kAnnotation, spec.annotations));
  IMSEMU_RETURN_IF_ERROR(ValidateMetadata("labels", MetadataKind::kLabel, spec.labels));
  if (spec.buffer_size < 0) return InvalidArgument("buffer_size must be >= 0");
  if (spec.min_payloads < 0) return InvalidArgument("min_payloads must be >= 0");
  if (spec.max_payloads < 0) return InvalidArgument("max_payloads must be >= 0");
  if (spec.min_payloads > spec.max_payloads) {
    return InvalidArgument("min_payloads must be <= max_payloads");
  }
  if (spec.auto_ready_delay.count() < 0) {
    return InvalidArgument("auto_ready_delay_seconds must be >= 0");
  }
  if (spec.auto_reserve) {
    if (spec.auto_reserve->after.count() < 0) {
      return InvalidArgument("auto_reserve.after_seconds must be >= 0");
    }
    IMSEMU_RETURN_IF_ERROR(
        ValidateMetadata("auto_reserve.labels", MetadataKind::kLabel, spec.auto_reserve->labels));
    IMSEMU_RETURN_IF_ERROR(ValidateMetadata("auto_reserve.annotations", MetadataKind::kAnnotation,
                                            spec.auto_reserve->annotations));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < spec.payload_spec.ports.size(); ++i) {
    const PortSpec& port = spec.payload_spec.ports[i];
    const std::string field = "payload_spec.ports[" + std::to_string(i) + "]";
    if (port.name.empty()) return InvalidArgument(field + ".name must not be empty");
    if (!names.insert(port.name).second) {
      return InvalidArgument(field + ".name '" + port.name + "' is used twice");
    }
    if (port.container_port < 1 || port.container_port > 65535) {
      return InvalidArgument(field + ".container_port must be in 1..65535");
    }
    if (port.protocol != "UDP" && port.protocol != "TCP" && port.protocol != "TCPUDP") {
      return InvalidArgument(field + ".protocol must be one of UDP, TCP, TCPUDP");
    }
  }
  return OkStatus();
}

const char* Allocation::StateName() const {
  if (deleting) return "draining";
  return spec.enabled ? "active" : "disabled";
}

}  // namespace imsemu::core
