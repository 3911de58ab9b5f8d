// The supervisor's rules with puppet processes (FakeProcessRunner), taking its
// steps itself on the virtual clock: what is started and with what, output
// into the log and the journal, every exit path, restart back-off, and the
// SIGTERM-then-kill grace. No real process, no real waiting.
#include <gtest/gtest.h>

#include "emulator/process/game_server_supervisor.h"
#include "tests/testing/fake_process_runner.h"
#include "tests/testing/file_text.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using core::PayloadState;
using process::GameServerSupervisor;
using test::FakeProcessRunner;
using test::TestWorld;
using Signals = std::vector<std::string>;

constexpr std::chrono::milliseconds kNoWait{0};

class SupervisorStepsTest : public ::testing::Test {
 protected:
  SupervisorStepsTest() : t_(TestWorld::Unopened{}) {
    core::AllocationSpec spec = test::TestSpec(/*buffer_size=*/1, /*auto_ready=*/false);
    spec.payload_spec.command = "game-server";
    spec.payload_spec.args = {"--port", "{port:GamePort}", "{payload_id}", "{address}", "{nope}"};
    spec.payload_spec.env["GAME_MODE"] = "ffa-{payload_id}";
    process::SupervisorOptions options;
    options.log_dir = test::TempPath("steps");
    options.grace = Duration(300);
    options.own_thread = false;
    auto runner = std::make_unique<FakeProcessRunner>();
    runner_ = runner.get();
    supervisor_ = std::make_unique<GameServerSupervisor>(
        *t_.world, t_.clock, options, [](const std::string& id) { return "http://api/" + id; },
        std::move(runner));
    t_.world->AddObserver(supervisor_.get());
    t_.Open(test::OneAllocation(spec));
  }
  ~SupervisorStepsTest() override { t_.world->ClearObservers(); }

  void Step() { supervisor_->Step(kNoWait); }
  // Moves the virtual clock, applies what is due, and takes a step.
  void Advance(int ms) {
    t_.Advance(Duration(ms));
    Step();
  }
  std::string FirstId() { return t_.Payloads().at(0).id; }
  PayloadState StateOf(const std::string& id) {
    auto p = t_.world->GetPayload(id);
    return p.ok() ? p->state : PayloadState::kUnknown;
  }
  std::string DetailsOf(const std::string& id) { return t_.world->GetPayload(id)->details; }
  std::vector<std::string> OutputJournalled() {
    std::vector<std::string> lines;
    for (const core::Event& e : t_.world->Events(0, 10000)) {
      if (e.kind == core::EventKind::kPayloadOutput && e.level == core::EventLevel::kDebug) {
        lines.push_back(e.detail);
      }
    }
    return lines;
  }

  TestWorld t_;
  FakeProcessRunner* runner_ = nullptr;
  std::unique_ptr<GameServerSupervisor> supervisor_;
};

TEST_F(SupervisorStepsTest, StartsWhatTheWorldStartedWithEverythingExpanded) {
  EXPECT_TRUE(runner_->started().empty()) << "nothing happens between steps";
  Step();
  ASSERT_EQ(runner_->started().size(), 1u);
  const std::string id = FirstId();
  const core::Payload payload = *t_.world->GetPayload(id);
  const process::ProcessLaunch& launch = runner_->last().launch;
  EXPECT_EQ(launch.payload_id, id);
  EXPECT_EQ(launch.command, "game-server");
  EXPECT_EQ(launch.args,
            (std::vector<std::string>{"--port", std::to_string(payload.ports.at(0).port), id,
                                      "127.0.0.1", "{nope}"}))
      << "an unknown placeholder is left as written";
  const auto has = [&](const std::string& entry) {
    return std::find(launch.env.begin(), launch.env.end(), entry) != launch.env.end();
  };
  EXPECT_TRUE(has("ORCHESTRATION_PAYLOAD_API=http://api/" + id));
  EXPECT_TRUE(has("GAME_MODE=ffa-" + id));
  EXPECT_TRUE(std::any_of(launch.env.begin(), launch.env.end(), [](const std::string& e) {
    return e.rfind("PATH=", 0) == 0;
  })) << "the emulator's own environment is inherited";
  EXPECT_EQ(supervisor_->PidOf(id), runner_->last().pid);
  EXPECT_EQ(test::FileText(*supervisor_->LogPathOf(id)).find("--- "), 0u);
}

TEST_F(SupervisorStepsTest, OutputGoesToTheLogAndToTheJournalLineByLine) {
  Step();
  const int h = runner_->last().handle;
  runner_->Print(h, "first\nsec");
  Step();
  EXPECT_EQ(OutputJournalled(), (std::vector<std::string>{"first"}));
  runner_->Print(h, "ond\nunfinished");
  runner_->Exit(h, 0);
  Step();
  EXPECT_EQ(OutputJournalled(), (std::vector<std::string>{"first", "second", "unfinished"}))
      << "the last line is journalled at exit even without a newline";
  const std::string log = test::FileText(*supervisor_->LogPathOf(FirstId()));
  EXPECT_NE(log.find("first\nsecond\nunfinished--- exited: exit code 0\n"), std::string::npos)
      << log;
}

