#include "emulator/store/memory_world_store.h"

#include <gtest/gtest.h>

namespace imsemu::store {
namespace {

using core::Payload;
using S = core::PayloadState;

Payload Make(const std::string& id, long long seq, S state, const std::string& allocation = "a") {
  Payload p;
  p.id = id;
  p.seq = seq;
  p.state = state;
  p.allocation_id = allocation;
  return p;
}

std::vector<std::string> Ids(MemoryWorldStore& store, const std::string& allocation,
                             std::optional<S> state = std::nullopt) {
  std::vector<std::string> out;
  store.VisitPayloads(allocation, state, [&](const Payload& p) {
    out.push_back(p.id);
    return true;
  });
  return out;
}

TEST(MemoryWorldStoreTest, VisitsInCreationOrderByAllocationAndState) {
  MemoryWorldStore store;
  store.PutPayload(Make("c", 3, S::kReady));
  store.PutPayload(Make("a", 1, S::kReady));
  store.PutPayload(Make("b", 2, S::kReserved));
  store.PutPayload(Make("d", 4, S::kReady, "other"));
  EXPECT_EQ(Ids(store, "a"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Ids(store, "a", S::kReady), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Ids(store, ""), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(Ids(store, "", S::kReady), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_TRUE(Ids(store, "none").empty());
  // A state change moves it between the state lists.
  Payload b = *store.GetPayload("b");
  b.state = S::kReady;
  store.PutPayload(b);
  EXPECT_EQ(Ids(store, "a", S::kReady), (std::vector<std::string>{"a", "b", "c"}));
  const core::StateCounts counts = store.CountPayloads("a");
  EXPECT_EQ(counts.total, 3);
  EXPECT_EQ(counts.ready, 3);
  EXPECT_EQ(counts.reserved, 0);
}

TEST(MemoryWorldStoreTest, CountsAForcedPayloadInTheTotalOnly) {
  MemoryWorldStore store;
  Payload p = Make("p", 1, S::kStarting);
  p.forced = true;
  store.PutPayload(p);
  const core::StateCounts counts = store.CountPayloads("a");
  EXPECT_EQ(counts.total, 1);
  EXPECT_EQ(counts.pending, 0);
}

TEST(MemoryWorldStoreTest, GivesDeadlinesInOrderOfTimeThenCreation) {
  MemoryWorldStore store;
  const Time t0 = kDefaultVirtualStart;
  Payload late = Make("late", 1, S::kShutdown);
  late.timer = core::TimerKind::kRemove;
  late.timer_at = t0 + Duration(50);
  Payload tie2 = Make("tie2", 3, S::kShutdown);
  tie2.timer = core::TimerKind::kRemove;
  tie2.timer_at = t0 + Duration(10);
  Payload tie1 = Make("tie1", 2, S::kStarting);
  tie1.api_down_until = t0 + Duration(10);  // an outage's end is a deadline too
  store.PutPayload(late);
  store.PutPayload(tie2);
  store.PutPayload(tie1);
  EXPECT_EQ(store.NextTimer(), t0 + Duration(10));
  EXPECT_FALSE(store.NextDuePayload(t0 + Duration(9)).has_value());
  EXPECT_EQ(store.NextDuePayload(t0 + Duration(10))->id, "tie1");
  tie1.api_down_until.reset();
  store.PutPayload(tie1);
  EXPECT_EQ(store.NextDuePayload(t0 + Duration(60))->id, "tie2");
  store.DeletePayload("tie2");
  EXPECT_EQ(store.NextDuePayload(t0 + Duration(60))->id, "late");
  store.DeletePayload("late");
  EXPECT_FALSE(store.NextTimer().has_value());
}

TEST(MemoryWorldStoreTest, ARollbackPutsBackEveryValueAWriteReplaced) {
  MemoryWorldStore store;
  store.Begin();
  store.PutProject("p");
  core::Allocation a;
  a.id = "a";
  a.project_id = "p";
  a.seq = 1;
  store.PutAllocation(a);
  store.PutPayload(Make("x", 1, S::kReady));
  store.PutMeta("next_seq", "2");
  ASSERT_TRUE(store.Commit().ok());
  const long long first = store.AppendEvent(core::Event{});

  store.Begin();
  Payload x = *store.GetPayload("x");
  x.state = S::kReserved;
  store.PutPayload(x);
  store.PutPayload(Make("y", 2, S::kStarting));
  store.PutMeta("next_seq", "3");
  store.AppendEvent(core::Event{});
  store.Clear();
  EXPECT_FALSE(store.HasProject("p"));
  store.Rollback();

  EXPECT_TRUE(store.HasProject("p"));
  EXPECT_TRUE(store.GetAllocation("a").has_value());
  EXPECT_EQ(store.GetPayload("x")->state, S::kReady);
  EXPECT_FALSE(store.GetPayload("y").has_value());
  EXPECT_EQ(store.GetMeta("next_seq"), "2");
  EXPECT_EQ(store.CountPayloads("a").ready, 1);
  EXPECT_EQ(store.CountPayloads("a").total, 1);
  EXPECT_EQ(store.AppendEvent(core::Event{}), first + 1);  // the undone seq is reused
}

TEST(MemoryWorldStoreTest, AStepUndoneKeepsTheTransactionsEarlierWrites) {
  MemoryWorldStore store;
  store.Begin();
  store.PutMeta("k", "before");
  store.BeginStep();
  store.PutMeta("k", "in the step");
  store.PutPayload(Make("x", 1, S::kReady));
  ASSERT_TRUE(store.EndStep(false).ok());
  EXPECT_EQ(store.GetMeta("k"), "before");
  EXPECT_FALSE(store.GetPayload("x").has_value());
  store.BeginStep();
  store.PutMeta("k", "kept");
  ASSERT_TRUE(store.EndStep(true).ok());
  ASSERT_TRUE(store.Commit().ok());
  EXPECT_EQ(store.GetMeta("k"), "kept");
  EXPECT_TRUE(store.HoldsWorld() == false);
}

TEST(MemoryWorldStoreTest, KeepsTheNewestEventsUpToItsLimit) {
  MemoryWorldStore store(/*journal_limit=*/3);
  store.Begin();
  for (int i = 0; i < 5; ++i) store.AppendEvent(core::Event{});
  // Nothing is dropped inside a transaction: a rollback may need it.
  EXPECT_EQ(store.ListEvents(0, 10).size(), 5u);
  ASSERT_TRUE(store.Commit().ok());
  std::vector<core::Event> kept = store.ListEvents(0, 10);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().seq, 3);
  EXPECT_EQ(store.ListEvents(4, 10).size(), 1u);
  EXPECT_EQ(store.ListEvents(3, 1).front().seq, 4);
  EXPECT_TRUE(store.ListEvents(5, 10).empty());
}

}  // namespace
}  // namespace imsemu::store
