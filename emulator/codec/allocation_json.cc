#include "emulator/codec/allocation_json.h"

#include <filesystem>

#include "emulator/codec/json_fields.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::codec {
namespace {

const std::initializer_list<std::string_view> kSpecFields = {
    "name", "annotations", "labels", "buffer_size", "min_payloads", "max_payloads", "enabled",
    "auto_ready", "auto_ready_delay_seconds", "auto_reserve", "payload_spec",
    // Read-only fields of AllocationToJson, accepted so a GET body can be PUT back.
    "id", "project_id", "created", "status", "deleted", "revision"};

double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

StatusOr<core::PortSpec> PortSpecFromJson(const Json& json, const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(
      RejectUnknownFields(json, path, {"name", "container_port", "protocol", "port_policy"}));
  core::PortSpec port;
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "name", path, port.name));
  IMSEMU_RETURN_IF_ERROR(ReadInt(json, "container_port", path, port.container_port));
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "protocol", path, port.protocol));
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "port_policy", path, port.port_policy));
  return port;
}

// The array at `key`, each element read by `read(element, its path)`;
// absent or null: none.
template <typename Read>
Status ReadArray(const Json& json, std::string_view key, const std::string& path, Read read) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return OkStatus();
  if (!it->is_array()) return InvalidArgument(FieldPath(path, key) + " must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    IMSEMU_RETURN_IF_ERROR(read((*it)[i], FieldPath(path, key) + "[" + std::to_string(i) + "]"));
  }
  return OkStatus();
}

StatusOr<core::EnvironmentVariable> EnvironmentVariableFromJson(const Json& json,
                                                                const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(json, path, {"name", "value"}));
  IMSEMU_RETURN_IF_ERROR(Require(json, "name", path));
  core::EnvironmentVariable v;
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "name", path, v.name));
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "value", path, v.value));
  return v;
}

StatusOr<core::Resources> ResourcesFromJson(const Json& json, const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(json, path, {"cpu", "memory"}));
  core::Resources r;
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "cpu", path, r.cpu));
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "memory", path, r.memory));
  return r;
}

StatusOr<core::PayloadSpec> PayloadSpecFromJson(const Json& json, const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(
      json, path,
      {"command", "image", "args", "env", "ports", "environment_variables", "resources"}));
  core::PayloadSpec spec;
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "command", path, spec.command));
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "image", path, spec.image));
  IMSEMU_RETURN_IF_ERROR(ReadStringMap(json, "env", path, spec.env));
  IMSEMU_RETURN_IF_ERROR(ReadArray(json, "args", path, [&](const Json& arg, const std::string& at) {
    if (!arg.is_string()) return InvalidArgument(at + " must be a string");
    spec.args.push_back(arg.get<std::string>());
    return OkStatus();
  }));
  IMSEMU_RETURN_IF_ERROR(
      ReadArray(json, "ports", path, [&](const Json& port, const std::string& at) {
        IMSEMU_ASSIGN_OR_RETURN(core::PortSpec p, PortSpecFromJson(port, at));
        spec.ports.push_back(std::move(p));
        return OkStatus();
      }));
  IMSEMU_RETURN_IF_ERROR(ReadArray(
      json, "environment_variables", path, [&](const Json& variable, const std::string& at) {
        IMSEMU_ASSIGN_OR_RETURN(core::EnvironmentVariable v,
                                EnvironmentVariableFromJson(variable, at));
        spec.environment_variables.push_back(std::move(v));
        return OkStatus();
      }));
  if (auto it = json.find("resources"); it != json.end() && !it->is_null()) {
    IMSEMU_ASSIGN_OR_RETURN(spec.resources, ResourcesFromJson(*it, FieldPath(path, "resources")));
  }
  return spec;
}

StatusOr<core::AutoReserve> AutoReserveFromJson(const Json& json, const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(
      json, path, {"after_seconds", "labels", "annotations", "session_config"}));
  core::AutoReserve out;
  long long after_ms = out.after.count();
  IMSEMU_RETURN_IF_ERROR(ReadSeconds(json, "after_seconds", path, after_ms));
  out.after = Duration(after_ms);
  IMSEMU_RETURN_IF_ERROR(ReadStringMap(json, "labels", path, out.labels));
  IMSEMU_RETURN_IF_ERROR(ReadStringMap(json, "annotations", path, out.annotations));
  if (json.contains("session_config") && !json["session_config"].is_null()) {
    std::string config;
    IMSEMU_RETURN_IF_ERROR(ReadString(json, "session_config", path, config));
    out.session_config = std::move(config);
  }
  return out;
}

}  // namespace

