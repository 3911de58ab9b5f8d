// FixtureBuilder (ims_emulator/fixture.h): plain values turned into fixture JSON.
#include "ims_emulator/fixture.h"

#include <nlohmann/json.hpp>

namespace imsemu {
namespace {

double Seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace

FixtureBuilder& FixtureBuilder::Project(const std::string& id) {
  projects_.push_back({id, {}});
  return *this;
}

FixtureBuilder& FixtureBuilder::Allocation(const std::string& name,
                                           const std::string& session_type) {
  if (projects_.empty()) Project("local-project");
  AllocationSpec a;
  a.name = name;
  a.annotations["session_type"] = session_type;
  projects_.back().allocations.push_back(std::move(a));
  return *this;
}

FixtureBuilder::AllocationSpec& FixtureBuilder::Last() {
  if (projects_.empty() || projects_.back().allocations.empty()) Allocation("default", "default");
  return projects_.back().allocations.back();
}

FixtureBuilder& FixtureBuilder::Id(const std::string& id) {
  Last().id = id;
  return *this;
}
FixtureBuilder& FixtureBuilder::Buffer(int payloads) {
  Last().buffer = payloads;
  return *this;
}
FixtureBuilder& FixtureBuilder::MinPayloads(int payloads) {
  Last().min_payloads = payloads;
  return *this;
}
FixtureBuilder& FixtureBuilder::MaxPayloads(int payloads) {
  Last().max_payloads = payloads;
  return *this;
}
FixtureBuilder& FixtureBuilder::AutoReady(bool on, std::chrono::milliseconds delay) {
  Last().auto_ready = on;
  Last().auto_ready_delay = delay;
  return *this;
}
FixtureBuilder& FixtureBuilder::AutoReserve(std::chrono::milliseconds after,
                                            std::optional<std::string> session_config) {
  Last().auto_reserve_after = after;
  Last().auto_reserve_config = std::move(session_config);
  return *this;
}
FixtureBuilder& FixtureBuilder::Label(const std::string& key, const std::string& value) {
  Last().labels[key] = value;
  return *this;
}
FixtureBuilder& FixtureBuilder::Annotation(const std::string& key, const std::string& value) {
  Last().annotations[key] = value;
  return *this;
}
FixtureBuilder& FixtureBuilder::Port(const std::string& name, int container_port,
                                     const std::string& protocol) {
  Last().ports.push_back({name, container_port, protocol});
  return *this;
}
FixtureBuilder& FixtureBuilder::Command(const std::string& command, std::vector<std::string> args) {
  Last().command = command;
  Last().args = std::move(args);
  Last().auto_ready = false;
  return *this;
}
FixtureBuilder& FixtureBuilder::Env(const std::string& name, const std::string& value) {
  Last().env[name] = value;
  return *this;
}

std::string FixtureBuilder::Json() const {
  using Json = nlohmann::json;
  Json projects = Json::array();
  for (const ProjectSpec& p : projects_) {
    Json allocations = Json::array();
    for (const AllocationSpec& a : p.allocations) {
      Json ports = Json::array();
      for (const PortSpec& port : a.ports) {
        ports.push_back({{"name", port.name},
                         {"container_port", port.container_port},
                         {"protocol", port.protocol}});
      }
      if (a.ports.empty()) {
        ports.push_back({{"name", "GamePort"}, {"container_port", 7777}, {"protocol", "UDP"}});
      }
      Json j = {{"name", a.name},
                {"annotations", Json(a.annotations)},
                {"labels", Json(a.labels)},
                {"buffer_size", a.buffer},
                {"min_payloads", a.min_payloads},
                {"auto_ready", a.auto_ready},
                {"auto_ready_delay_seconds", Seconds(a.auto_ready_delay)},
                {"payload_spec",
                 {{"command", a.command},
                  {"args", Json(a.args)},
                  {"env", Json(a.env)},
                  {"ports", std::move(ports)}}}};
      if (a.id) j["id"] = *a.id;
      if (a.max_payloads) j["max_payloads"] = *a.max_payloads;
      if (a.auto_reserve_after) {
        j["auto_reserve"] = {{"after_seconds", Seconds(*a.auto_reserve_after)}};
        if (a.auto_reserve_config) j["auto_reserve"]["session_config"] = *a.auto_reserve_config;
      }
      allocations.push_back(std::move(j));
    }
    projects.push_back({{"id", p.id}, {"allocations", std::move(allocations)}});
  }
  return Json({{"projects", std::move(projects)}}).dump(2);
}

}  // namespace imsemu
