#include "emulator/core/world.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "emulator/util/utf8.h"
#include "tests/testing/test_world.h"

namespace imsemu::core {
namespace {

using test::kAllocation;
using test::kProject;
using test::OneAllocation;
using test::TestSpec;
using test::TestWorld;
using S = PayloadState;

TEST(WorldTest, FillsTheBufferWithReadyPayloadsWhenAutoReady) {
  TestWorld t(OneAllocation(TestSpec(3)));
  auto payloads = t.Payloads();
  ASSERT_EQ(payloads.size(), 3u);
  std::set<int> ports;
  for (const Payload& p : payloads) {
    EXPECT_EQ(p.state, S::kReady);
    EXPECT_EQ(p.id.size(), 11u);
    EXPECT_EQ(p.id[5], '-');
    ASSERT_EQ(p.ports.size(), 1u);
    EXPECT_EQ(p.ports[0].name, "GamePort");
    ports.insert(p.ports[0].port);
  }
  EXPECT_EQ(ports.size(), 3u);
}

TEST(WorldTest, SameSeedGivesSameIds) {
  TestWorld a(OneAllocation(TestSpec(2)));
  TestWorld b(OneAllocation(TestSpec(2)));
  EXPECT_EQ(a.Payloads()[0].id, b.Payloads()[0].id);
  core::WorldOptions other;
  other.seed = 99;
  TestWorld c(OneAllocation(TestSpec(2)), other);
  EXPECT_NE(a.Payloads()[0].id, c.Payloads()[0].id);
}

TEST(WorldTest, AutoReadyDelayRunsOnTheVirtualClock) {
  AllocationSpec spec = TestSpec(1);
  spec.auto_ready_delay = Duration(3000);
  TestWorld t(OneAllocation(spec));
  EXPECT_EQ(t.Payloads()[0].state, S::kStarting);
  t.Advance(Duration(2999));
  EXPECT_EQ(t.Payloads()[0].state, S::kStarting);
  t.Advance(Duration(1));
  EXPECT_EQ(t.Payloads()[0].state, S::kReady);
}

TEST(WorldTest, ReadyIsIdempotentAndRefusedAfterAnExit) {
  TestWorld t(OneAllocation(TestSpec(1, /*auto_ready=*/false)));
  const std::string id = t.Payloads()[0].id;
  EXPECT_EQ(t.Payloads()[0].state, S::kStarting);
  EXPECT_EQ(t.world->MarkReady(id)->state, S::kReady);
  EXPECT_EQ(t.world->MarkReady(id)->state, S::kReady);
  ASSERT_TRUE(t.world->CreateSession(kProject, "default", std::nullopt).ok());
  EXPECT_EQ(t.world->MarkReady(id)->state, S::kReserved);
  EXPECT_EQ(t.world->MarkReady("nope0-nope0").status().code(), StatusCode::kNotFound);
}

TEST(WorldTest, TheJournalShowsAStatusByItsValuesCutOnACharacterBoundary) {
  TestWorld t(OneAllocation(TestSpec(1)));
  const std::string id = t.Payloads()[0].id;
  std::string long_value = "a";
  for (int i = 0; i < 40; ++i) long_value += "\xc3\xa9";  // é: byte 64 falls inside one
  ASSERT_TRUE(t.world->SetSessionStatus(id, {{"map", long_value}, {"phase", "lobby"}}, {}).ok());
  std::string detail;
  for (const Event& e : t.world->Journal()) {
    if (e.kind == EventKind::kSessionStatus) detail = e.detail;
  }
  EXPECT_TRUE(IsValidUtf8(detail)) << detail;
  EXPECT_EQ(detail, "{map: \"" + long_value.substr(0, 63) + "...\", phase: \"lobby\"}");
}

TEST(WorldTest, ReservationTakesTheOldestReadyPayloadAndRefillsTheBuffer) {
  TestWorld t(OneAllocation(TestSpec(2)));
  const std::string oldest = t.Payloads()[0].id;
  auto p = t.world->Reserve(kProject, kAllocation, {});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->id, oldest);
  EXPECT_EQ(p->state, S::kReserved);
  EXPECT_EQ(p->last_reserved, t.clock.Now());
  EXPECT_EQ(t.InState(S::kReady).size(), 2u);
  EXPECT_EQ(t.InState(S::kReserved).size(), 1u);
}

TEST(WorldTest, SelectorsAreTriedInOrderAndMetadataIsApplied) {
  TestWorld t(OneAllocation(TestSpec(2)));
  auto payloads = t.Payloads();
  ASSERT_TRUE(
      t.world->SetMetadata(payloads[1].id, MetadataKind::kLabel, "map", "dust", Actor::kControl)
          .ok());
  ReservationRequest r;
  r.selectors.push_back({{{"map", "nuke"}}, S::kReady});
  r.selectors.push_back({{{"map", "dust"}}, S::kReady});
  r.labels["match"] = "m1";
  r.annotations["note"] = "free text {}";
  auto p = t.world->Reserve(kProject, kAllocation, r);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->id, payloads[1].id);
  EXPECT_EQ(p->labels.at("match"), "m1");
  EXPECT_EQ(p->labels.at("map"), "dust");
  EXPECT_EQ(p->annotations.at("note"), "free text {}");
}

