// The harness as a studio uses it: observers attached before anything runs,
// waits on the virtual clock and with real game servers, the whole control
// API from C++, and the same test attached to a running emulator. Each
// verdict is judged both ways.
#include <gtest/gtest-spi.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "emulator/harness/emulator_claim.h"

#include "ims_emulator/fixture.h"
#include "ims_emulator/gtest.h"

namespace {

using imsemu::EmulatorConfig;
using imsemu::FixtureBuilder;
using imsemu::WorldState;
using imsemu_testing::EmulatorTest;
using imsemu_testing::IsOk;
using imsemu_testing::IsOkAndHolds;
using imsemu_testing::StatusIs;
using imsemu_testing::WaitLimits;
using testing::_;
using testing::AnyNumber;
using testing::Contains;
using testing::ElementsAre;
using testing::Field;
using testing::HasSubstr;
using testing::Optional;
using testing::Pair;
using testing::SizeIs;

// The failures `statement` reports on this thread, without failing the test.
template <typename F>
std::vector<std::string> FailuresOf(F statement) {
  testing::TestPartResultArray results;
  {
    testing::ScopedFakeTestPartResultReporter reporter(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    statement();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i)
    messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

// --- Waits on the virtual clock -----------------------------------------------

class SlowStartTest : public EmulatorTest {
 protected:
  EmulatorConfig Config() const override {
    EmulatorConfig config;
    config.fixture_json = FixtureBuilder()
                              .Allocation("slow", "default")
                              .Buffer(1)
                              .AutoReady(true, std::chrono::seconds(5))
                              .Json();
    return config;
  }
};

TEST_F(SlowStartTest, WaitForPayloadStateMovesTheVirtualClockToTheNextTimer) {
  const std::string id = emulator().PayloadIds().front();
  EXPECT_THAT(payload(id).GetPayload(), imsemu_testing::PayloadInState("Starting"));
  ASSERT_TRUE(WaitForPayloadState(id, "Ready"));
  ASSERT_OK_AND_ASSIGN(imsemu::ClockInfo clock, control().Clock());
  EXPECT_EQ(clock.now, "2026-01-01T00:00:05Z") << "exactly to the auto_ready timer, no further";
}

TEST_F(SlowStartTest, AWaitThatCannotBeMetFailsSayingWhatItSaw) {
  const std::string id = emulator().PayloadIds().front();
  WaitLimits limits;
  limits.virtual_time = std::chrono::seconds(2);  // the timer is 5 s away
  limits.real_time = std::chrono::milliseconds(0);
  testing::AssertionResult waited = WaitForPayloadState(id, "Ready", limits);
  EXPECT_FALSE(waited);
  EXPECT_THAT(waited.message(), HasSubstr("payload " + id + " to be Ready"));
  EXPECT_THAT(waited.message(), HasSubstr("next deadline (2026-01-01T00:00:05Z)"));
  EXPECT_THAT(waited.message(), HasSubstr(id + "=Starting"));
  ASSERT_OK_AND_ASSIGN(imsemu::ClockInfo clock, control().Clock());
  EXPECT_EQ(clock.now, "2026-01-01T00:00:00Z") << "a wait never moves past its limit";
}

TEST_F(SlowStartTest, WaitUntilTakesAnyPredicateOverTheState) {
  ASSERT_TRUE(WaitUntil("a Ready payload and a clock past 00:00:04", [](const WorldState& w) {
    return w.CountInState("Ready") == 1 && w.clock.unix_ms >= 1767225604000;
  }));
  testing::AssertionResult never = WaitUntil(
      "three allocations", [](const WorldState& w) { return w.allocations.size() == 3; },
      WaitLimits{std::chrono::seconds(1), std::chrono::milliseconds(0)});
  EXPECT_FALSE(never);
  EXPECT_THAT(never.message(), HasSubstr("waited in vain for three allocations"));
}

// A world of the virtual clock where the test alone acts: a wait that cannot
// be met ends at once, saying why, instead of polling 30 s of real time; a
// test that acts as a game server from a thread of its own says so.
class StartingTest : public EmulatorTest {
 protected:
  EmulatorConfig Config() const override {
    EmulatorConfig config;
    config.fixture_json =
        FixtureBuilder().Allocation("manual", "default").Buffer(1).AutoReady(false).Json();
    return config;
  }
};

TEST_F(StartingTest, AWaitNothingCanMeetEndsAtOnceSayingWhy) {
  const std::string id = emulator().PayloadIds().front();
  testing::AssertionResult waited = WaitForPayloadState(id, "Ready");  // the default limits
  EXPECT_FALSE(waited);
  EXPECT_THAT(waited.message(), HasSubstr("nothing is armed on it"));
  EXPECT_THAT(waited.message(),
              HasSubstr("nothing else can change this world (no allocation runs a game-server "
                        "process), so the wait ended at once"));
  EXPECT_THAT(waited.message(), HasSubstr("WaitLimits::outside_game_servers"));
  EXPECT_THAT(waited.message(), HasSubstr(id + "=Starting"));
}

TEST_F(StartingTest, AGameServerOfTheTestsOwnIsWaitedFor) {
  const std::string id = emulator().PayloadIds().front();
  imsemu::PayloadClient server = payload(id);
  std::thread game_server([&server] { EXPECT_OK(server.Ready()); });
  WaitLimits limits;
  limits.outside_game_servers = true;
  const testing::AssertionResult waited = WaitForPayloadState(id, "Ready", limits);
  game_server.join();
  EXPECT_TRUE(waited);
}

class StatusCacheTest : public EmulatorTest {};

TEST_F(StatusCacheTest, WaitForClientsToSeeMovesToTheCacheRefreshAndNoFurther) {
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default"));
  ASSERT_OK(control().AdvanceClock(std::chrono::seconds(3)));
  ASSERT_OK(payload(session.id).SetStatus({{"phase", "lobby"}}));
  ASSERT_OK_AND_ASSIGN(imsemu::ClockInfo before, control().Clock());
  EXPECT_EQ(before.next_timer, std::optional<std::string>("2026-01-01T00:00:12Z"))
      << "the status cache's refresh counts as a timer while it would change what clients see";
  ASSERT_TRUE(WaitForClientsToSee(session.id, "phase", "lobby"));
  ASSERT_OK_AND_ASSIGN(imsemu::ClockInfo after, control().Clock());
  EXPECT_EQ(after.now, "2026-01-01T00:00:12Z");
  EXPECT_EQ(after.next_timer, std::nullopt) << "nothing left to show";
  EXPECT_THAT(control().AdvanceToNextTimer(), StatusIs(imsemu::StatusCode::kFailedPrecondition));

  testing::AssertionResult wrong =
      WaitForClientsToSee(session.id, "phase", "match",
                          WaitLimits{std::chrono::seconds(30), std::chrono::milliseconds(0)});
  EXPECT_FALSE(wrong);
  EXPECT_THAT(wrong.message(), HasSubstr("clients see { (\"phase\", \"lobby\") }"));
}

// --- Observers attached before anything starts ------------------------------------

class WatchedFromTheStartTest : public EmulatorTest {
 protected:
  EmulatorConfig Config() const override {
    EmulatorConfig config;
    config.fixture_json =
        FixtureBuilder()
            .Allocation("real", "default")
            .Buffer(2)
            .Command(EXAMPLE_GAME_SERVER,
                     {"--port", "{port:GamePort}", "--idle-timeout", "60", "--poll-ms", "20"})
            .Json();
    return config;
  }
  bool StartsInSetUp() const override { return false; }
};

TEST_F(WatchedFromTheStartTest, RealGameServersAreHeardFromTheirFirstCall) {
  // Set before any game server runs: both servers' first calls are heard.
  EXPECT_CALL(game_servers(), OnReady(_)).Times(2);
  EXPECT_CALL(game_servers(), OnPayloadRead(_, _)).Times(AnyNumber());
  EXPECT_CALL(game_clients(), OnSessionsListed("local-project", "default", 0));
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::vector<std::string> ids = emulator().PayloadIds();
  ASSERT_THAT(ids, SizeIs(2));
  for (const std::string& id : ids) ASSERT_TRUE(WaitForPayloadState(id, "Ready"));
  EXPECT_THAT(session_manager().ListSessions("default"), IsOkAndHolds(testing::IsEmpty()));
}

class GameClientsTest : public EmulatorTest {};

TEST_F(GameClientsTest, CreatedAndListedSessionsAreToldRefusedOnesAreNot) {
  {
    testing::InSequence in_order;
    EXPECT_CALL(game_clients(),
                OnSessionCreated("local-project", "default", Optional(std::string("dust")), _));
    EXPECT_CALL(game_clients(),
                OnSessionCreated("local-project", "default", std::optional<std::string>(), _));
    EXPECT_CALL(game_clients(), OnSessionsListed("local-project", "default", 2));
  }
  ASSERT_OK(session_manager().CreateSession("default", "dust"));
  ASSERT_OK(session_manager().CreateSession("default"));
  EXPECT_THAT(session_manager().CreateSession("nope"), StatusIs(imsemu::StatusCode::kNotFound));
  ASSERT_OK(session_manager().ListSessions("default"));
}

// --- The control API from C++ ----------------------------------------------------

class ControlTest : public EmulatorTest {};

TEST_F(ControlTest, StateIsTypedAndMatchesWhatTheGameServerSees) {
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default", "dust"));
  ASSERT_OK(payload(session.id).SetStatus({{"phase", "lobby"}}));
  ASSERT_OK_AND_ASSIGN(WorldState w, control().State());
  EXPECT_EQ(w.projects, std::vector<std::string>{"local-project"});
  ASSERT_THAT(w.allocations, SizeIs(1));
  EXPECT_EQ(w.allocations[0].session_type, "default");
  EXPECT_EQ(w.allocations[0].buffer_size, 2);
  EXPECT_TRUE(w.clock.is_virtual);
  const imsemu::WorldPayload* p = w.FindPayload(session.id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->info.state, "Reserved");
  EXPECT_EQ(p->payload_api, emulator().PayloadApiOf(session.id));
  EXPECT_EQ(w.CountInState("Ready"), 2) << "the buffer refilled";
  const imsemu::WorldSession* s = w.FindSession(session.id);
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(s->session_status, ElementsAre(Pair("phase", "lobby")));
  EXPECT_TRUE(s->clients_see.empty());
  EXPECT_EQ(s->clients_see_latest_at, std::optional<std::string>("2026-01-01T00:00:12Z"));
  EXPECT_EQ(w.FindPayload("nope"), nullptr);

  ASSERT_OK_AND_ASSIGN(std::vector<imsemu::JournalEvent> events, control().Events());
  EXPECT_THAT(events,
              Contains(testing::AllOf(Field(&imsemu::JournalEvent::kind, "session.status"),
                                      Field(&imsemu::JournalEvent::actor, "game-server"),
                                      Field(&imsemu::JournalEvent::detail, "{phase: \"lobby\"}"))));
  EXPECT_THAT(events,
              Contains(testing::AllOf(Field(&imsemu::JournalEvent::actor, "session-manager"),
                                      Field(&imsemu::JournalEvent::new_state, "Reserved"))));
}

TEST_F(ControlTest, FaultsAreAddedListedFiredAndCleared) {
  imsemu::FaultSpec fault;
  fault.api = "session-manager";
  fault.status = 503;
  fault.times = 1;
  fault.message = "planned outage";
  ASSERT_OK_AND_ASSIGN(std::string id, control().AddFault(fault));
  EXPECT_FALSE(id.empty());
  auto refused = session_manager().CreateSession("default");
  EXPECT_THAT(refused, StatusIs(imsemu::StatusCode::kUnavailable));
  EXPECT_THAT(refused.status().message(), HasSubstr("planned outage"));
  ASSERT_OK(session_manager().CreateSession("default")) << "times: 1";
  ASSERT_OK_AND_ASSIGN(std::vector<imsemu::FaultInfo> faults, control().Faults());
  ASSERT_THAT(faults, SizeIs(1));
  EXPECT_EQ(faults[0].id, id);
  EXPECT_EQ(faults[0].spec.api, "session-manager");
  EXPECT_EQ(faults[0].fired, 1);
  ASSERT_OK(control().ClearFaults());
  EXPECT_THAT(control().Faults(), IsOkAndHolds(testing::IsEmpty()));

  fault.status = 99;  // refused, naming the field
  auto bad = control().AddFault(fault);
  EXPECT_THAT(bad, StatusIs(imsemu::StatusCode::kInvalidArgument));
  EXPECT_THAT(bad.status().message(), HasSubstr("status"));
}

TEST_F(ControlTest, APayloadApiOutageAndItsEnd) {
  const std::string id = emulator().PayloadIds().front();
  ASSERT_OK(control().TakePayloadApiDown(id, std::chrono::seconds(5)));
  EXPECT_THAT(payload(id).GetPayload(), StatusIs(imsemu::StatusCode::kUnavailable));
  ASSERT_TRUE(WaitUntil("the outage to end",
                        [](const WorldState& w) { return w.clock.unix_ms >= 1767225605000; }));
  EXPECT_THAT(payload(id).GetPayload(), IsOk());
  EXPECT_THAT(control().TakePayloadApiDown("nope", std::chrono::seconds(1)),
              StatusIs(imsemu::StatusCode::kNotFound));
}

TEST_F(ControlTest, SnapshotsAndExportImportPutTheWorldBack) {
  ASSERT_OK(control().TakeSnapshot("before"));
  ASSERT_OK_AND_ASSIGN(std::string exported, control().Export());
  EXPECT_THAT(exported, HasSubstr("\"payloads\""));
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default"));
  EXPECT_THAT(control().Snapshots(), IsOkAndHolds(ElementsAre("before")));
  ASSERT_OK(control().RestoreSnapshot("before"));
  EXPECT_THAT(session_manager().ListSessions("default"), IsOkAndHolds(testing::IsEmpty()));
  EXPECT_THAT(control().RestoreSnapshot("never-taken"), StatusIs(imsemu::StatusCode::kNotFound));

  ASSERT_OK(session_manager().CreateSession("default"));
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("harness-export-" + std::to_string(getpid()) + ".json"))
                               .string();
  std::ofstream(file) << exported;
  ASSERT_OK(control().Import(file));
  std::filesystem::remove(file);
  EXPECT_THAT(session_manager().ListSessions("default"), IsOkAndHolds(testing::IsEmpty()));
  EXPECT_THAT(control().Import(file), StatusIs(imsemu::StatusCode::kNotFound));
  (void)session;
}

// --- Attached to a running emulator (IMS_EMULATOR_URL) -------------------------------

class AttachedTest : public EmulatorTest {
 protected:
  bool StartsInSetUp() const override { return false; }
  void TearDown() override {
    EmulatorTest::TearDown();
    unsetenv("IMS_EMULATOR_URL");
  }
};

TEST_F(AttachedTest, TheSameTestRunsAgainstARunningEmulator) {
  // What `ims-emulator exec` would run: an emulator of its own.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<imsemu::Emulator> running, imsemu::Emulator::Start({}));
  ASSERT_OK(imsemu::SessionManagerClient(running->base_url(), "local-project")
                .CreateSession("default"));  // a previous test's leftovers
  setenv("IMS_EMULATOR_URL", running->base_url().c_str(), 1);
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  EXPECT_TRUE(attached());
  EXPECT_EQ(emulator().base_url(), running->base_url());
  EXPECT_EQ(emulator().PayloadIds(), running->PayloadIds());
  EXPECT_THAT(session_manager().ListSessions("default"), IsOkAndHolds(testing::IsEmpty()))
      << "reset before the test";
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default", "dust"));
  EXPECT_EQ(emulator().PayloadApiOf(session.id), running->PayloadApiOf(session.id));
  EXPECT_THAT(payload(session.id).GetConfig(), IsOkAndHolds(Optional(std::string("dust"))));
  ASSERT_OK(payload(session.id).SetStatus({{"phase", "lobby"}}));
  ASSERT_TRUE(WaitForClientsToSee(session.id, "phase", "lobby"));

  const std::vector<std::string> failures = FailuresOf([&] { game_servers(); });
  ASSERT_THAT(failures, SizeIs(1)) << "an observer cannot hear across the wire: said, not silent";
  EXPECT_THAT(failures[0], HasSubstr("IMS_EMULATOR_URL"));
  EXPECT_THAT(FailuresOf([&] { game_clients(); }), SizeIs(1));
}

class StartedByFirstUseTest : public EmulatorTest {
 protected:
  bool StartsInSetUp() const override { return false; }
};

TEST_F(StartedByFirstUseTest, AnAccessorStartsTheEmulator) {
  EXPECT_CALL(game_clients(), OnSessionCreated(_, "default", _, _));
  ASSERT_OK(session_manager().CreateSession("default"));  // no StartEmulator() first
  EXPECT_FALSE(attached());
}

TEST_F(AttachedTest, AnAccessorOnAnEmulatorThatCannotStartFailsTheTestNotTheBinary) {
  setenv("IMS_EMULATOR_URL", "http://127.0.0.1:1", 1);
  bool threw = false;
  const std::vector<std::string> failures = FailuresOf([&] {
    try {
      session_manager();
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()).find("did not start") != std::string::npos;
    }
  });
  EXPECT_TRUE(threw);
  ASSERT_THAT(failures, SizeIs(1));
  EXPECT_THAT(failures[0], HasSubstr("IMS_EMULATOR_URL=http://127.0.0.1:1"));
}

TEST_F(AttachedTest, ObserversBeforeTheStartFailSayingSo) {
  setenv("IMS_EMULATOR_URL", "http://127.0.0.1:1", 1);  // never reached: nothing starts
  const std::vector<std::string> failures = FailuresOf([&] { game_servers(); });
  ASSERT_THAT(failures, SizeIs(1)) << "attached() holds before the start too";
  EXPECT_THAT(failures[0], HasSubstr("this test is attached to IMS_EMULATOR_URL"));
  EXPECT_THAT(FailuresOf([&] { game_clients(); }), SizeIs(1));
}

// Tests of several binaries under one `exec` share its world: each holds the
// emulator's claim from its start to its end, and the next one waits.
TEST_F(AttachedTest, TestsSharingAnEmulatorTakeTurns) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<imsemu::Emulator> running, imsemu::Emulator::Start({}));
  const std::string url = running->base_url();
  setenv("IMS_EMULATOR_URL", url.c_str(), 1);
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  EXPECT_THAT(imsemu::harness::EmulatorClaim::Take(url, /*wait=*/false),
              StatusIs(imsemu::StatusCode::kUnavailable, HasSubstr("another test holds")));
  emulator().Stop();  // what TearDown does: the claim ends
  EXPECT_OK(imsemu::harness::EmulatorClaim::Take(url, /*wait=*/false));
}

