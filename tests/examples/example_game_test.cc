// End to end with real processes: the emulator launches two example game
// servers; a client creates a session and joins over UDP; List shows the
// player after the cache lag; the match ends; the server exits 0; its payload
// goes and a fresh process refills the buffer.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ims_emulator/gtest.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using core::PayloadState;
using test::Client;
using test::Json;
using test::WaitFor;

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
  core::AllocationSpec spec = test::TestSpec(2, /*auto_ready=*/false);
  spec.payload_spec.command = EXAMPLE_GAME_SERVER;
  spec.payload_spec.args = {"--port", "{port:GamePort}", "--idle-timeout", "60", "--poll-ms", "50"};
  EmulatorOptions options;
  options.log_dir = test::TempPath("example");
  auto emulator = test::StartEmulator(test::OneAllocation(spec), options);
  EmulatorImpl& e = *emulator;
  auto ready = [&] {
    int n = 0;
    for (const auto& p : e.world().Snapshot().payloads) n += p.state == PayloadState::kReady;
    return n == 2;
  };
  ASSERT_TRUE(WaitFor(e, ready)) << "both example servers call ready by themselves";

  // What the real server process does over its API, as the integration guide
  // asks: polls until Reserved, then reads the config, then sets a status.
  using ::testing::_;
  ::testing::NiceMock<imsemu_testing::MockGameServerObserver> game_servers;
  std::atomic<bool> told_lobby{false};
  EXPECT_CALL(game_servers, OnPayloadRead(_, "Ready")).Times(::testing::AnyNumber());
  EXPECT_CALL(game_servers, OnStatusSet(_, _)).Times(::testing::AnyNumber());
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(game_servers, OnPayloadRead(_, "Reserved")).RetiresOnSaturation();
    EXPECT_CALL(game_servers, OnConfigRead(_, ::testing::Optional(::testing::HasSubstr("dust"))))
        .RetiresOnSaturation();
    EXPECT_CALL(game_servers,
                OnStatusSet(_, ::testing::Contains(::testing::Pair("phase", "lobby"))))
        .WillOnce([&told_lobby] { told_lobby = true; })
        .RetiresOnSaturation();
  }
  e.AddObserver(&game_servers);

  const std::string client = std::string(EXAMPLE_GAME_CLIENT) + " --url http://" +
                             test::MainAddress(e) + " --project " + test::kProject;
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
  // The world holds the status a moment before the observer is told.
  EXPECT_TRUE(WaitFor(e, [&] { return told_lobby.load(); }));
  e.RemoveObserver(&game_servers);
  ::testing::Mock::VerifyAndClearExpectations(&game_servers);

  EXPECT_EQ(RunCommand(client + " join --port " + std::to_string(port) + " --name alice"),
            "welcome alice\n");
  ASSERT_TRUE(WaitFor(e, [&] { return status().at("players") == "1"; }));

  Client http(test::MainAddress(e));
  const httplib::Headers auth = {{"Authorization", "Bearer playfab/test"}};
  const std::string list = "/api/v0/projects/test-project/sessions?session_type=default";
  EXPECT_EQ(http.Get(list, auth).body["sessions"][0]["session_status"], Json::object())
      << "the cache has not refreshed yet";
  ASSERT_TRUE(e.AdvanceClock(Duration(12000)).ok());
  const Json shown = http.Get(list, auth).body["sessions"][0]["session_status"];
  EXPECT_EQ(shown["players"], "1");
  EXPECT_EQ(shown["phase"], "playing");

  const int pid = test::PidOf(e, id);
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
    EXPECT_NE(test::PidOf(e, p.id), pid);
  }
}