TEST(WorldTest, BackfillReservesAReservedPayloadAgainAndMovesLastReserved) {
  TestWorld t(OneAllocation(TestSpec(1)));
  ReservationRequest first;
  first.labels["match"] = "m1";
  auto p = t.world->Reserve(kProject, kAllocation, first);
  ASSERT_TRUE(p.ok());
  t.Advance(Duration(5000));
  ReservationRequest backfill;
  backfill.selectors.push_back({{{"match", "m1"}}, S::kReserved});
  auto again = t.world->Reserve(kProject, kAllocation, backfill);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->id, p->id);
  EXPECT_EQ(*again->last_reserved, *p->last_reserved + Duration(5000));
}

TEST(WorldTest, NothingMatchingIsAFailedPreconditionThatChangesNothing) {
  TestWorld t(OneAllocation(TestSpec(1)));
  const auto before = t.Payloads();
  const auto events_before = t.world->Events(0, 1000).size();
  ReservationRequest r;
  r.selectors.push_back({{{"map", "none"}}, S::kReady});
  r.labels["x"] = "y";
  EXPECT_EQ(t.world->Reserve(kProject, kAllocation, r).status().code(),
            StatusCode::kFailedPrecondition);
  const auto after = t.Payloads();
  ASSERT_EQ(after.size(), before.size());
  EXPECT_TRUE(after[0].labels.empty());
  EXPECT_EQ(after[0].state, S::kReady);
  EXPECT_EQ(t.world->Events(0, 1000).size(), events_before);
}

TEST(WorldTest, InvalidReservationMetadataIsRefused) {
  TestWorld t(OneAllocation(TestSpec(1)));
  ReservationRequest r;
  r.labels["_bad"] = "x";
  Status s = t.world->Reserve(kProject, kAllocation, r).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("payload_metadata.labels"), std::string::npos);
  EXPECT_EQ(t.InState(S::kReady).size(), 1u);
}

// A game server that crashes right after Ready: each replacement waits in
// Creating for 1 s, 2 s, 4 s ... (no process), so the loop costs little; a
// clean exit ends the streak.
TEST(WorldTest, CrashesAfterReadyBackOffTheReplacements) {
  TestWorld t(OneAllocation(TestSpec(1)));
  auto ready = [&] { return t.InState(S::kReady); };
  ASSERT_EQ(ready().size(), 1u);
  ASSERT_TRUE(t.world->ExitPayload(ready()[0].id, ProcessExit::Exited(1)).ok());
  std::vector<Payload> waiting = t.InState(S::kCreating);
  ASSERT_EQ(waiting.size(), 1u);
  t.Advance(Duration(999));
  EXPECT_EQ(t.world->GetPayload(waiting[0].id)->state, S::kCreating);
  t.Advance(Duration(1));
  EXPECT_EQ(t.world->GetPayload(waiting[0].id)->state, S::kReady);
  ASSERT_TRUE(t.world->ExitPayload(waiting[0].id, ProcessExit::Exited(139)).ok());
  waiting = t.InState(S::kCreating);
  ASSERT_EQ(waiting.size(), 1u);
  t.Advance(Duration(1999));
  EXPECT_EQ(t.world->GetPayload(waiting[0].id)->state, S::kCreating);
  t.Advance(Duration(1));
  ASSERT_EQ(t.world->GetPayload(waiting[0].id)->state, S::kReady);
  // A clean exit: the next replacement starts at once.
  ASSERT_TRUE(t.world->ExitPayload(waiting[0].id, ProcessExit::Exited(0)).ok());
  EXPECT_EQ(t.InState(S::kCreating).size(), 0u);
  EXPECT_EQ(ready().size(), 1u);
}

