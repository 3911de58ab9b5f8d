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
  StatusOr<ExitPlan> plan =
      PlanExit(InState(PayloadState::kStarting, 2), ProcessExit::Exited(1), "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kError);
  EXPECT_EQ(plan->restarts, 3);
  EXPECT_EQ(plan->timer, TimerKind::kRestart);
  EXPECT_EQ(plan->timer_after, Duration(4000));
  EXPECT_EQ(plan->details, "game server exited before Ready (exit code 1); restart in 4000 ms");
  EXPECT_EQ(plan->streak, CrashStreak::kUnchanged);
  EXPECT_EQ(PlanExit(InState(PayloadState::kCreating), ProcessExit::NotStarted(),
                     "cannot start: no such file", t)
                ->details,
            "cannot start: no such file; restart in 1000 ms");
}

TEST(LifecycleTest, ACrashAfterReadyIsUnhealthyThenShutdown) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan =
      PlanExit(InState(PayloadState::kReserved), ProcessExit::Exited(139), "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kUnhealthy);
  EXPECT_EQ(plan->timer, TimerKind::kShutdown);
  EXPECT_EQ(plan->timer_after, t.unhealthy_linger);
  EXPECT_EQ(plan->streak, CrashStreak::kCrashed);
  EXPECT_EQ(plan->details, "game server exited (exit code 139)");
}

TEST(LifecycleTest, ASignalIsACrashNamedAsTheSignalNotAsACode) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan =
      PlanExit(InState(PayloadState::kReady), ProcessExit::Signaled(11), "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kUnhealthy);
  EXPECT_EQ(plan->streak, CrashStreak::kCrashed);
  EXPECT_EQ(plan->details, "game server exited (signal 11 (SIGSEGV))");
  // An exit code of 255 (mono's) is a code, not "signal 127".
  EXPECT_EQ(PlanExit(InState(PayloadState::kReady), ProcessExit::Exited(255), "", t)->details,
            "game server exited (exit code 255)");
}

TEST(ProcessExitTest, DescribesEachWayToEndAndItsShellCode) {
  EXPECT_EQ(ProcessExit::Exited(3).Describe(), "exit code 3");
  EXPECT_EQ(ProcessExit::Signaled(6).Describe(), "signal 6 (SIGABRT)");
  EXPECT_EQ(ProcessExit::Signaled(40).Describe(), "signal 40");
  EXPECT_EQ(ProcessExit::NotStarted().Describe(), "never started");
  EXPECT_EQ(ProcessExit::Signaled(9).ShellCode(), 137);
  EXPECT_EQ(ProcessExit::Exited(255).ShellCode(), 255);
  EXPECT_TRUE(ProcessExit::Exited(0).clean());
  EXPECT_FALSE(ProcessExit::Signaled(15).clean());
  EXPECT_FALSE(ProcessExit::NotStarted().clean());
  for (auto how :
       {ProcessExit::How::kExited, ProcessExit::How::kSignaled, ProcessExit::How::kNotStarted}) {
    EXPECT_EQ(ParseProcessExitHow(ProcessExitHowName(how)), how);
  }
  EXPECT_EQ(ParseProcessExitHow("crashed"), std::nullopt);
}

TEST(LifecycleTest, ACleanExitShutsDownAndEndsTheCrashStreak) {
  LifecycleTimings t;
  StatusOr<ExitPlan> plan =
      PlanExit(InState(PayloadState::kReady, 0), ProcessExit::Exited(0), "", t);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->state, PayloadState::kShutdown);
  EXPECT_EQ(plan->timer, TimerKind::kRemove);
  EXPECT_EQ(plan->timer_after, t.shutdown_linger);
  EXPECT_EQ(plan->streak, CrashStreak::kEnded);
  EXPECT_EQ(
      PlanExit(InState(PayloadState::kShutdown), ProcessExit::Exited(0), "", t).status().code(),
      StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace imsemu::core
