#include "emulator/core/control_loop.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

using S = PayloadState;

Allocation WithSpec(int buffer, int min, int max) {
  Allocation a;
  a.spec.buffer_size = buffer;
  a.spec.min_payloads = min;
  a.spec.max_payloads = max;
  return a;
}

StateCounts Counts(int ready, int reserved, int pending, int other = 0) {
  return {ready + reserved + pending + other, ready, reserved, pending};
}

TEST(ControlLoopTest, ScalesReadyPayloadsUpToBufferSize) {
  ScalePlan p = PlanScale(WithSpec(3, 0, 10), Counts(1, 4, 0));
  EXPECT_EQ(p.create, 2);
  EXPECT_EQ(p.remove, 0);
}

TEST(ControlLoopTest, CountsPayloadsOnTheirWayToReady) {
  ScalePlan p = PlanScale(WithSpec(3, 0, 10), Counts(1, 0, 2));
  EXPECT_EQ(p.create, 0);
  EXPECT_EQ(p.remove, 0);
}

TEST(ControlLoopTest, NeverExceedsMaxPayloads) {
  ScalePlan p = PlanScale(WithSpec(5, 0, 6), Counts(0, 4, 0));
  EXPECT_EQ(p.create, 2);
}

TEST(ControlLoopTest, ScalesDownExtraUnreservedPayloadsButNotBelowMin) {
  EXPECT_EQ(PlanScale(WithSpec(1, 0, 10), Counts(4, 2, 0)).remove, 3);
  EXPECT_EQ(PlanScale(WithSpec(0, 3, 10), Counts(4, 0, 0)).remove, 1);
  EXPECT_EQ(PlanScale(WithSpec(0, 3, 10), Counts(2, 0, 0)).create, 1);
}

TEST(ControlLoopTest, NeverScalesReservedPayloads) {
  ScalePlan p = PlanScale(WithSpec(0, 0, 2), Counts(0, 5, 0));
  EXPECT_EQ(p.remove, 0);
  EXPECT_EQ(p.create, 0);
}

TEST(ControlLoopTest, DeletedAllocationDrainsEveryUnreservedPayload) {
  Allocation a = WithSpec(3, 2, 10);
  a.deleting = true;
  ScalePlan p = PlanScale(a, Counts(2, 3, 1));
  EXPECT_EQ(p.create, 0);
  EXPECT_EQ(p.remove, 3);
}

TEST(ControlLoopTest, UnreservedMeansReadyOrOnItsWay) {
  for (S s : {S::kCreating, S::kStarting, S::kError}) EXPECT_TRUE(IsPending(s));
  for (S s : {S::kCreating, S::kStarting, S::kError, S::kReady}) EXPECT_TRUE(IsUnreserved(s));
  for (S s : {S::kReserved, S::kUnhealthy, S::kShutdown}) EXPECT_FALSE(IsUnreserved(s));
  EXPECT_FALSE(IsPending(S::kReady));
}

Payload Numbered(int seq, PayloadState state, bool forced = false) {
  Payload p;
  p.id = "p" + std::to_string(seq);
  p.seq = seq;
  p.state = state;
  p.forced = forced;
  return p;
}

TEST(ControlLoopTest, ScaleDownTakesThoseNotYetReadyFirstThenTheNewest) {
  const std::vector<Payload> payloads = {Numbered(1, S::kReady),    Numbered(2, S::kStarting),
                                         Numbered(3, S::kReserved), Numbered(4, S::kReady),
                                         Numbered(5, S::kError),    Numbered(6, S::kReady, true),
                                         Numbered(7, S::kShutdown), Numbered(8, S::kCreating)};
  std::vector<std::string> ids;
  for (const Payload& p : ChooseToRemove(payloads, 5)) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"p8", "p5", "p2", "p4", "p1"}));
  EXPECT_EQ(ChooseToRemove(payloads, 2).size(), 2u);
  EXPECT_EQ(ChooseToRemove(payloads, 100).size(), 5u) << "never the forced, Reserved or leaving";
  EXPECT_TRUE(ChooseToRemove(payloads, 0).empty());
}

}  // namespace
}  // namespace imsemu::core