TEST(WorldTest, ACrashLoopIsBoundedInPayloads) {
  TestWorld t(OneAllocation(TestSpec(1)));
  int created = 1;
  // Crash whatever becomes Ready, every 10 ms of virtual time, for 60 s.
  for (int tick = 0; tick < 6000; ++tick) {
    for (const Payload& p : t.InState(S::kReady)) {
      ASSERT_TRUE(t.world->ExitPayload(p.id, ProcessExit::Exited(1)).ok());
      ++created;
    }
    t.Advance(Duration(10));
  }
  // 1 + 2 + 4 + 8 + 16 + 32 s of back-off: 7 game servers in a minute, not thousands.
  EXPECT_LE(created, 8);
  EXPECT_LE(t.Payloads().size(), 3u);  // one waiting, at most two lingering Unhealthy/Shutdown
}

TEST(WorldTest, ExitBeforeReadyErrorsAndRestartsWithBackoff) {
  TestWorld t(OneAllocation(TestSpec(1, /*auto_ready=*/false)));
  const std::string id = t.Payloads()[0].id;
  auto p = t.world->ExitPayload(id, ProcessExit::Exited(3));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->state, S::kError);
  EXPECT_NE(p->details.find("exit code 3"), std::string::npos);
  EXPECT_EQ(t.Payloads().size(), 1u) << "an Error payload still fills its slot";
  t.Advance(Duration(999));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kError);
  t.Advance(Duration(1));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kStarting);
  ASSERT_TRUE(t.world->ExitPayload(id, ProcessExit::Exited(3)).ok());
  t.Advance(Duration(1999));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kError);
  t.Advance(Duration(1));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kStarting);
}

TEST(WorldTest, NonZeroExitAfterReadyGoesUnhealthyThenShutdownThenAway) {
  TestWorld t(OneAllocation(TestSpec(1)));
  auto reserved = t.world->Reserve(kProject, kAllocation, {});
  ASSERT_TRUE(reserved.ok());
  EXPECT_EQ(t.world->ExitPayload(reserved->id, ProcessExit::Exited(1))->state, S::kUnhealthy);
  t.Advance(Duration(5000));
  EXPECT_EQ(t.world->GetPayload(reserved->id)->state, S::kShutdown);
  t.Advance(Duration(1000));
  EXPECT_EQ(t.world->GetPayload(reserved->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.InState(S::kReady).size(), 1u);
}

TEST(WorldTest, CleanExitShutsDownAndTheSlotIsRefilled) {
  TestWorld t(OneAllocation(TestSpec(1)));
  const std::string id = t.Payloads()[0].id;
  EXPECT_EQ(t.world->ExitPayload(id, ProcessExit::Exited(0))->state, S::kShutdown);
  t.Advance(Duration(1000));
  auto payloads = t.Payloads();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_NE(payloads[0].id, id);
  EXPECT_EQ(payloads[0].state, S::kReady);
}

TEST(WorldTest, DeletingAnAllocationDrainsReservedPayloadsFirst) {
  TestWorld t(OneAllocation(TestSpec(2)));
  auto reserved = t.world->Reserve(kProject, kAllocation, {});
  ASSERT_TRUE(reserved.ok());
  auto deleted = t.world->DeleteAllocation(kProject, kAllocation);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, AllocationStatus::kDraining);
  auto left = t.Payloads();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, reserved->id);
  EXPECT_EQ(t.world->Reserve(kProject, kAllocation, {}).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(t.world->ExitPayload(reserved->id, ProcessExit::Exited(0)).ok());
  t.Advance(Duration(1000));
  auto drained = t.world->GetAllocation(kProject, kAllocation);
  ASSERT_TRUE(drained.ok()) << "kept, listed as Deleted, for keep_deleted";
  EXPECT_EQ(drained->status, AllocationStatus::kDeleted);
  t.Advance(WorldOptions().keep_deleted);
  EXPECT_EQ(t.world->GetAllocation(kProject, kAllocation).status().code(), StatusCode::kNotFound);
}

