#include "emulator/core/lifecycle.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

using S = PayloadState;

TEST(LifecycleTest, AllowsTheDocumentedTransitions) {
  EXPECT_TRUE(CheckTransition(S::kStarting, S::kReady).ok());
  EXPECT_TRUE(CheckTransition(S::kReady, S::kReserved).ok());
  EXPECT_TRUE(CheckTransition(S::kReserved, S::kReserved).ok());
  EXPECT_TRUE(CheckTransition(S::kStarting, S::kError).ok());
  EXPECT_TRUE(CheckTransition(S::kError, S::kStarting).ok());
  EXPECT_TRUE(CheckTransition(S::kReserved, S::kUnhealthy).ok());
  EXPECT_TRUE(CheckTransition(S::kUnhealthy, S::kShutdown).ok());
  EXPECT_TRUE(CheckTransition(S::kReserved, S::kShutdown).ok());
}

TEST(LifecycleTest, RefusesIllegalTransitionsNamingBothStates) {
  Status s = CheckTransition(S::kError, S::kReady);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("Error"), std::string::npos);
  EXPECT_NE(s.message().find("Ready"), std::string::npos);
  EXPECT_EQ(CheckTransition(S::kReserved, S::kReady).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckTransition(S::kShutdown, S::kStarting).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckTransition(S::kStarting, S::kReserved).code(), StatusCode::kFailedPrecondition);
}

TEST(LifecycleTest, BackoffDoublesUpToTheCap) {
  LifecycleTimings t;
  EXPECT_EQ(RestartBackoff(t, 1), Duration(1000));
  EXPECT_EQ(RestartBackoff(t, 2), Duration(2000));
  EXPECT_EQ(RestartBackoff(t, 3), Duration(4000));
  EXPECT_EQ(RestartBackoff(t, 6), Duration(32000));
  EXPECT_EQ(RestartBackoff(t, 7), Duration(60000));
  EXPECT_EQ(RestartBackoff(t, 500), Duration(60000));
}

TEST(LifecycleTest, ExitMovesByStateAndCode) {
  EXPECT_EQ(*StateAfterExit(S::kStarting, 0), S::kError);
  EXPECT_EQ(*StateAfterExit(S::kStarting, 3), S::kError);
  EXPECT_EQ(*StateAfterExit(S::kReady, 1), S::kUnhealthy);
  EXPECT_EQ(*StateAfterExit(S::kReserved, 0), S::kShutdown);
  EXPECT_EQ(StateAfterExit(S::kError, 0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StateAfterExit(S::kShutdown, 1).status().code(), StatusCode::kFailedPrecondition);
}

Payload InState(PayloadState state, int restarts = 0) {
  Payload p;
  p.state = state;
  p.restarts = restarts;
  return p;
}

TEST(LifecycleTest, AnExitBeforeReadyRestartsAfterADoublingBackoff) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan = PlanExit(InState(PayloadState::kStarting, 2), 1, "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kError);
  EXPECT_EQ(plan->restarts, 3);
  EXPECT_EQ(plan->timer, TimerKind::kRestart);
  EXPECT_EQ(plan->timer_after, Duration(4000));
  EXPECT_EQ(plan->details, "game server exited before Ready (exit code 1); restart in 4000 ms");
  EXPECT_EQ(plan->streak, CrashStreak::kUnchanged);
  EXPECT_EQ(PlanExit(InState(PayloadState::kCreating), 0, "cannot start: no such file", t)->details,
            "cannot start: no such file; restart in 1000 ms");
}

TEST(LifecycleTest, ACrashAfterReadyIsUnhealthyThenShutdown) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan = PlanExit(InState(PayloadState::kReserved), 139, "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kUnhealthy);
  EXPECT_EQ(plan->timer, TimerKind::kShutdown);
  EXPECT_EQ(plan->timer_after, t.unhealthy_linger);
  EXPECT_EQ(plan->streak, CrashStreak::kCrashed);
  EXPECT_EQ(plan->details, "game server exited (exit code 139)");
}

TEST(LifecycleTest, ACleanExitShutsDownAndEndsTheCrashStreak) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan = PlanExit(InState(PayloadState::kReady, 0), 0, "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kShutdown);
  EXPECT_EQ(plan->timer, TimerKind::kRemove);
  EXPECT_EQ(plan->timer_after, t.shutdown_linger);
  EXPECT_EQ(plan->streak, CrashStreak::kEnded);
  EXPECT_EQ(PlanExit(InState(PayloadState::kShutdown), 0, "", t).status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace imsemu::core
