// End to end with real processes: the emulator launches two example game
// servers; a client creates a session and joins over UDP; List shows the
// player after the cache lag; the match ends; the server exits 0; its payload
// goes and a fresh process refills the buffer.
#include <gtest/gtest.h>

#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using core::PayloadState;
using testing::Client;
using testing::Json;
using testing::WaitFor;

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

namespace imsemu {
namespace {

// Starts `ims-emulator serve` on the example fixture as a child process and
// returns its pid and main port (read from its first output line). Each game
// server first leaves two descendants behind that try to escape: one in a
// session of its own (setsid), one orphaned by a subshell (double fork); their
// pids go to LOG_DIR/escaped-<payload>.pids.
std::pair<pid_t, int> Serve(const std::string& log_dir) {
  std::filesystem::create_directories(log_dir);
  const std::string fixture = log_dir + "/fixture.json";
  const std::string escape = "setsid sleep 600 & echo $! >> " + log_dir +
                             "/escaped-{payload_id}.pids; (sleep 601 & echo $! >> " + log_dir +
                             "/escaped-{payload_id}.pids); exec " + EXAMPLE_GAME_SERVER +
                             " --port {port:GamePort}";
  std::ofstream(fixture)
      << R"({"projects": [{"id": "p", "allocations": [{"annotations": {"session_type": "default"},
          "buffer_size": 2, "payload_spec": {"command": "/bin/sh", "args": ["-c", ")"
      << escape << R"("],
          "ports": [{"name": "GamePort", "container_port": 7777}]}}]}]})";
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(IMSEMU_BINARY, IMSEMU_BINARY, "serve", "--port", "0", "--clock", "virtual", "--fixture",
          fixture.c_str(), "--log-dir", log_dir.c_str(), "--kill-grace", "2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string first;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') first += c;
  // Keep draining the rest so the emulator never blocks on a full pipe.
  std::thread([fd = out[0]] {
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }).detach();
  const size_t colon = first.rfind(':');
  return {pid, colon == std::string::npos ? 0 : std::stoi(first.substr(colon + 1))};
}

// The pids of the game servers the emulator on `port` reports, once both run.
std::vector<int> GameServerPids(int port) {
  Client c("127.0.0.1:" + std::to_string(port));
  for (int attempt = 0; attempt < 600; ++attempt) {
    const Json state = c.Get("/emulator/v0/state").body;
    std::vector<int> pids;
    for (const Json& p : state.value("payloads", Json::array())) {
      if (p.contains("pid") && p["status"]["state"] == "Ready") pids.push_back(p["pid"]);
    }
    if (pids.size() == 2) return pids;
    c.Get("/emulator/v0/events?after=1000000");  // a round trip paces the poll
  }
  return {};
}

class NoOrphansTest : public ::testing::TestWithParam<int> {};

TEST_P(NoOrphansTest, GameServersDieWithTheEmulator) {
  const std::string log_dir =
      (std::filesystem::temp_directory_path() /
       ("imsemu-orphans-" + std::to_string(getpid()) + "-" + std::to_string(GetParam())))
          .string();
  auto [emulator, port] = Serve(log_dir);
  ASSERT_GT(port, 0);
  std::vector<int> pids = GameServerPids(port);
  ASSERT_EQ(pids.size(), 2u);
  for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
    if (entry.path().filename().string().rfind("escaped-", 0) != 0) continue;
    std::ifstream in(entry.path());
    for (int pid; in >> pid;) pids.push_back(pid);
  }
  ASSERT_EQ(pids.size(), 6u) << "each game server leaves two descendants";
  kill(emulator, GetParam());
  int status = 0;
  waitpid(emulator, &status, 0);
  for (int pid : pids) {
    // Dead, or a zombie waiting for whoever adopted it to reap it.
    auto gone = [pid] {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      const size_t paren = text.rfind(')');
      return text.empty() || (paren != std::string::npos && text.substr(paren + 2, 1) == "Z");
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!gone() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    EXPECT_TRUE(gone()) << "process " << pid << " outlived the emulator";
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, NoOrphansTest, ::testing::Values(SIGTERM, SIGINT, SIGKILL),
                         [](const auto& param_info) {
                           return std::string(strsignal(param_info.param)).substr(0, 4) +
                                  std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace imsemu
