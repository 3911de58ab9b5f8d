#include "emulator/codec/mock_config_json.h"

#include "emulator/codec/json_fields.h"

namespace imsemu::codec {

StatusOr<core::Fixture> MockFixtureFromJson(const nlohmann::json& config) {
  core::AutoReserve auto_reserve;
  auto_reserve.after = Duration(10000);
  if (!config.is_null()) {
    IMSEMU_RETURN_IF_ERROR(ExpectObject(config, "payload config"));
    const Json* payload_config = nullptr;
    if (auto it = config.find("payload_config"); it != config.end() && !it->is_null()) {
      IMSEMU_RETURN_IF_ERROR(ExpectObject(*it, "payload_config"));
      payload_config = &*it;
      if (auto m = it->find("metadata"); m != it->end() && !m->is_null()) {
        IMSEMU_RETURN_IF_ERROR(ExpectObject(*m, "payload_config.metadata"));
        IMSEMU_RETURN_IF_ERROR(
            ReadStringMap(*m, "labels", "payload_config.metadata", auto_reserve.labels));
        IMSEMU_RETURN_IF_ERROR(
            ReadStringMap(*m, "annotations", "payload_config.metadata", auto_reserve.annotations));
      }
    }
    for (const auto& [where, path] :
         {std::pair{&config, ""}, std::pair{payload_config, "payload_config"}}) {
      if (where == nullptr || !where->contains("session_config")) continue;
      std::string session_config;
      IMSEMU_RETURN_IF_ERROR(ReadString(*where, "session_config", path, session_config));
      if (!(*where)["session_config"].is_null()) auto_reserve.session_config = session_config;
    }
  }
  core::AllocationSpec spec;
  spec.name = "payload-local-api";
  spec.annotations["session_type"] = "default";
  spec.buffer_size = 1;
  spec.min_payloads = 1;
  spec.max_payloads = 1;
  spec.auto_reserve = std::move(auto_reserve);
  IMSEMU_RETURN_IF_ERROR(core::ValidateAllocationSpec(spec));
  core::Fixture fixture;
  fixture.projects.push_back({kMockProject, {{std::string("local-allocation"), std::move(spec)}}});
  return fixture;
}

StatusOr<core::Fixture> LoadMockFixture(const std::string& path) {
  if (path.empty()) return MockFixtureFromJson(Json());
  IMSEMU_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path, "payload config file"));
  StatusOr<core::Fixture> fixture = MockFixtureFromJson(json);
  if (!fixture.ok()) return InvalidArgument(path + ": " + fixture.status().message());
  return fixture;
}

}  // namespace imsemu::codec