TEST_F(SupervisorStepsTest, ExitBeforeReadyIsAnErrorRestartedAfterTheBackOff) {
  Step();
  const std::string id = FirstId();
  runner_->Exit(runner_->last().handle, 3);
  Step();
  EXPECT_EQ(StateOf(id), PayloadState::kError);
  EXPECT_NE(DetailsOf(id).find("exit code 3"), std::string::npos) << DetailsOf(id);
  EXPECT_FALSE(supervisor_->PidOf(id).has_value());
  Advance(999);
  EXPECT_EQ(runner_->started().size(), 1u) << "the back-off is 1 s on the emulator's clock";
  Advance(1);
  EXPECT_EQ(StateOf(id), PayloadState::kStarting);
  ASSERT_EQ(runner_->started().size(), 2u);
  EXPECT_EQ(runner_->last().launch.payload_id, id);
  runner_->Exit(runner_->last().handle, 3);
  Step();
  EXPECT_NE(DetailsOf(id).find("restart in 2000 ms"), std::string::npos) << "and doubles";
  Advance(1999);
  EXPECT_EQ(runner_->started().size(), 2u);
  Advance(1);
  EXPECT_EQ(runner_->started().size(), 3u);
}

// The last journalled game-server end of `id`.
std::optional<core::ProcessExit> LastExit(core::World& world, const std::string& id) {
  std::optional<core::ProcessExit> exit;
  for (const core::Event& e : world.Journal()) {
    if (e.payload_id == id && e.exit) exit = e.exit;
  }
  return exit;
}

TEST_F(SupervisorStepsTest, ASignalReachesTheJournalAsASignalNotAsACode) {
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->MarkReady(id).ok());
  runner_->Die(runner_->last().handle, 11);
  Step();
  EXPECT_EQ(StateOf(id), PayloadState::kUnhealthy);
  EXPECT_EQ(DetailsOf(id), "game server exited (signal 11 (SIGSEGV))");
  EXPECT_EQ(LastExit(*t_.world, id), core::ProcessExit::Signaled(11));
}

TEST_F(SupervisorStepsTest, AskedToLeaveGetsSigtermAndKeepsItsPayloadUntilItExits) {
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->MarkReady(id).ok());
  supervisor_->AskToLeave(id);
  Step();
  EXPECT_EQ(runner_->last().signals, Signals{"TERM"});
  EXPECT_EQ(StateOf(id), PayloadState::kReady) << "the payload and its API stay as they were";
  Advance(60000);
  EXPECT_EQ(runner_->last().signals, Signals{"TERM"}) << "no kill: only the world removes";
  runner_->Exit(runner_->last().handle, 0);
  Step();
  EXPECT_EQ(StateOf(id), PayloadState::kShutdown);
  EXPECT_EQ(LastExit(*t_.world, id), core::ProcessExit::Exited(0));
}

TEST_F(SupervisorStepsTest, NonZeroExitAfterReadyIsUnhealthyAndItsReplacementWaitsOutTheBackOff) {
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->MarkReady(id).ok());
  runner_->Exit(runner_->last().handle, 1);
  Step();
  EXPECT_EQ(StateOf(id), PayloadState::kUnhealthy);
  EXPECT_EQ(DetailsOf(id), "game server exited (exit code 1)");
  const auto creating = t_.InState(PayloadState::kCreating);
  ASSERT_EQ(creating.size(), 1u) << "the buffer is refilled";
  const std::string replacement = creating[0].id;
  EXPECT_EQ(runner_->started().size(), 1u) << "no process before the back-off has passed";
  EXPECT_FALSE(supervisor_->LogPathOf(replacement).has_value());
  Advance(1000);
  EXPECT_EQ(StateOf(replacement), PayloadState::kStarting);
  ASSERT_EQ(runner_->started().size(), 2u);
  EXPECT_EQ(runner_->last().launch.payload_id, replacement);
  Advance(5000);
  EXPECT_EQ(StateOf(id), PayloadState::kUnknown) << "the Unhealthy payload is removed";
}

TEST_F(SupervisorStepsTest, CleanExitIsShutdownThenRemovedAndRefilledWithAFreshProcess) {
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->MarkReady(id).ok());
  runner_->Exit(runner_->last().handle, 0);
  Step();
  EXPECT_EQ(StateOf(id), PayloadState::kShutdown);
  Advance(1000);
  EXPECT_EQ(StateOf(id), PayloadState::kUnknown);
  ASSERT_EQ(runner_->started().size(), 2u);
  EXPECT_NE(runner_->last().launch.payload_id, id);
  EXPECT_TRUE(runner_->started()[0].signals.empty()) << "an exited process is not signalled";
}