TEST(WorldTest, ReservedPayloadIsDeletedOnlyWithForce) {
  TestWorld t(OneAllocation(TestSpec(1)));
  auto reserved = t.world->Reserve(kProject, kAllocation, {});
  EXPECT_EQ(t.world->DeletePayload(kProject, kAllocation, reserved->id, false).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(t.world->DeletePayload(kProject, kAllocation, reserved->id, true).ok());
  EXPECT_EQ(t.world->GetPayload(reserved->id).status().code(), StatusCode::kNotFound);
}

TEST(WorldTest, ReplacingASpecRescales) {
  TestWorld t(OneAllocation(TestSpec(1)));
  ASSERT_TRUE(t.world->ReplaceAllocation(kProject, kAllocation, TestSpec(4)).ok());
  EXPECT_EQ(t.InState(S::kReady).size(), 4u);
  ASSERT_TRUE(t.world->ReplaceAllocation(kProject, kAllocation, TestSpec(0)).ok());
  EXPECT_TRUE(t.Payloads().empty());
  AllocationSpec bad = TestSpec(1);
  bad.min_payloads = 5;
  bad.max_payloads = 2;
  EXPECT_EQ(t.world->ReplaceAllocation(kProject, kAllocation, bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(WorldTest, ForcedStateSticksAndIsJournalled) {
  TestWorld t(OneAllocation(TestSpec(1)));
  const std::string id = t.Payloads()[0].id;
  EXPECT_EQ(t.world->ForceState(id, S::kUnhealthy)->state, S::kUnhealthy);
  t.Advance(Duration(60000));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kUnhealthy);
  auto events = t.world->Events(0, 1000);
  bool found = false;
  for (const Event& e : events) {
    found = found || (e.actor == Actor::kControl && e.new_state == "Unhealthy");
  }
  EXPECT_TRUE(found);
}

// Forcing Reserved then Error on a buffer of 2: the control loop neither
// removes the forced payload nor counts it, so the buffer stays 2 Ready.
TEST(WorldTest, ScaleDownNeverRemovesAForcedPayload) {
  TestWorld t(OneAllocation(TestSpec(2)));
  const std::string id = t.Payloads()[0].id;
  ASSERT_TRUE(t.world->ForceState(id, S::kReserved).ok());
  ASSERT_EQ(t.InState(S::kReady).size(), 2u);
  ASSERT_TRUE(t.world->ForceState(id, S::kError).ok());
  t.Advance(Duration(60000));
  ASSERT_TRUE(t.world->GetPayload(id).ok()) << "the forced payload was removed";
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kError);
  EXPECT_EQ(t.InState(S::kReady).size(), 2u);
  EXPECT_EQ(t.Payloads().size(), 3u);
  // Forced Starting is not counted as on its way to Ready either.
  ASSERT_TRUE(t.world->ForceState(id, S::kStarting).ok());
  EXPECT_EQ(t.InState(S::kReady).size(), 2u);
}

TEST(WorldTest, ConcurrentReservationsNeverTakeTheSamePayload) {
  AllocationSpec spec = TestSpec(0);
  spec.min_payloads = 10;
  TestWorld t(OneAllocation(spec));
  ASSERT_EQ(t.InState(S::kReady).size(), 10u);
  std::mutex mu;
  std::vector<std::string> taken;
  int refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 4; ++k) {
        auto p = t.world->Reserve(kProject, kAllocation, {});
        std::lock_guard lock(mu);
        if (p.ok()) {
          taken.push_back(p->id);
        } else {
          EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(taken.size(), 10u);
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), 10u);
  EXPECT_EQ(refused, 54);
}

TEST(WorldTest, ResetRestoresTheFixtureWithFreshIds) {
  TestWorld t(OneAllocation(TestSpec(1)));
  const std::string before = t.Payloads()[0].id;
  ASSERT_TRUE(t.world->Reserve(kProject, kAllocation, {}).ok());
  ASSERT_TRUE(t.world->CreateAllocation("other", TestSpec(1)).ok());
  ASSERT_TRUE(t.world->Reset(OneAllocation(TestSpec(1))).ok());
  auto payloads = t.Payloads();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0].state, S::kReady);
  EXPECT_NE(payloads[0].id, before);
  EXPECT_EQ(t.world->ListAllocations("other").status().code(), StatusCode::kNotFound);
}

