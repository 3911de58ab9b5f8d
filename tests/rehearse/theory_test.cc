// The simulation against closed forms of queueing theory: long runs (days of
// simulated time, 100,000 requests), CTest label `theory` (left out of the
// sanitizer builds, where they take minutes; the code they run is the code
// simulation_test.cc runs there). Each run has a fixed seed, so each
// comparison is the same every time; the comparisons use the run's own
// confidence interval (batch means over the timeline), so a wrong rule fails
// them by far.
#include "emulator/rehearse/simulation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>

#include "emulator/rehearse/report.h"
#include "tests/rehearse/test_plans.h"

namespace imsemu::rehearse {
namespace {

using namespace imsemu::rehearse::test;  // NOLINT: the test plans

constexpr double kLingerS = 1.0;  // Shutdown -> removed (LifecycleTimings)

// Erlang's loss formula: the fraction of arrivals a fleet of `n` servers
// refuses under an offered load of `a` erlangs.
double ErlangB(int n, double a) {
  double b = 1;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  return b;
}

// Mean and the half-width of its 99.9% confidence interval from 24 batches
// of the timeline (Student's t, 23 degrees of freedom).
struct Estimate {
  double mean = 0;
  double half_width = 0;
};
Estimate BatchMeans(const std::vector<double>& per_bucket) {
  constexpr size_t kBatches = 24;
  const size_t per_batch = per_bucket.size() / kBatches;
  std::vector<double> batches;
  for (size_t b = 0; b < kBatches; ++b) {
    double sum = 0;
    for (size_t i = b * per_batch; i < (b + 1) * per_batch; ++i) sum += per_bucket[i];
    batches.push_back(sum / static_cast<double>(per_batch));
  }
  const double mean = std::accumulate(batches.begin(), batches.end(), 0.0) / kBatches;
  double ss = 0;
  for (double x : batches) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / (kBatches - 1));
  return {mean, 3.768 * sd / std::sqrt(static_cast<double>(kBatches))};
}

// Each bucket's refused fraction (buckets with requests only).
Estimate RefusedFraction(const Result& r) {
  std::vector<double> fractions;
  for (const Bucket& b : r.timeline) {
    fractions.push_back(b.requests == 0 ? 0 : static_cast<double>(b.refused) / b.requests);
  }
  return BatchMeans(fractions);
}

Estimate MeanReserved(const Result& r) {
  std::vector<double> means;
  for (const Bucket& b : r.timeline) {
    means.push_back(static_cast<double>(b.payload_ms[static_cast<size_t>(Group::kReserved)]) /
                    static_cast<double>(b.length_ms));
  }
  return BatchMeans(means);
}

TEST(TheoryTest, AFixedFleetRefusesWhatErlangBSays) {
  // 20 servers, 15 players a minute, 1-minute matches: held 61 s each
  // (the match, then Shutdown's linger), 15.25 erlangs.
  const Plan plan = FixedFleet(20, 15, Exponential(Duration(60000)), Duration(5 * 86400000LL), 7);
  const Result r = Simulate(plan, plan.allocation);
  const double offered = 15.0 / 60 * (60 + kLingerS);
  const double theory = ErlangB(20, offered);
  const Estimate refused = RefusedFraction(r);
  EXPECT_NEAR(refused.mean, theory, refused.half_width)
      << "Erlang B " << theory << ", simulated " << refused.mean << " ± " << refused.half_width;
  EXPECT_NEAR(r.refused_fraction(), theory, refused.half_width);
  std::printf("Erlang B(20, %.4f) = %.5f; simulated %.5f +- %.5f over %lld requests\n", offered,
              theory, refused.mean, refused.half_width, r.requests);
  EXPECT_LT(refused.half_width, theory * 0.15);  // the run is long enough to judge
  EXPECT_GT(r.sessions_requested, 100000);
  EXPECT_EQ(r.peak_payloads, 20);           // max_payloads holds
  EXPECT_EQ(r.players_gave_up, r.refused);  // no retries: each refusal is a player lost

  // Little's law: the mean number of Reserved payloads is the rate of
  // sessions created times the mean match.
  const Estimate reserved = MeanReserved(r);
  const double little = 15.0 * (1 - theory);  // per minute x 1 minute
  std::printf("Little: %.4f Reserved; simulated %.4f +- %.4f\n", little, reserved.mean,
              reserved.half_width);
  EXPECT_NEAR(reserved.mean, little, reserved.half_width)
      << "Little " << little << ", simulated " << reserved.mean << " ± " << reserved.half_width;
}

TEST(TheoryTest, ErlangBHoldsForFixedMatchLengthsToo) {
  // The loss formula depends on the mean holding time alone (insensitivity).
  const Plan plan = FixedFleet(10, 6, Fixed(Duration(60000)), Duration(5 * 86400000LL), 3);
  const Result r = Simulate(plan, plan.allocation);
  const double theory = ErlangB(10, 6.0 / 60 * (60 + kLingerS));
  const Estimate refused = RefusedFraction(r);
  EXPECT_NEAR(refused.mean, theory, refused.half_width)
      << "Erlang B " << theory << ", simulated " << refused.mean << " ± " << refused.half_width;
}

TEST(TheoryTest, ABrokenRuleIsCaughtByTheTheory) {
  // The same comparison judges the other way: a fleet whose servers are
  // held twice as long (two-minute matches) is far from the one-minute
  // formula.
  const Plan plan = FixedFleet(20, 15, Exponential(Duration(120000)), Duration(2 * 86400000LL), 7);
  const Result r = Simulate(plan, plan.allocation);
  const Estimate refused = RefusedFraction(r);
  EXPECT_GT(std::abs(refused.mean - ErlangB(20, 15.0 / 60 * 61)), 10 * refused.half_width);
}

TEST(TheoryTest, AnAmpleBufferRefusesNoneAndLittlesLawHolds) {
  // M/G/infinity: buffer far above the load, lognormal matches.
  Plan plan;
  plan.name = "ample";
  plan.duration = Duration(2 * 86400000LL);
  plan.allocation = {40, 0, 100000};
  plan.arrivals.per_minute = 10;
  plan.match_length.kind = Kind::kLognormal;
  plan.match_length.value = Duration(180000);
  plan.match_length.sd = Duration(90000);
  const Result r = Simulate(plan, plan.allocation);
  EXPECT_EQ(r.refused, 0);
  const Estimate reserved = MeanReserved(r);
  EXPECT_NEAR(reserved.mean, 10.0 * 3, reserved.half_width);
  EXPECT_GE(r.peak_payloads, 40);
}

TEST(TheoryTest, ADailyShapeAndSpikesBringTheirIntegralOfPlayers) {
  Plan plan;
  plan.name = "daily";
  plan.duration = Duration(86400000LL);
  plan.allocation = {5, 0, 100000};
  plan.arrivals.shape = Arrivals::Shape::kDaily;
  plan.arrivals.min_per_minute = 2;
  plan.arrivals.max_per_minute = 18;
  plan.arrivals.peak_at = Duration(20 * 3600000LL);
  plan.arrivals.spikes.push_back({Duration(3600000), Duration(600000), 100});
  plan.match_length = Fixed(Duration(60000));
  const Result r = Simulate(plan, plan.allocation);
  const double expected = (2.0 + 18) / 2 * 1440 + 100 * 10;  // the cosine's mean, the spike
  EXPECT_NEAR(static_cast<double>(r.sessions_requested), expected, 4 * std::sqrt(expected));
  // The peak hour has more players than the trough's.
  auto players_in_hour = [&](int hour) {
    int n = 0;
    for (const Bucket& b : r.timeline) {
      if (b.start_ms / 3600000 == hour) n += b.players;
    }
    return n;
  };
  EXPECT_GT(players_in_hour(20), 3 * players_in_hour(8));
  EXPECT_GT(players_in_hour(1), players_in_hour(0) + 500);  // the spike
}

}  // namespace
}  // namespace imsemu::rehearse
