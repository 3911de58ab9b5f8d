// FixtureBuilder: a world (projects and allocations) as code, for tests.
//
//   imsemu::EmulatorConfig config;
//   config.fixture_json = imsemu::FixtureBuilder()
//       .Project("studio")
//       .Allocation("ranked", "ranked").Buffer(2)
//       .Allocation("casual", "casual").Buffer(1).Label("tier", "free")
//       .Json();
//
// Each allocation starts as a stand-in for a game server: auto-ready (its
// payloads become Ready by themselves), one UDP port "GamePort" (7777), a
// buffer of 1. Command() makes its payloads real processes instead (and turns
// auto-ready off: the game server calls ready itself). The emulator checks the
// result when it starts (Emulator::Start names any field it refuses). A value
// type; not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imsemu {

class FixtureBuilder {
 public:
  // Starts a project; the allocations that follow go into it.
  FixtureBuilder& Project(const std::string& id);
  // Adds an allocation serving `session_type` (to the last project, or to
  // "local-project" if none was started).
  FixtureBuilder& Allocation(const std::string& name, const std::string& session_type);

  // Settings of the last allocation.
  FixtureBuilder& Id(const std::string& id);
  FixtureBuilder& Buffer(int payloads);
  FixtureBuilder& MinPayloads(int payloads);
  FixtureBuilder& MaxPayloads(int payloads);
  FixtureBuilder& AutoReady(bool on, std::chrono::milliseconds delay = {});
  // Reserves a payload by itself this long after it is Ready (IMS's mock).
  FixtureBuilder& AutoReserve(std::chrono::milliseconds after,
                              std::optional<std::string> session_config = {});
  FixtureBuilder& Label(const std::string& key, const std::string& value);
  FixtureBuilder& Annotation(const std::string& key, const std::string& value);
  // Replaces the default GamePort with the ports named here, in order.
  FixtureBuilder& Port(const std::string& name, int container_port,
                       const std::string& protocol = "UDP");
  FixtureBuilder& Command(const std::string& command, std::vector<std::string> args = {});
  FixtureBuilder& Env(const std::string& name, const std::string& value);

  // The fixture as JSON text (README "The fixture"), for EmulatorConfig.
  std::string Json() const;

 private:
  struct PortSpec {
    std::string name;
    int container_port;
    std::string protocol;
  };
  struct AllocationSpec {
    std::optional<std::string> id;
    std::string name;
    std::map<std::string, std::string> annotations;
    std::map<std::string, std::string> labels;
    int buffer = 1;
    int min_payloads = 0;
    std::optional<int> max_payloads;
    bool auto_ready = true;
    std::chrono::milliseconds auto_ready_delay{0};
    std::optional<std::chrono::milliseconds> auto_reserve_after;
    std::optional<std::string> auto_reserve_config;
    std::vector<PortSpec> ports;
    std::string command;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
  };
  struct ProjectSpec {
    std::string id;
    std::vector<AllocationSpec> allocations;
  };
  AllocationSpec& Last();

  std::vector<ProjectSpec> projects_;
};

}  // namespace imsemu