TEST(WorldTest, AutoReserveReservesTenSecondsAfterReady) {
  AllocationSpec spec = TestSpec(1, /*auto_ready=*/false);
  spec.auto_reserve = AutoReserve{};
  spec.auto_reserve->labels["mode"] = "ffa";
  spec.auto_reserve->session_config = "{\"max_players\":4}";
  TestWorld t(OneAllocation(spec));
  const std::string id = t.Payloads()[0].id;
  t.Advance(Duration(60000));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kStarting);
  ASSERT_TRUE(t.world->MarkReady(id).ok());
  t.Advance(Duration(9999));
  EXPECT_EQ(t.world->GetPayload(id)->state, S::kReady);
  t.Advance(Duration(1));
  auto p = t.world->GetPayload(id);
  EXPECT_EQ(p->state, S::kReserved);
  EXPECT_EQ(p->labels.at("mode"), "ffa");
  EXPECT_EQ(**t.world->GetSessionConfig(id), "{\"max_players\":4}");
}

// What a world hands out, in the order it was handed out.
struct HandedOut {
  std::vector<std::string> allocation_ids;
  std::vector<std::string> payload_ids;
  std::vector<int> ports;
  std::vector<long long> seqs;
  std::vector<long long> event_seqs;
  bool operator==(const HandedOut&) const = default;
};

HandedOut Collect(TestWorld& t) {
  HandedOut out;
  WorldSnapshot s = t.world->Snapshot();
  for (const Allocation& a : s.allocations) {
    out.allocation_ids.push_back(a.id);
    out.seqs.push_back(a.seq);
  }
  for (const Payload& p : s.payloads) {
    out.payload_ids.push_back(p.id);
    out.seqs.push_back(p.seq);
    for (const Port& port : p.ports) out.ports.push_back(port.port);
  }
  for (const Event& e : t.world->Events(0, 1000)) out.event_seqs.push_back(e.seq);
  return out;
}

class ApiObserver : public PayloadObserver {
 public:
  void OnPayloadApiDown(const std::string& id) override { calls.push_back("down " + id); }
  void OnPayloadApiUp(const std::string& id) override { calls.push_back("up " + id); }
  std::vector<std::string> calls;
};

std::vector<std::string> KindsOf(TestWorld& t, const std::string& id) {
  std::vector<std::string> kinds;
  for (const Event& e : t.world->Events(0, 1000)) {
    if (e.payload_id == id) kinds.push_back(EventKindName(e.kind));
  }
  return kinds;
}

