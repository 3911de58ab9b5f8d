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

// A new build rolls out as `serve` rolls one out: the buffer is kept while
// the new servers start, so a rollout refuses no more than a quiet hour; a
// build whose servers start slowly with no room to surge refuses players.
TEST(SimulationTest, ANewBuildRollsOutAndItsRefusalsAreCounted) {
  Plan plan;
  plan.name = "rollout";
  plan.duration = Duration(4 * 3600000LL);
  plan.allocation = {6, 0, 60};
  plan.arrivals.per_minute = 2;
  plan.match_length = Fixed(Duration(20 * 60000));
  plan.ready_after = Fixed(Duration(30000));
  plan.rollouts = {{Duration(2 * 3600000LL), std::nullopt}};
  const Result r = Simulate(plan, plan.allocation);
  ASSERT_EQ(r.rollouts.size(), 1u);
  const RolloutResult& x = r.rollouts[0];
  EXPECT_EQ(x.at_ms, 2 * 3600000LL);
  ASSERT_TRUE(x.done_ms().has_value()) << "the old idle servers go once new ones are Ready";
  // Surge first: the new buffer Ready 30 s later, then the old idle ones go.
  EXPECT_GE(*x.done_ms() - x.at_ms, 30000);
  EXPECT_LE(*x.done_ms() - x.at_ms, 60000);
  EXPECT_FALSE(x.superseded);
  EXPECT_GT(x.requests, 0);
  EXPECT_EQ(x.refused, 0) << "the buffer never dropped";
  EXPECT_GE(x.peak_payloads, 12) << "old Ready, new Starting and the matches in play, side by side";

  // At the ceiling there is no room to surge: one old Ready server at a
  // time makes room, and a build whose servers take an hour to start leaves
  // players without a server once the old Ready ones are taken.
  Plan tight = plan;
  tight.allocation = {4, 0, 4};
  tight.arrivals.per_minute = 0.2;
  tight.match_length = Fixed(Duration(5 * 60000));
  tight.rollouts[0].ready_after = Fixed(Duration(60 * 60000));
  Plan steady = tight;
  steady.rollouts.clear();
  const Result slow = Simulate(tight, tight.allocation);
  const Result baseline = Simulate(steady, steady.allocation);
  const RolloutResult& y = slow.rollouts.at(0);
  ASSERT_TRUE(y.done_ms().has_value());
  ASSERT_TRUE(y.running_ms.has_value());
  EXPECT_LT(*y.running_ms, *y.first_ready_ms) << "no old server left unreserved long before a "
                                                 "new one is Ready: the players in between are "
                                                 "the rollout's";
  EXPECT_EQ(*y.done_ms(), *y.first_ready_ms);
  EXPECT_GE(*y.first_ready_ms - y.at_ms, 60 * 60000);
  EXPECT_GT(y.refused, 0);
  EXPECT_GT(slow.refused, baseline.refused + y.refused / 2) << "the refusals are the rollout's";
  EXPECT_LE(y.peak_payloads, 4);
  EXPECT_TRUE(baseline.rollouts.empty());

  // A build shipped while the one before still rolls out supersedes it; one
  // still rolling out at the end is not done (no player takes the old idle
  // servers, and the new ones start after the run).
  Plan twice = tight;
  twice.arrivals.per_minute = 0;
  twice.rollouts = {{Duration(3600000), Fixed(Duration(60 * 60000))},
                    {Duration(3600000 + 60000), Fixed(Duration(4 * 3600000LL))}};
  const Result both = Simulate(twice, twice.allocation);
  ASSERT_EQ(both.rollouts.size(), 2u);
  EXPECT_TRUE(both.rollouts[0].superseded);
  EXPECT_FALSE(both.rollouts[0].done_ms().has_value());
  EXPECT_FALSE(both.rollouts[1].superseded);
  EXPECT_FALSE(both.rollouts[1].done_ms().has_value());
  const nlohmann::json report = ResultJson(both);
  EXPECT_EQ(report["rollouts"][0]["done_s"], nlohmann::json(nullptr));
  EXPECT_EQ(report["rollout_s_max"], 3 * 3600 - 60) << "until the run ended";
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
