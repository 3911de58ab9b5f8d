#include "emulator/core/control_loop.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

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

}  // namespace
}  // namespace imsemu::core