TEST(EmulatorClaimTest, OneClaimPerUrlAtATime) {
  const std::string url = "http://127.0.0.1:9/claim-test-" + std::to_string(getpid());
  EXPECT_THAT(imsemu::harness::EmulatorClaim::FileFor(url),
              testing::EndsWith("ims-emulator-claim-http___127.0.0.1_9_claim-test-" +
                                std::to_string(getpid())));
  {
    ASSERT_OK_AND_ASSIGN(auto first, imsemu::harness::EmulatorClaim::Take(url));
    EXPECT_THAT(imsemu::harness::EmulatorClaim::Take(url, false),
                StatusIs(imsemu::StatusCode::kUnavailable));
    EXPECT_OK(imsemu::harness::EmulatorClaim::Take(url + "-other", false))
        << "another emulator is another claim";
    auto moved = std::move(first);
    EXPECT_THAT(imsemu::harness::EmulatorClaim::Take(url, false),
                StatusIs(imsemu::StatusCode::kUnavailable))
        << "a moved claim still holds";
  }
  EXPECT_OK(imsemu::harness::EmulatorClaim::Take(url, false)) << "let go at the end of its scope";
  std::filesystem::remove(imsemu::harness::EmulatorClaim::FileFor(url));
  std::filesystem::remove(imsemu::harness::EmulatorClaim::FileFor(url + "-other"));
}

TEST_F(AttachedTest, NothingAtTheUrlFailsTheTestSayingSo) {
  setenv("IMS_EMULATOR_URL", "http://127.0.0.1:1", 1);
  const std::vector<std::string> failures = FailuresOf([&] { StartEmulator(); });
  ASSERT_THAT(failures, SizeIs(1));
  EXPECT_THAT(failures[0], HasSubstr("IMS_EMULATOR_URL=http://127.0.0.1:1"));
}

}  // namespace
