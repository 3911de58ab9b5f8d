// Real child processes under the emulator, through the keeper: launch,
// output capture, an exit code, a command that cannot start, real signals,
// and no orphans. The supervisor's rules and timing are tested with puppet
// processes in supervisor_steps_test.cc.
#include "emulator/process/game_server_supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/file_text.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using core::PayloadState;
using test::Client;
using test::WaitFor;

struct Running {
  std::unique_ptr<EmulatorImpl> emulator;
  std::string log_dir;
};

// The helper's spec: `args`, GAME_MODE in env.
core::AllocationSpec HelperSpec(std::vector<std::string> args, int buffer = 1) {
  core::AllocationSpec spec = test::TestSpec(buffer, /*auto_ready=*/false);
  spec.payload_spec.command = GAME_SERVER_HELPER;
  spec.payload_spec.args = std::move(args);
  spec.payload_spec.env["GAME_MODE"] = "ffa-{payload_id}";
  return spec;
}

Running StartSpec(const core::AllocationSpec& spec, Duration kill_grace = Duration(10000),
                  bool own_listeners = true) {
  Running r;
  r.log_dir = test::TempPath("proc");
  std::filesystem::remove_all(r.log_dir);
  EmulatorOptions options;
  options.log_dir = r.log_dir;
  options.kill_grace = kill_grace;
  options.payload_listeners = own_listeners;
  r.emulator = test::StartEmulator(test::OneAllocation(spec), options);
  return r;
}

Running Start(std::vector<std::string> args, int buffer = 1, Duration kill_grace = Duration(10000),
              bool own_listeners = true) {
  return StartSpec(HelperSpec(std::move(args), buffer), kill_grace, own_listeners);
}

PayloadState StateOf(EmulatorImpl& e, const std::string& id) {
  auto p = e.world().GetPayload(id);
  return p.ok() ? p->state : PayloadState::kUnknown;
}

// The game server's log so far: empty until the supervisor has launched it
// (the world makes the payload before its process starts).
std::string LogOf(const EmulatorImpl& e, const std::string& payload_id) {
  std::optional<std::string> path = e.LogFileOf(payload_id);
  return path ? test::FileText(*path) : std::string();
}

bool Alive(int pid) { return kill(pid, 0) == 0; }

TEST(GameServerSupervisorTest, LaunchesWithEnvPlaceholdersAndCapturesOutput) {
  auto r = Start({"--ready", "--port", "{port:GamePort}", "--id", "{payload_id}", "{address}"});
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return StateOf(e, id) == PayloadState::kReady; }))
      << "the game server calls ready through ORCHESTRATION_PAYLOAD_API";
  const auto payload = *e.world().GetPayload(id);
  ASSERT_TRUE(e.LogFileOf(id).has_value()) << "a Ready game server has a log";
  const std::string log_path = *e.LogFileOf(id);
  EXPECT_EQ(log_path, r.log_dir + "/" + id + ".log");
  ASSERT_TRUE(
      WaitFor(e, [&] { return test::FileText(log_path).find("ready ok") != std::string::npos; }));
  const std::string log = test::FileText(log_path);
  EXPECT_NE(log.find("arg " + std::to_string(payload.ports.at(0).port)), std::string::npos) << log;
  EXPECT_NE(log.find("arg " + id), std::string::npos) << log;
  EXPECT_NE(log.find("arg 127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(log.find("ORCHESTRATION_PAYLOAD_API=" + e.PayloadApiOf(id)), std::string::npos);
  EXPECT_NE(log.find("GAME_MODE=ffa-" + id), std::string::npos) << log;
  EXPECT_NE(log.find("a line on stderr"), std::string::npos) << log;
  bool journalled = false;
  for (const auto& ev : e.world().Events(0, 10000)) {
    journalled =
        journalled || (ev.kind == core::EventKind::kPayloadOutput &&
                       ev.level == core::EventLevel::kDebug && ev.detail == "a line on stderr");
  }
  EXPECT_TRUE(journalled);
  Client c(test::MainAddress(e));
  EXPECT_EQ(c.Get("/emulator/v0/state").body["payloads"][0]["log_file"], log_path);

  // The log's tail, as the dashboard shows it.
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto tail = c.Get("/emulator/v0/payloads/" + id + "/log?lines=1000");
  ASSERT_EQ(tail.status, 200) << tail.raw;
  EXPECT_EQ(tail.body["file"], log_path);
  EXPECT_EQ(tail.body["lines"], test::Json(lines));
  auto last = c.Get("/emulator/v0/payloads/" + id + "/log?lines=1");
  EXPECT_EQ(last.body["lines"], test::Json::array({lines.back()}));
  test::ExpectErrorShape(c.Get("/emulator/v0/payloads/" + id + "/log?lines=0"), 400);
  test::ExpectErrorShape(c.Get("/emulator/v0/payloads/" + id + "/log?lines=1001"), 400);
  test::ExpectErrorShape(c.Get("/emulator/v0/payloads/nope/log"), 404);
}

TEST(GameServerSupervisorTest, APayloadWithoutAProcessHasNoLog) {
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)));
  Client c(test::MainAddress(*e));
  auto r = c.Get("/emulator/v0/payloads/" + test::FirstPayloadId(*e) + "/log");
  test::ExpectErrorShape(r, 404);
  EXPECT_NE(r.body["message"].get<std::string>().find("runs no game-server process"),
            std::string::npos);
}