// The API outage is a deadline of the payload's own, applied with its timer
// in deadline order: one timer model, persisted with the payload.
TEST(WorldTest, APayloadApiOutageEndsOnTheVirtualClockInDeadlineOrder) {
  AllocationSpec spec = TestSpec(1);
  spec.auto_ready_delay = Duration(3000);
  TestWorld t(OneAllocation(spec));
  ApiObserver observer;
  t.world->AddObserver(&observer);
  const std::string id = t.Payloads()[0].id;
  ASSERT_TRUE(t.world->TakePayloadApiDown(id, Duration(5000)).ok());
  EXPECT_EQ(observer.calls, std::vector<std::string>{"down " + id});
  EXPECT_EQ(t.Payloads()[0].api_down_until, kDefaultVirtualStart + Duration(5000));
  EXPECT_EQ(t.Payloads()[0].timer, TimerKind::kAutoReady) << "the state timer is kept";
  t.Advance(Duration(3000));
  EXPECT_EQ(t.Payloads()[0].state, S::kReady) << "the earlier deadline fires first";
  EXPECT_TRUE(observer.calls.size() == 1u);
  t.Advance(Duration(1999));
  EXPECT_TRUE(observer.calls.size() == 1u);
  t.Advance(Duration(1));
  EXPECT_EQ(observer.calls, (std::vector<std::string>{"down " + id, "up " + id}));
  EXPECT_FALSE(t.Payloads()[0].api_down_until.has_value());
  const std::vector<std::string> kinds = KindsOf(t, id);
  const auto down = std::find(kinds.begin(), kinds.end(), "payload.api_down");
  const auto up = std::find(kinds.begin(), kinds.end(), "payload.api_up");
  ASSERT_NE(down, kinds.end());
  ASSERT_NE(up, kinds.end());
  EXPECT_LT(down, up);
  t.world->ClearObservers();
}

TEST(WorldTest, AnOutageAndATimerDueAtOnceAreBothApplied) {
  AllocationSpec spec = TestSpec(1);
  spec.auto_ready_delay = Duration(1000);
  TestWorld t(OneAllocation(spec));
  const std::string id = t.Payloads()[0].id;
  ASSERT_TRUE(t.world->TakePayloadApiDown(id, Duration(1000)).ok());
  t.Advance(Duration(1000));
  EXPECT_EQ(t.Payloads()[0].state, S::kReady);
  EXPECT_FALSE(t.Payloads()[0].api_down_until.has_value());
}