// A new build rolls out while a match is played: the idle servers of the old
// build are replaced (new processes first), the one in a match plays on with
// its process untouched, and when its match ends the fleet is the new build.
TEST(ExampleGameTest, ARolloutReplacesIdleServersWhileTheMatchInPlayFinishes) {
  core::AllocationSpec spec = test::TestSpec(2, /*auto_ready=*/false);
  spec.payload_spec.command = EXAMPLE_GAME_SERVER;
  spec.payload_spec.args = {"--port", "{port:GamePort}", "--idle-timeout", "60", "--poll-ms", "50"};
  EmulatorOptions options;
  options.log_dir = test::TempPath("example-rollout");
  options.allow_http_commands = true;  // the edit below changes what runs, over HTTP
  auto emulator = test::StartEmulator(test::OneAllocation(spec), options);
  EmulatorImpl& e = *emulator;
  auto count = [&](PayloadState state, int revision) {
    int n = 0;
    for (const auto& p : e.world().Snapshot().payloads) {
      n += p.state == state && p.revision == revision;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor(e, [&] { return count(PayloadState::kReady, 1) == 2; }));

  const std::string client = std::string(EXAMPLE_GAME_CLIENT) + " --url http://" +
                             test::MainAddress(e) + " --project " + test::kProject;
  const Json session =
      Json::parse(RunCommand(client + " create --config '{\"map\": \"dust\"}'"), nullptr, false);
  ASSERT_TRUE(session.is_object() && session.contains("id")) << session.dump();
  const std::string match = session["id"];
  const int port = session["ports"][0]["port"];
  EXPECT_EQ(RunCommand(client + " join --port " + std::to_string(port) + " --name alice"),
            "welcome alice\n");
  const int match_pid = test::PidOf(e, match);
  ASSERT_TRUE(WaitFor(e, [&] { return count(PayloadState::kReady, 1) == 2; })) << "refilled";
  std::vector<int> idle_pids;
  for (const auto& p : e.world().Snapshot().payloads) {
    if (p.state == PayloadState::kReady) idle_pids.push_back(test::PidOf(e, p.id));
  }

  // The new build (here: a new environment), over the orchestration API.
  Client http(test::MainAddress(e));
  const std::string path =
      std::string("/api/v0/projects/") + test::kProject + "/allocations/" + test::kAllocation;
  Json edited = http.Get(path).body["result"];
  edited["payload_spec"]["env"]["BUILD"] = "2";
  const test::Reply put = http.Put(path, edited.dump());
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body["result"]["status"], "Updating");
  auto status = [&] { return e.world().GetAllocation(test::kProject, test::kAllocation)->status; };
  ASSERT_TRUE(WaitFor(e, [&] { return status() == core::AllocationStatus::kRunning; }))
      << "rolled out once the new build's servers called ready";
  EXPECT_EQ(count(PayloadState::kReady, 2), 2);
  EXPECT_EQ(count(PayloadState::kReady, 1), 0);
  for (int pid : idle_pids) {
    EXPECT_TRUE(WaitFor(e, [&] { return kill(pid, 0) != 0; })) << "old idle server " << pid;
  }
  const auto played = e.world().GetPayload(match);
  ASSERT_TRUE(played.ok());
  EXPECT_EQ(played->state, PayloadState::kReserved);
  EXPECT_EQ(played->revision, 1);
  EXPECT_EQ(test::PidOf(e, match), match_pid) << "the match in play keeps its process";
  EXPECT_EQ(kill(match_pid, 0), 0);

  // The match ends: the old build's last server exits 0 and goes.
  EXPECT_EQ(RunCommand(client + " join --port " + std::to_string(port) + " --name alice --leave"),
            "welcome alice\nbye alice\n");
  ASSERT_TRUE(
      WaitFor(e, [&] { return e.world().GetPayload(match)->state == PayloadState::kShutdown; }));
  ASSERT_TRUE(e.AdvanceClock(Duration(1000)).ok());
  for (const auto& p : e.world().Snapshot().payloads) EXPECT_EQ(p.revision, 2) << p.id;
}

}  // namespace
}  // namespace imsemu

namespace imsemu {
namespace {

// An `ims-emulator serve` child process.
struct Served {
  pid_t pid = -1;
  int port = 0;
  int stderr_fd = -1;  // its standard error, to read
};

// Starts `ims-emulator serve` on one allocation of `buffer` payloads running
// `payload_spec` (JSON), with a kill grace of `grace` seconds, and returns it
// with its main port (read from its first output line).
Served ServeSpec(const std::string& log_dir, const std::string& payload_spec, int buffer,
                 const char* grace) {
  std::filesystem::create_directories(log_dir);
  const std::string fixture = log_dir + "/fixture.json";
  std::ofstream(fixture)
      << R"({"projects": [{"id": "p", "allocations": [{"annotations": {"session_type": "default"},
          "buffer_size": )"
      << buffer << R"(, "payload_spec": )" << payload_spec << "}]}]}";
  int out[2];
  int err[2];
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(err[0]);
    execl(IMSEMU_BINARY, IMSEMU_BINARY, "serve", "--port", "0", "--clock", "virtual", "--fixture",
          fixture.c_str(), "--log-dir", log_dir.c_str(), "--kill-grace", grace,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
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
  return {pid, colon == std::string::npos ? 0 : std::stoi(first.substr(colon + 1)), err[0]};
}

// Reads `fd` until a line holds `needle` (or the stream ends); returns what it read.
std::string ReadUntil(int fd, const std::string& needle) {
  std::string text;
  char buf[256];
  ssize_t n;
  while (text.find(needle) == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// Starts `ims-emulator serve` on the example fixture as a child process and
// returns its pid and main port (read from its first output line). Each game
// server first leaves two descendants behind that try to escape: one in a
// session of its own (setsid), one orphaned by a subshell (double fork); their
// pids go to LOG_DIR/escaped-<payload>.pids.
std::pair<pid_t, int> Serve(const std::string& log_dir) {
  const std::string escape = "setsid sleep 600 & echo $! >> " + log_dir +
                             "/escaped-{payload_id}.pids; (sleep 601 & echo $! >> " + log_dir +
                             "/escaped-{payload_id}.pids); exec " + EXAMPLE_GAME_SERVER +
                             " --port {port:GamePort}";
  Served served = ServeSpec(log_dir,
                            R"({"command": "/bin/sh", "args": ["-c", ")" + escape +
                                R"("], "ports": [{"name": "GamePort", "container_port": 7777}]})",
                            2, "2");
  close(served.stderr_fd);
  return {served.pid, served.port};
}

