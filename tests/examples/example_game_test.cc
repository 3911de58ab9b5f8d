// End to end with real processes: the emulator launches two example game
// servers; a client creates a session and joins over UDP; List shows the
// player after the cache lag; the match ends; the server exits 0; its payload
// goes and a fresh process refills the buffer.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using core::PayloadState;
using testing::Client;
using testing::Json;

// Runs `command` and returns what it printed.
std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

bool WaitFor(Emulator& e, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  long long seq = 0;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    seq = e.world().AwaitEvents(seq, std::chrono::milliseconds(50));
  }
  return true;
}

TEST(ExampleGameTest, TwoServersAClientAMatchAndARefill) {
  core::AllocationSpec spec = testing::TestSpec(2, /*auto_ready=*/false);
  spec.payload_spec.command = EXAMPLE_GAME_SERVER;
  spec.payload_spec.args = {"--port", "{port:GamePort}", "--idle-timeout", "60", "--poll-ms", "50"};
  EmulatorOptions options;
  options.log_dir =
      (std::filesystem::temp_directory_path() / ("imsemu-example-" + std::to_string(getpid())))
          .string();
  auto emulator = testing::StartEmulator(testing::OneAllocation(spec), options);
  Emulator& e = *emulator;
  auto ready = [&] {
    int n = 0;
    for (const auto& p : e.world().Snapshot().payloads) n += p.state == PayloadState::kReady;
    return n == 2;
  };
  ASSERT_TRUE(WaitFor(e, ready)) << "both example servers call ready by themselves";

  const std::string client = std::string(EXAMPLE_GAME_CLIENT) + " --url http://" +
                             testing::MainAddress(e) + " --project " + testing::kProject;
  const Json session = Json::parse(
      RunCommand(client + " create --config '{\"max_players\": 40, \"map\": \"dust\"}'"), nullptr,
      false);
  ASSERT_TRUE(session.is_object() && session.contains("id")) << session.dump();
  const std::string id = session["id"];
  const int port = session["ports"][0]["port"];

  auto status = [&] { return *e.world().GetSessionStatus(id); };
  ASSERT_TRUE(WaitFor(e, [&] { return status().count("phase") == 1; }));
  EXPECT_EQ(status().at("phase"), "lobby");
  EXPECT_EQ(status().at("max_players"), "16") << "the server clamps max_players";
  EXPECT_EQ(status().at("map"), "dust");

  EXPECT_EQ(RunCommand(client + " join --port " + std::to_string(port) + " --name alice"),
            "welcome alice\n");
  ASSERT_TRUE(WaitFor(e, [&] { return status().at("players") == "1"; }));

  Client http(testing::MainAddress(e));
  const httplib::Headers auth = {{"Authorization", "Bearer playfab/test"}};
  const std::string list = "/api/v0/projects/test-project/sessions?session_type=default";
  EXPECT_EQ(http.Get(list, auth).body["sessions"][0]["session_status"], Json::object())
      << "the cache has not refreshed yet";
  ASSERT_TRUE(e.AdvanceClock(Duration(12000)).ok());
  const Json shown = http.Get(list, auth).body["sessions"][0]["session_status"];
  EXPECT_EQ(shown["players"], "1");
  EXPECT_EQ(shown["phase"], "playing");

  const int pid = *e.PidOf(id);
  EXPECT_EQ(RunCommand(client + " join --port " + std::to_string(port) + " --name alice --leave"),
            "welcome alice\nbye alice\n");
  ASSERT_TRUE(WaitFor(e, [&] {
    return e.world().GetPayload(id)->state == PayloadState::kShutdown;
  })) << "the match is over and the server exits 0";
  EXPECT_EQ(e.world().GetPayload(id)->details, "game server exited (exit code 0)");
  ASSERT_TRUE(e.AdvanceClock(Duration(1000)).ok());
  EXPECT_EQ(e.world().GetPayload(id).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WaitFor(e, ready)) << "a fresh process refills the buffer";
  for (const auto& p : e.world().Snapshot().payloads) {
    ASSERT_TRUE(e.PidOf(p.id).has_value());
    EXPECT_NE(*e.PidOf(p.id), pid);
  }
}

}  // namespace
}  // namespace imsemu