TEST(WorldTest, TakingAPayloadApiDownAgainMovesTheEndAndBadInputChangesNothing) {
  TestWorld t(OneAllocation(TestSpec(1)));
  ApiObserver observer;
  t.world->AddObserver(&observer);
  const std::string id = t.Payloads()[0].id;
  ASSERT_TRUE(t.world->TakePayloadApiDown(id, Duration(1000)).ok());
  ASSERT_TRUE(t.world->TakePayloadApiDown(id, Duration(3000)).ok());
  EXPECT_EQ(observer.calls.size(), 1u) << "already down: told once";
  t.Advance(Duration(2999));
  EXPECT_TRUE(t.Payloads()[0].api_down_until.has_value());
  t.Advance(Duration(1));
  EXPECT_FALSE(t.Payloads()[0].api_down_until.has_value());
  const auto events = t.world->Events(0, 1000).size();
  EXPECT_EQ(t.world->TakePayloadApiDown(id, Duration(0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.world->TakePayloadApiDown("nope0-nope0", Duration(5)).code(), StatusCode::kNotFound);
  t.failing->FailCommits(1);
  EXPECT_EQ(t.world->TakePayloadApiDown(id, Duration(5)).code(), StatusCode::kInternal);
  EXPECT_FALSE(t.Payloads()[0].api_down_until.has_value());
  EXPECT_EQ(t.world->Events(0, 1000).size(), events);
  EXPECT_EQ(observer.calls.size(), 2u) << "observers hear only what committed";
  t.world->ClearObservers();
}

class CountingObserver : public PayloadObserver {
 public:
  void OnPayloadAdded(const Payload&) override { ++added; }
  int added = 0;
};

TEST(WorldTest, AFailedCommitHandsOutNothing) {
  TestWorld failed(OneAllocation(TestSpec(2)));
  TestWorld clean(OneAllocation(TestSpec(2)));
  CountingObserver observer;
  failed.world->AddObserver(&observer);
  int sunk = 0;
  failed.world->SetEventSink([&sunk](const Event&) { ++sunk; });
  const HandedOut before = Collect(failed);

  failed.failing->FailCommits(1);
  StatusOr<Allocation> lost = failed.world->CreateAllocation(kProject, TestSpec(3, true, "other"));
  ASSERT_EQ(lost.status().code(), StatusCode::kInternal);
  EXPECT_EQ(failed.failing->failed_commits(), 1);
  EXPECT_EQ(Collect(failed), before) << "no allocation, payload or event remains";
  EXPECT_EQ(observer.added, 0) << "observers hear only what committed";
  EXPECT_EQ(sunk, 0) << "the event sink hears only what committed";

  // The ids, sequence numbers and ports it would have used are used next,
  // exactly as by a world where nothing failed.
  ASSERT_TRUE(failed.world->CreateAllocation(kProject, TestSpec(3, true, "other")).ok());
  ASSERT_TRUE(clean.world->CreateAllocation(kProject, TestSpec(3, true, "other")).ok());
  EXPECT_EQ(Collect(failed), Collect(clean));
  EXPECT_EQ(observer.added, 3);
  EXPECT_GT(sunk, 0);
}

TEST(WorldTest, AFailedCommitOfDueTimersAppliesThemOnTheNextCall) {
  AllocationSpec spec = TestSpec(2);
  spec.auto_ready_delay = Duration(1000);
  TestWorld failed(OneAllocation(spec));
  TestWorld clean(OneAllocation(spec));
  failed.failing->FailCommits(1);
  failed.Advance(Duration(1000));
  EXPECT_EQ(failed.failing->failed_commits(), 1);
  clean.Advance(Duration(1000));
  EXPECT_EQ(failed.InState(S::kReady).size(), 2u) << "the timers stayed armed";
  EXPECT_EQ(Collect(failed), Collect(clean));
}

TEST(WorldTest, EveryKindOfOperationRollsBack) {
  TestWorld t(OneAllocation(TestSpec(2)));
  const std::string id = t.Payloads()[0].id;
  const HandedOut before = Collect(t);
  auto fails = [&t](const Status& s) {
    t.failing->FailCommits(0);
    return s.code() == StatusCode::kInternal;
  };
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->CreateSession(kProject, "default", "cfg").status()));
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->ExitPayload(id, ProcessExit::Exited(1)).status()));
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->ForceState(id, S::kError).status()));
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->SetSessionStatus(id, {{"k", "v"}}, {})));
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->DeleteAllocation(kProject, kAllocation).status()));
  t.failing->FailCommits(1);
  EXPECT_TRUE(fails(t.world->Reset(OneAllocation(TestSpec(5)))));
  EXPECT_EQ(Collect(t), before);
  for (const Payload& p : t.Payloads()) {
    EXPECT_EQ(p.state, S::kReady);
    EXPECT_FALSE(p.session_config.has_value());
    EXPECT_TRUE(p.status_updates.empty());
  }
}

}  // namespace
}  // namespace imsemu::core

namespace imsemu::core {
namespace {

int SharedWarnings(World& world) {
  int n = 0;
  for (const Event& e : world.Events(0, 10000)) {
    n += e.kind == EventKind::kAllocationShared && e.level == EventLevel::kWarning;
  }
  return n;
}

// The guide: an allocation the Session Manager reserves from is its alone.
TEST(WorldTest, ReservingFromASessionManagerAllocationByOrchestrationWarnsOnce) {
  test::TestWorld t(test::OneAllocation(test::TestSpec(4)));
  ASSERT_TRUE(t.world->Reserve(test::kProject, test::kAllocation, {}).ok());
  ASSERT_TRUE(t.world->Reserve(test::kProject, test::kAllocation, {}).ok());
  EXPECT_EQ(SharedWarnings(*t.world), 0) << "orchestration alone is fine";
  ASSERT_TRUE(t.world->CreateSession(test::kProject, "default", std::nullopt).ok());
  EXPECT_EQ(SharedWarnings(*t.world), 1);
  ASSERT_TRUE(t.world->CreateSession(test::kProject, "default", std::nullopt).ok());
  ASSERT_TRUE(t.world->Reserve(test::kProject, test::kAllocation, {}).ok());
  EXPECT_EQ(SharedWarnings(*t.world), 1) << "said once per allocation";
  const Allocation a = *t.world->GetAllocation(test::kProject, test::kAllocation);
  EXPECT_TRUE(a.reserved_by_session_manager && a.reserved_by_orchestration) << "and remembered";
}

}  // namespace
}  // namespace imsemu::core