// The pids of the game servers the emulator on `port` reports, once `count` run.
std::vector<int> GameServerPids(int port, size_t count = 2) {
  Client c("127.0.0.1:" + std::to_string(port));
  for (int attempt = 0; attempt < 600; ++attempt) {
    const Json state = c.Get("/emulator/v0/state").body;
    std::vector<int> pids;
    for (const Json& p : state.value("payloads", Json::array())) {
      if (p.contains("pid") && p["status"]["state"] == "Ready") pids.push_back(p["pid"]);
    }
    if (pids.size() == count) return pids;
    c.Get("/emulator/v0/events?after=1000000");  // a round trip paces the poll
  }
  return {};
}

// The start time of `pid` (field 22 of /proc/PID/stat), "Z" for a zombie, ""
// when there is no such process. read(2), not an ifstream: a process that
// vanishes between open and read makes libstdc++'s filebuf throw.
std::string StartTimeOf(int pid) {
  const int fd = open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY);
  if (fd < 0) return "";
  char buf[1024];
  const ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n <= 0) return "";
  const std::string text(buf, static_cast<size_t>(n));
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return "";
  if (text[paren + 2] == 'Z') return "Z";
  std::istringstream fields(text.substr(paren + 2));  // field 3 onwards
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
  }
  return field;
}

class NoOrphansTest : public ::testing::TestWithParam<int> {};

TEST_P(NoOrphansTest, GameServersDieWithTheEmulator) {
  const std::string log_dir = test::TempPath("orphans");
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
  // Each process is known by its pid and its start time: pids are reused
  // (pid_max may be 32768 on a busy machine), start times are not.
  std::vector<std::pair<int, std::string>> processes;
  for (int pid : pids) processes.emplace_back(pid, StartTimeOf(pid));
  kill(emulator, GetParam());
  int status = 0;
  waitpid(emulator, &status, 0);
  for (const auto& [pid, started] : processes) {
    ASSERT_FALSE(started.empty()) << "process " << pid << " was gone before the emulator";
    // Dead, a zombie waiting for whoever adopted it, or its pid now another's.
    auto gone = [pid = pid, started = started] {
      const std::string now = StartTimeOf(pid);
      return now.empty() || now == "Z" || now != started;
    };
    bool dead = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(dead = gone()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_TRUE(dead) << "process " << pid << " outlived the emulator";
  }
}

// Ctrl-C says what it waits for; a second one kills a game server that
// ignores SIGTERM at once instead of after the whole grace.
TEST(StopTest, ASecondInterruptKillsAtOnce) {
  const std::string log_dir = test::TempPath("stop");
  Served e = ServeSpec(log_dir,
                       std::string(R"({"command": ")") + GAME_SERVER_HELPER +
                           R"(", "args": ["--ready", "--ignore-term"]})",
                       1, "3600");
  ASSERT_GT(e.port, 0);
  const std::vector<int> pids = GameServerPids(e.port, 1);
  ASSERT_EQ(pids.size(), 1u);
  kill(e.pid, SIGINT);
  const std::string said = ReadUntil(e.stderr_fd, "Ctrl-C again");
  EXPECT_NE(said.find("(pid " + std::to_string(pids[0]) + ")"), std::string::npos) << said;
  EXPECT_NE(said.find("up to 3600 s"), std::string::npos) << said;
  kill(e.pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(e.pid, &status, 0), e.pid);  // not after an hour: ctest's timeout would fail it
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(ReadUntil(e.stderr_fd, "\x01").find("killing the game servers now"), std::string::npos);
  close(e.stderr_fd);
  EXPECT_EQ(::kill(pids[0], 0), -1) << "the game server outlived the emulator";
}

INSTANTIATE_TEST_SUITE_P(Signals, NoOrphansTest, ::testing::Values(SIGTERM, SIGINT, SIGKILL),
                         [](const auto& param_info) {
                           return std::string(strsignal(param_info.param)).substr(0, 4) +
                                  std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace imsemu
