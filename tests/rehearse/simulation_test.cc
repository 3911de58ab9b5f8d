// The simulation's rules on short runs: the status cache's lag, retries,
// start-ups, crashes, determinism and common random numbers (the long
// comparisons with queueing theory are in theory_test.cc).
#include "emulator/rehearse/simulation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "emulator/rehearse/report.h"
#include "tests/rehearse/test_plans.h"

namespace imsemu::rehearse {
namespace {

using namespace imsemu::rehearse::test;  // NOLINT: the test plans

TEST(SimulationTest, StatusesShowInListSessionsWithinTheCacheLag) {
  Plan plan;
  plan.name = "staleness";
  plan.duration = Duration(6 * 3600000LL);
  plan.allocation = {10, 0, 100000};
  plan.arrivals.per_minute = 10;
  plan.match_length = Fixed(Duration(600000));
  const Result r = Simulate(plan, plan.allocation);
  // A cache refreshed every 12 s: a status shows after (0, 12] s, uniform.
  EXPECT_NEAR(static_cast<double>(r.list_staleness_ms.p50), 6000, 600);
  EXPECT_GT(r.list_staleness_ms.p99, 11000);
  EXPECT_LE(r.list_staleness_ms.p99, 12000);
  EXPECT_EQ(r.statuses_never_shown, 0);  // 10-minute matches outlive the lag
}

TEST(SimulationTest, RefusedPlayersRetryThenGiveUp) {
  Plan plan;
  plan.name = "patience";
  plan.duration = Duration(3600000);
  plan.allocation = {0, 0, 100000};  // nothing is ever Ready
  plan.arrivals.per_minute = 10;
  plan.match_length = Fixed(Duration(60000));
  plan.patience.retries = 3;
  plan.patience.every = Duration(5000);
  const Result r = Simulate(plan, plan.allocation);
  EXPECT_GT(r.sessions_requested, 400);
  // The last minute's players have no time left for every retry.
  EXPECT_NEAR(static_cast<double>(r.requests), 4.0 * r.sessions_requested, 40);
  EXPECT_EQ(r.sessions_created, 0);
  EXPECT_EQ(r.refused, r.requests);
  EXPECT_NEAR(static_cast<double>(r.players_gave_up), r.sessions_requested, 10);
}

TEST(SimulationTest, ARetryWaitsForAServerStartingAndCountsInTimeToSession) {
  Plan plan;
  plan.name = "start-up";
  plan.duration = Duration(600000);
  plan.allocation = {1, 1, 1};  // one server: refused while it restarts
  plan.arrivals.per_minute = 1;
  plan.match_length = Fixed(Duration(30000));
  plan.ready_after = Fixed(Duration(20000));
  plan.patience.retries = 10;
  plan.patience.every = Duration(5000);
  const Result r = Simulate(plan, plan.allocation);
  ASSERT_GT(r.sessions_created, 0);
  EXPECT_GT(r.refused, 0);
  EXPECT_GT(r.time_to_session_ms.p99, 0);
  EXPECT_EQ(r.time_to_session_ms.p99 % 5000, 0);  // whole retries
}

TEST(SimulationTest, CrashesEndAboutTheirShareOfMatches) {
  Plan plan;
  plan.name = "crashes";
  plan.duration = Duration(12 * 3600000LL);
  plan.allocation = {20, 0, 100000};
  plan.arrivals.per_minute = 5;
  plan.match_length = Exponential(Duration(120000));
  plan.crash_probability = 0.1;
  const Result r = Simulate(plan, plan.allocation);
  const double n = static_cast<double>(r.sessions_created);
  EXPECT_NEAR(static_cast<double>(r.matches_crashed), 0.1 * n, 4 * std::sqrt(0.09 * n));
  // Crashed servers linger Unhealthy before they go: leaving hours grow.
  EXPECT_GT(r.hours(Group::kLeaving), n * 1.0 / 3600);
}

TEST(SimulationTest, TheSamePlanAndSeedGiveTheSameReport) {
  Plan plan = FixedFleet(8, 6, Exponential(Duration(60000)), Duration(6 * 3600000LL), 11);
  plan.ready_after.kind = Kind::kUniform;
  plan.ready_after.min = Duration(1000);
  plan.ready_after.max = Duration(9000);
  plan.crash_probability = 0.05;
  plan.patience.retries = 2;
  plan.sweep = {{"buffer_size", {2, 8}}};
  plan.allocation.max_payloads = 100;
  plan.allocation.min_payloads = 0;
  const std::string one = ReportJson(plan, RunSweep(plan, 1), {}).dump();
  const std::string two = ReportJson(plan, RunSweep(plan, 2), {}).dump();
  EXPECT_EQ(one, two);
  plan.seed = 12;
  EXPECT_NE(ReportJson(plan, RunSweep(plan, 2), {}).dump(), one);
}

TEST(SimulationTest, EverySettingSeesTheSamePlayers) {
  Plan plan = FixedFleet(1, 4, Exponential(Duration(60000)), Duration(3600000), 5);
  plan.allocation = {0, 0, 100};
  plan.sweep = {{"buffer_size", {0, 3, 9}}};
  const std::vector<Result> results = RunSweep(plan, 2);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].settings.buffer_size, 0);
  EXPECT_EQ(results[2].settings.buffer_size, 9);
  EXPECT_EQ(results[0].sessions_requested, results[1].sessions_requested);
  EXPECT_EQ(results[1].sessions_requested, results[2].sessions_requested);
  EXPECT_GT(results[0].refused, results[1].refused);
  EXPECT_GE(results[1].refused, results[2].refused);
}

}  // namespace
}  // namespace imsemu::rehearse