// A game server starts with its standard streams only: nothing the emulator
// (or a thread of the program it runs in) had open, close-on-exec or not.
TEST(GameServerSupervisorTest, AGameServerInheritsNoDescriptorOfTheEmulator) {
  int held[2];
  ASSERT_EQ(pipe(held), 0);  // not close-on-exec: what a careless thread leaves open
  auto r = Start({"--ready"});
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return LogOf(e, id).find("open fds: ") != std::string::npos; }));
  EXPECT_NE(LogOf(e, id).find("open fds: none\n"), std::string::npos) << LogOf(e, id);
  close(held[0]);
  close(held[1]);
}

TEST(GameServerSupervisorTest, GameServersReachTheSharedPort) {
  auto r = Start({"--ready"}, /*buffer=*/2, Duration(10000), /*own_listeners=*/false);
  EmulatorImpl& e = *r.emulator;
  ASSERT_TRUE(WaitFor(e,
                      [&] {
                        for (const auto& p : e.world().Snapshot().payloads) {
                          if (p.state != PayloadState::kReady) return false;
                        }
                        return true;
                      }))
      << "ORCHESTRATION_PAYLOAD_API names the main port from the first payload on; the first "
         "game server's log: "
      << LogOf(e, test::FirstPayloadId(e));
  const std::string id = test::FirstPayloadId(e);
  // The log is written from the process's output as it comes: wait for it.
  const std::string expected =
      "ORCHESTRATION_PAYLOAD_API=" + test::MainAddress(e) + "/payloads/" + id;
  EXPECT_TRUE(WaitFor(e, [&] { return LogOf(e, id).find(expected) != std::string::npos; }))
      << LogOf(e, id);
}

TEST(GameServerSupervisorTest, NonZeroExitAfterReadyIsUnhealthyThenGone) {
  auto r = Start({"--ready", "--exit", "1"});
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return StateOf(e, id) == PayloadState::kUnhealthy; }));
  EXPECT_EQ(e.world().GetPayload(id)->details, "game server exited (exit code 1)");
  ASSERT_TRUE(e.AdvanceClock(Duration(6000)).ok());
  EXPECT_EQ(e.world().GetPayload(id).status().code(), StatusCode::kNotFound);
}

// How a real process ended, through the keeper, as the journal has it.
std::optional<core::ProcessExit> JournalledExit(EmulatorImpl& e, const std::string& id) {
  std::optional<core::ProcessExit> exit;
  for (const core::Event& event : e.world().Journal()) {
    if (event.payload_id == id && event.exit) exit = event.exit;
  }
  return exit;
}

TEST(GameServerSupervisorTest, AnExitCodeAndASignalReachTheJournalAsTheyWere) {
  auto coded = Start({"--ready", "--exit", "255"});
  const std::string id = test::FirstPayloadId(*coded.emulator);
  ASSERT_TRUE(
      WaitFor(*coded.emulator, [&] { return JournalledExit(*coded.emulator, id).has_value(); }));
  EXPECT_EQ(JournalledExit(*coded.emulator, id), core::ProcessExit::Exited(255))
      << "not signal 127";

  auto aborted = Start({"--abort"});
  const std::string other = test::FirstPayloadId(*aborted.emulator);
  ASSERT_TRUE(WaitFor(*aborted.emulator,
                      [&] { return JournalledExit(*aborted.emulator, other).has_value(); }));
  EXPECT_EQ(JournalledExit(*aborted.emulator, other), core::ProcessExit::Signaled(6));
  EXPECT_NE(aborted.emulator->world().GetPayload(other)->details.find("signal 6 (SIGABRT)"),
            std::string::npos);
}

// IMS's environment_variables reach the game server, placeholders expanded,
// beside env's.
TEST(GameServerSupervisorTest, EnvironmentVariablesReachTheGameServer) {
  core::AllocationSpec spec = HelperSpec({"--ready"});
  spec.payload_spec.env.clear();
  spec.payload_spec.environment_variables = {{"GAME_MODE", "duel-{payload_id}"}};
  auto r = StartSpec(spec);
  const std::string id = test::FirstPayloadId(*r.emulator);
  EXPECT_TRUE(WaitFor(*r.emulator, [&] {
    return LogOf(*r.emulator, id).find("GAME_MODE=duel-" + id + "\n") != std::string::npos;
  })) << LogOf(*r.emulator, id);
}

