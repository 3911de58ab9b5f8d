#include "emulator/core/allocation.h"

#include <set>

#include "emulator/util/enum_names.h"

namespace imsemu::core {

const std::string& AllocationSpec::SessionType() const {
  static const std::string kNone;
  auto it = annotations.find("session_type");
  return it == annotations.end() ? kNone : it->second;
}

StringMap PayloadSpec::Environment() const {
  StringMap out = env;
  for (const EnvironmentVariable& v : environment_variables) out[v.name] = v.value;
  return out;
}

namespace {

// A name people read in lists and logs: at most 128 characters, none of them
// a control character.
Status ValidateName(const std::string& field, const std::string& name) {
  if (name.size() > 128) return InvalidArgument(field + " must be at most 128 characters");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return InvalidArgument(field + " must not contain control characters");
    }
  }
  return OkStatus();
}

// An image reference as a container runtime takes it (name[:tag][@digest]):
// it becomes one argument of the runtime's command line, so it must not read
// as an option.
Status ValidateImage(const PayloadSpec& spec) {
  if (spec.image.empty()) return OkStatus();
  if (!spec.command.empty()) {
    return InvalidArgument(
        "payload_spec: give command (a local program) or image (a container), not both");
  }
  if (spec.image.size() > 512) {
    return InvalidArgument("payload_spec.image must be at most 512 characters");
  }
  if (spec.image.front() == '-') {
    return InvalidArgument("payload_spec.image must not start with '-'; got '" + spec.image + "'");
  }
  for (char c : spec.image) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return InvalidArgument(
          "payload_spec.image must not contain spaces or control characters (an image "
          "reference such as localhost/game-server:1.4)");
    }
  }
  return OkStatus();
}

Status ValidateEnvironmentName(const std::string& field, const std::string& name) {
  if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
    return InvalidArgument(field + " '" + name + "' must be non-empty, without '=' or NUL");
  }
  return OkStatus();
}

Status ValidateEnvironment(const PayloadSpec& spec) {
  for (const auto& [key, value] : spec.env) {
    IMSEMU_RETURN_IF_ERROR(ValidateEnvironmentName("payload_spec.env key", key));
    if (value.find('\0') != std::string::npos) {
      return InvalidArgument("payload_spec.env." + key + " must not contain NUL");
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < spec.environment_variables.size(); ++i) {
    const EnvironmentVariable& v = spec.environment_variables[i];
    const std::string field = "payload_spec.environment_variables[" + std::to_string(i) + "]";
    IMSEMU_RETURN_IF_ERROR(ValidateEnvironmentName(field + ".name", v.name));
    if (v.value.find('\0') != std::string::npos) {
      return InvalidArgument(field + ".value must not contain NUL");
    }
    if (!names.insert(v.name).second) {
      return InvalidArgument(field + ".name '" + v.name + "' is given twice");
    }
    if (spec.env.count(v.name) != 0) {
      return InvalidArgument(field + ".name '" + v.name +
                             "' is in payload_spec.env too; give each variable once");
    }
  }
  return OkStatus();
}

Status ValidateResources(const Resources& resources) {
  if (!resources.cpu.empty() && !MilliCpuOf(resources.cpu)) {
    return InvalidArgument(
        "payload_spec.resources.cpu must be a positive number of cores such as "
        "2, 0.5 or 500m (at least 1m); got '" +
        resources.cpu + "'");
  }
  if (!resources.memory.empty() && !MemoryBytesOf(resources.memory)) {
    return InvalidArgument(
        "payload_spec.resources.memory must be a positive number of bytes with an optional "
        "suffix k, M, G, T, Ki, Mi, Gi or Ti, such as 512Mi (at most 1Pi); got '" +
        resources.memory + "'");
  }
  return OkStatus();
}

}  // namespace

Status ValidateAllocationSpec(const AllocationSpec& spec) {
  IMSEMU_RETURN_IF_ERROR(ValidateName("name", spec.name));
  IMSEMU_RETURN_IF_ERROR(
      ValidateMetadata("annotations", MetadataKind::kAnnotation, spec.annotations));
  IMSEMU_RETURN_IF_ERROR(ValidateMetadata("labels", MetadataKind::kLabel, spec.labels));
  if (spec.buffer_size < 0) return InvalidArgument("buffer_size must be >= 0");
  if (spec.min_payloads < 0) return InvalidArgument("min_payloads must be >= 0");
  if (spec.max_payloads < 0) return InvalidArgument("max_payloads must be >= 0");
  if (spec.min_payloads > spec.max_payloads) {
    return InvalidArgument("min_payloads must be <= max_payloads");
  }
  if (spec.buffer_size > spec.max_payloads) {
    return InvalidArgument("buffer_size must be <= max_payloads");
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
  IMSEMU_RETURN_IF_ERROR(ValidateEnvironment(spec.payload_spec));
  IMSEMU_RETURN_IF_ERROR(ValidateResources(spec.payload_spec.resources));
  for (size_t i = 0; i < spec.payload_spec.args.size(); ++i) {
    if (spec.payload_spec.args[i].find('\0') != std::string::npos) {
      return InvalidArgument("payload_spec.args[" + std::to_string(i) + "] must not contain NUL");
    }
  }
  if (spec.payload_spec.command.find('\0') != std::string::npos) {
    return InvalidArgument("payload_spec.command must not contain NUL");
  }
  IMSEMU_RETURN_IF_ERROR(ValidateImage(spec.payload_spec));
  std::set<std::string> names;
  for (size_t i = 0; i < spec.payload_spec.ports.size(); ++i) {
    const PortSpec& port = spec.payload_spec.ports[i];
    const std::string field = "payload_spec.ports[" + std::to_string(i) + "]";
    if (port.name.empty()) return InvalidArgument(field + ".name must not be empty");
    IMSEMU_RETURN_IF_ERROR(ValidateName(field + ".name", port.name));
    if (!names.insert(port.name).second) {
      return InvalidArgument(field + ".name '" + port.name + "' is used twice");
    }
    if (port.container_port < 1 || port.container_port > 65535) {
      return InvalidArgument(field + ".container_port must be in 1..65535");
    }
    if (port.protocol != "UDP" && port.protocol != "TCP" && port.protocol != "TCPUDP") {
      return InvalidArgument(field + ".protocol must be one of UDP, TCP, TCPUDP");
    }
    if (port.port_policy != "DYNAMIC") {
      return InvalidArgument(field +
                             ".port_policy must be DYNAMIC (the one policy IMS documents); got '" +
                             port.port_policy + "'");
    }
  }
  return OkStatus();
}

namespace {

constexpr EnumNameTable<AllocationStatus, 8> kStatuses = {{
    {AllocationStatus::kNew, "New"},
    {AllocationStatus::kUpdating, "Updating"},
    {AllocationStatus::kRunning, "Running"},
    {AllocationStatus::kDraining, "Draining"},
    {AllocationStatus::kStopped, "Stopped"},
    {AllocationStatus::kDeleted, "Deleted"},
    {AllocationStatus::kError, "Error"},
    {AllocationStatus::kDisabled, "Disabled"},
}};

}  // namespace

const char* AllocationStatusName(AllocationStatus status) {
  return NameOf(kStatuses, status, "unknown");
}
std::vector<std::string> AllocationStatusNameList() { return NameList(kStatuses); }
std::optional<AllocationStatus> ParseAllocationStatus(std::string_view name) {
  return ValueOf(kStatuses, name);
}

}  // namespace imsemu::core