nlohmann::json AllocationSpecToJson(const core::AllocationSpec& spec) {
  Json ports = Json::array();
  for (const core::PortSpec& p : spec.payload_spec.ports) {
    ports.push_back({{"name", p.name},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol},
                     {"port_policy", p.port_policy}});
  }
  Json variables = Json::array();
  for (const core::EnvironmentVariable& v : spec.payload_spec.environment_variables) {
    variables.push_back({{"name", v.name}, {"value", v.value}});
  }
  Json out = {
      {"annotations", Json(spec.annotations)},
      {"labels", Json(spec.labels)},
      {"buffer_size", spec.buffer_size},
      {"min_payloads", spec.min_payloads},
      {"max_payloads", spec.max_payloads},
      {"enabled", spec.enabled},
      {"auto_ready", spec.auto_ready},
      {"auto_ready_delay_seconds", Seconds(spec.auto_ready_delay)},
      {"payload_spec",
       {{"command", spec.payload_spec.command},
        {"args", Json(spec.payload_spec.args)},
        {"env", Json(spec.payload_spec.env)},
        {"environment_variables", std::move(variables)},
        {"ports", std::move(ports)}}},
  };
  Json& payload_spec = out["payload_spec"];
  if (!spec.payload_spec.image.empty()) payload_spec["image"] = spec.payload_spec.image;
  // Shown when given: what the emulator does with each (README).
  const core::Resources& resources = spec.payload_spec.resources;
  if (!resources.cpu.empty()) payload_spec["resources"]["cpu"] = resources.cpu;
  if (!resources.memory.empty()) payload_spec["resources"]["memory"] = resources.memory;
  // Optional: an allocation without a name shows none (and may be sent back as is).
  if (!spec.name.empty()) out["name"] = spec.name;
  if (spec.auto_reserve) {
    Json auto_reserve = {{"after_seconds", Seconds(spec.auto_reserve->after)},
                         {"labels", Json(spec.auto_reserve->labels)},
                         {"annotations", Json(spec.auto_reserve->annotations)}};
    if (spec.auto_reserve->session_config) {
      auto_reserve["session_config"] = *spec.auto_reserve->session_config;
    }
    out["auto_reserve"] = std::move(auto_reserve);
  }
  return out;
}

StatusOr<core::AllocationSpec> AllocationSpecFromJson(const nlohmann::json& json,
                                                      const std::string& path) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, path));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(json, path, kSpecFields));
  core::AllocationSpec spec;
  IMSEMU_RETURN_IF_ERROR(ReadString(json, "name", path, spec.name));
  if (json.contains("name") && spec.name.empty()) {
    return InvalidArgument(FieldPath(path, "name") + " must not be empty (omit it instead)");
  }
  IMSEMU_RETURN_IF_ERROR(ReadStringMap(json, "annotations", path, spec.annotations));
  IMSEMU_RETURN_IF_ERROR(ReadStringMap(json, "labels", path, spec.labels));
  IMSEMU_RETURN_IF_ERROR(ReadInt(json, "buffer_size", path, spec.buffer_size));
  IMSEMU_RETURN_IF_ERROR(ReadInt(json, "min_payloads", path, spec.min_payloads));
  IMSEMU_RETURN_IF_ERROR(ReadInt(json, "max_payloads", path, spec.max_payloads));
  IMSEMU_RETURN_IF_ERROR(ReadBool(json, "enabled", path, spec.enabled));
  IMSEMU_RETURN_IF_ERROR(ReadBool(json, "auto_ready", path, spec.auto_ready));
  long long delay_ms = 0;
  IMSEMU_RETURN_IF_ERROR(ReadSeconds(json, "auto_ready_delay_seconds", path, delay_ms));
  spec.auto_ready_delay = Duration(delay_ms);
  if (auto it = json.find("auto_reserve"); it != json.end() && !it->is_null()) {
    IMSEMU_ASSIGN_OR_RETURN(core::AutoReserve a,
                            AutoReserveFromJson(*it, FieldPath(path, "auto_reserve")));
    spec.auto_reserve = std::move(a);
  }
  if (auto it = json.find("payload_spec"); it != json.end() && !it->is_null()) {
    IMSEMU_ASSIGN_OR_RETURN(core::PayloadSpec p,
                            PayloadSpecFromJson(*it, FieldPath(path, "payload_spec")));
    spec.payload_spec = std::move(p);
  }
  // One default everywhere (fixture, orchestration API, scenarios, and
  // FixtureBuilder): a stand-in (no command or image) becomes Ready by
  // itself; a real game server calls ready itself.
  if (!json.contains("auto_ready") || json["auto_ready"].is_null()) {
    spec.auto_ready = !spec.payload_spec.RunsGameServer();
  }
  Status valid = core::ValidateAllocationSpec(spec);
  if (!valid.ok() && !path.empty()) return InvalidArgument(path + ": " + valid.message());
  IMSEMU_RETURN_IF_ERROR(valid);
  return spec;
}