// A game server past payload_spec.resources.memory is killed as IMS's
// Kubernetes kills a container (OOMKilled, SIGKILL): after Ready, Unhealthy.
TEST(GameServerSupervisorTest, AGameServerPastItsMemoryLimitIsKilledAsOutOfMemory) {
  core::AllocationSpec spec = HelperSpec({"--ready", "--grow", "96"});
  spec.payload_spec.resources.memory = "48Mi";
  auto r = StartSpec(spec);
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return JournalledExit(e, id).has_value(); })) << LogOf(e, id);
  EXPECT_EQ(JournalledExit(e, id), core::ProcessExit::OutOfMemory());
  EXPECT_EQ(StateOf(e, id), PayloadState::kUnhealthy);
  EXPECT_NE(e.world().GetPayload(id)->details.find("OOMKilled"), std::string::npos)
      << e.world().GetPayload(id)->details;

  // Within its limit, the same game server grows and lives on.
  spec.payload_spec.resources.memory = "1Gi";
  auto roomy = StartSpec(spec);
  EmulatorImpl& f = *roomy.emulator;
  const std::string other = test::FirstPayloadId(f);
  ASSERT_TRUE(WaitFor(f, [&] { return LogOf(f, other).find("grown 96 MB") != std::string::npos; }));
  EXPECT_EQ(StateOf(f, other), PayloadState::kReady);
  EXPECT_FALSE(JournalledExit(f, other).has_value());
}

TEST(GameServerSupervisorTest, ACommandThatCannotStartIsAnErrorWithTheReason) {
  core::AllocationSpec spec = test::TestSpec(1, false);
  spec.payload_spec.command = "/nonexistent/game-server";
  EmulatorOptions options;
  options.log_dir = test::TempPath("proc-missing");
  auto e = test::StartEmulator(test::OneAllocation(spec), options);
  const std::string id = test::FirstPayloadId(*e);
  ASSERT_TRUE(WaitFor(*e, [&] { return StateOf(*e, id) == PayloadState::kError; }));
  const std::string details = e->world().GetPayload(id)->details;
  EXPECT_NE(details.find("cannot start '/nonexistent/game-server': No such file or directory"),
            std::string::npos)
      << details;
  EXPECT_EQ(JournalledExit(*e, id), core::ProcessExit::NotStarted());
}

TEST(GameServerSupervisorTest, RemovalSendsSigtermThenSigkillAfterTheGrace) {
  auto r = Start({"--ready", "--ignore-term"}, /*buffer=*/1, /*kill_grace=*/Duration(300));
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return StateOf(e, id) == PayloadState::kReady; }));
  const int pid = test::PidOf(e, id);
  ASSERT_TRUE(e.world().DeletePayload(test::kProject, test::kAllocation, id, false).ok());
  // SIGTERM is ignored: the child lives on until the grace passes (virtual).
  ASSERT_TRUE(
      WaitFor(e, [&] { return LogOf(e, id).find("SIGTERM ignored") != std::string::npos; }));
  EXPECT_TRUE(Alive(pid));
  EXPECT_TRUE(e.PidOf(id).has_value());
  ASSERT_TRUE(e.AdvanceClock(Duration(299)).ok());
  EXPECT_TRUE(Alive(pid));
  ASSERT_TRUE(e.AdvanceClock(Duration(1)).ok());
  ASSERT_TRUE(WaitFor(e, [&] { return !e.PidOf(id).has_value(); }));
  EXPECT_FALSE(Alive(pid));
  EXPECT_NE(LogOf(e, id).find("exited: signal 9 (SIGKILL)"), std::string::npos);
}

TEST(GameServerSupervisorTest, StoppingTheEmulatorLetsGameServersLeaveCleanly) {
  auto r = Start({"--graceful"});
  EmulatorImpl& e = *r.emulator;
  const std::string id = test::FirstPayloadId(e);
  ASSERT_TRUE(WaitFor(e, [&] { return e.PidOf(id).has_value(); }));
  ASSERT_TRUE(WaitFor(e, [&] { return LogOf(e, id).find("GAME_MODE") != std::string::npos; }))
      << "the handler is installed before the first output line";
  const std::string log = *e.LogFileOf(id);
  e.Stop();
  const std::string text = test::FileText(log);
  EXPECT_NE(text.find("SIGTERM: leaving cleanly"), std::string::npos) << text;
  EXPECT_NE(text.find("stopped with the emulator (exit code 0)"), std::string::npos) << text;
}

TEST(GameServerSupervisorTest, NoChildSurvivesTheEmulator) {
  auto r = Start({"--ignore-term"}, /*buffer=*/3, /*kill_grace=*/Duration(200));
  EmulatorImpl& e = *r.emulator;
  std::vector<int> pids;
  ASSERT_TRUE(WaitFor(e, [&] {
    pids.clear();
    for (const auto& p : e.world().Snapshot().payloads) {
      if (auto pid = e.PidOf(p.id)) pids.push_back(*pid);
    }
    return pids.size() == 3;
  }));
  e.Stop();
  for (int pid : pids) EXPECT_FALSE(Alive(pid)) << pid;
}

}  // namespace
}  // namespace imsemu