TEST_F(SupervisorStepsTest, RemovalSendsSigtermThenKillsOnceTheGraceHasPassedOnTheVirtualClock) {
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->DeletePayload(test::kProject, test::kAllocation, id, false).ok());
  Step();
  EXPECT_EQ(runner_->started()[0].signals, Signals{"TERM"});
  Advance(299);
  EXPECT_EQ(runner_->started()[0].signals, Signals{"TERM"});
  EXPECT_EQ(supervisor_->PidOf(id), runner_->started()[0].pid) << "still running";
  Advance(1);
  EXPECT_EQ(runner_->started()[0].signals, (Signals{"TERM", "KILL"}));
  EXPECT_FALSE(supervisor_->PidOf(id).has_value());
  Advance(10000);
  EXPECT_EQ(runner_->started()[0].signals, (Signals{"TERM", "KILL"})) << "killed once";
  EXPECT_NE(test::FileText(*supervisor_->LogPathOf(id)).find("exited: signal 9 (SIGKILL)"),
            std::string::npos);
}

TEST_F(SupervisorStepsTest, AServerThatLeavesOnSigtermIsNotKilled) {
  runner_->LeaveOnSigterm(0);
  Step();
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->DeletePayload(test::kProject, test::kAllocation, id, false).ok());
  Step();
  EXPECT_FALSE(supervisor_->PidOf(id).has_value());
  Advance(1000);
  EXPECT_EQ(runner_->started()[0].signals, Signals{"TERM"});
}

TEST_F(SupervisorStepsTest, ACommandThatCannotStartIsAnErrorWithTheReason) {
  runner_->FailNextStart("No such file or directory");
  Step();
  const std::string id = FirstId();
  EXPECT_EQ(StateOf(id), PayloadState::kError);
  EXPECT_NE(DetailsOf(id).find("cannot start 'game-server': No such file or directory"),
            std::string::npos)
      << DetailsOf(id);
  EXPECT_NE(test::FileText(*supervisor_->LogPathOf(id)).find("--- cannot start"),
            std::string::npos);
  EXPECT_FALSE(supervisor_->PidOf(id).has_value());
}

TEST_F(SupervisorStepsTest, APayloadRemovedBeforeItsLaunchIsNeverStarted) {
  const std::string id = FirstId();
  ASSERT_TRUE(t_.world->DeletePayload(test::kProject, test::kAllocation, id, false).ok());
  Step();
  for (const auto& p : runner_->started()) EXPECT_NE(p.launch.payload_id, id);
}

TEST_F(SupervisorStepsTest, ARestartedPayloadsOldProcessIsKilledBeforeTheNewOneStarts) {
  Step();
  const std::string id = FirstId();
  const core::Payload payload = *t_.world->GetPayload(id);
  const core::Allocation allocation = *t_.world->GetAllocation(test::kProject, test::kAllocation);
  supervisor_->OnPayloadStarted(payload, allocation);
  Step();
  ASSERT_EQ(runner_->started().size(), 2u);
  EXPECT_EQ(runner_->started()[0].signals, Signals{"KILL"});
  EXPECT_EQ(supervisor_->PidOf(id), runner_->started()[1].pid);
  EXPECT_EQ(StateOf(id), PayloadState::kStarting) << "the old process's exit is not the world's";
}

TEST_F(SupervisorStepsTest, StoppingWithNoGraceTerminatesThenKills) {
  Step();
  const std::string id = FirstId();
  supervisor_->StopAll(std::chrono::milliseconds(0));
  EXPECT_EQ(runner_->started()[0].signals, (Signals{"TERM", "KILL"}));
  EXPECT_NE(test::FileText(*supervisor_->LogPathOf(id))
                .find("stopped with the emulator (signal 9 (SIGKILL))"),
            std::string::npos);
  EXPECT_FALSE(supervisor_->PidOf(id).has_value());
  EXPECT_EQ(StateOf(id), PayloadState::kStarting) << "stopping does not tell the world";
}

TEST_F(SupervisorStepsTest, StoppingLetsServersThatHandleSigtermLeaveCleanly) {
  runner_->LeaveOnSigterm(0);
  Step();
  supervisor_->StopAll(std::chrono::hours(1));  // returns as soon as they have left
  EXPECT_EQ(runner_->started()[0].signals, Signals{"TERM"});
  EXPECT_NE(test::FileText(*supervisor_->LogPathOf(FirstId()))
                .find("stopped with the emulator (exit code 0)"),
            std::string::npos);
}

}  // namespace
}  // namespace imsemu