nlohmann::json AllocationToJson(const core::Allocation& allocation) {
  Json out = AllocationSpecToJson(allocation.spec);
  out["id"] = allocation.id;
  out["project_id"] = allocation.project_id;
  out["created"] = FormatRfc3339(allocation.created);
  out["status"] = core::AllocationStatusName(allocation.status);
  out["revision"] = allocation.revision;
  if (allocation.deleted) out["deleted"] = FormatRfc3339(*allocation.deleted);
  return out;
}

StatusOr<core::Fixture> FixtureFromJson(const nlohmann::json& json) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, "fixture"));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(json, "", {"projects", "description"}));
  core::Fixture fixture;
  auto projects = json.find("projects");
  if (projects == json.end() || !projects->is_array()) {
    return InvalidArgument("projects must be an array");
  }
  for (size_t i = 0; i < projects->size(); ++i) {
    const Json& pj = (*projects)[i];
    const std::string path = "projects[" + std::to_string(i) + "]";
    IMSEMU_RETURN_IF_ERROR(ExpectObject(pj, path));
    IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(pj, path, {"id", "allocations"}));
    core::ProjectFixture project;
    IMSEMU_RETURN_IF_ERROR(ReadString(pj, "id", path, project.id));
    if (project.id.empty()) return InvalidArgument(path + ".id must be a non-empty string");
    auto allocations = pj.find("allocations");
    if (allocations != pj.end() && !allocations->is_array()) {
      return InvalidArgument(path + ".allocations must be an array");
    }
    for (size_t k = 0; allocations != pj.end() && k < allocations->size(); ++k) {
      const Json& aj = (*allocations)[k];
      const std::string apath = path + ".allocations[" + std::to_string(k) + "]";
      IMSEMU_RETURN_IF_ERROR(ExpectObject(aj, apath));
      core::AllocationFixture allocation;
      if (aj.contains("id")) {
        std::string id;
        IMSEMU_RETURN_IF_ERROR(ReadString(aj, "id", apath, id));
        allocation.id = id;
      }
      IMSEMU_ASSIGN_OR_RETURN(core::AllocationSpec spec, AllocationSpecFromJson(aj, apath));
      allocation.spec = std::move(spec);
      project.allocations.push_back(std::move(allocation));
    }
    fixture.projects.push_back(std::move(project));
  }
  return fixture;
}

Json FixtureToJson(const core::Fixture& fixture) {
  Json projects = Json::array();
  for (const core::ProjectFixture& project : fixture.projects) {
    Json allocations = Json::array();
    for (const core::AllocationFixture& a : project.allocations) {
      Json spec = AllocationSpecToJson(a.spec);
      if (a.id) spec["id"] = *a.id;
      allocations.push_back(std::move(spec));
    }
    projects.push_back({{"id", project.id}, {"allocations", std::move(allocations)}});
  }
  return {{"projects", std::move(projects)}};
}

StatusOr<core::Fixture> LoadFixtureFile(const std::string& path) {
  IMSEMU_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path, "fixture file"));
  StatusOr<core::Fixture> fixture = FixtureFromJson(json);
  if (!fixture.ok()) return InvalidArgument(path + ": " + fixture.status().message());
  // A relative command path (with a '/') is the fixture's neighbour, wherever
  // the emulator was started from; a bare name is looked up in PATH.
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  for (core::ProjectFixture& project : fixture->projects) {
    for (core::AllocationFixture& allocation : project.allocations) {
      std::string& command = allocation.spec.payload_spec.command;
      if (command.find('/') != std::string::npos && command.front() != '/') {
        command = (folder / command).lexically_normal().string();
      }
    }
  }
  return fixture;
}

StatusOr<core::Fixture> DefaultFixture() {
  static constexpr const char kDefault[] =
#include "default_fixture.inc"
      ;
  IMSEMU_ASSIGN_OR_RETURN(Json json, ParseJson(kDefault));
  return FixtureFromJson(json);
}

}  // namespace imsemu::codec
