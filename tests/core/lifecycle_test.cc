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

}  // namespace
}  // namespace imsemu::core
