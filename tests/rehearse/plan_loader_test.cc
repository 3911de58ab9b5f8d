#include "emulator/rehearse/plan_loader.h"

#include <gtest/gtest.h>

#include <map>

namespace imsemu::rehearse {
namespace {

constexpr const char* kPlan = R"(name: launch day
seed: 3
duration: 24h
allocation: {session_type: ranked, buffer_size: 10, min_payloads: 0, max_payloads: 500}
demand:
  arrivals: {poisson: {per_minute: 20}}
  match_length: {exponential: {mean: 20m}}
  patience: {retries: 2, every: 5s}
  starts_after: 1m
servers:
  ready_after: {fixed: 30s}
  crash_probability: 0.01
sweep:
  buffer_size: [0, 5]
  max_payloads: [100, 500]
)";

// Files a plan may name, by resolved path.
std::map<std::string, std::string> files = {
    {"plans/rates.csv", "minute,per_minute\n0,10\n2,30\n# a comment\n\n3,5\n"},
    {"plans/lengths.csv", "600\n1200.5\n"},
    {"plans/bad.csv", "0,10\n1,x\n"},
    {"plans/late.csv", "1,10\n"},
};

StatusOr<Plan> Parse(const std::string& text) {
  return ParsePlan(text, "plans/p.yaml", [](const std::string& path) -> StatusOr<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return InvalidArgument("cannot read '" + path + "'");
    return it->second;
  });
}

// The plan with `line` put in place of the line starting with `prefix`.
std::string With(const std::string& prefix, const std::string& line) {
  std::string out;
  size_t from = 0;
  const std::string text = kPlan;
  while (from < text.size()) {
    const size_t end = text.find('\n', from);
    const std::string current = text.substr(from, end - from);
    out += (current.rfind(prefix, 0) == 0 ? line : current) + "\n";
    from = end + 1;
  }
  return out;
}

TEST(PlanLoaderTest, ReadsEveryField) {
  StatusOr<Plan> plan = Parse(kPlan);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->name, "launch day");
  EXPECT_EQ(plan->seed, 3u);
  EXPECT_EQ(plan->duration, Duration(86400000));
  EXPECT_EQ(plan->session_type, "ranked");
  EXPECT_EQ(plan->allocation, (Settings{10, 0, 500}));
  EXPECT_EQ(plan->arrivals.per_minute, 20);
  EXPECT_EQ(plan->match_length.kind, Distribution::Kind::kExponential);
  EXPECT_EQ(plan->match_length.value, Duration(1200000));
  EXPECT_EQ(plan->patience.retries, 2);
  EXPECT_EQ(plan->demand_starts_after, Duration(60000));
  EXPECT_EQ(plan->ready_after.value, Duration(30000));
  EXPECT_DOUBLE_EQ(plan->crash_probability, 0.01);
  const std::vector<Settings> swept = plan->SweptSettings();
  ASSERT_EQ(swept.size(), 4u);
  EXPECT_EQ(swept[0], (Settings{0, 0, 100}));
  EXPECT_EQ(swept[1], (Settings{0, 0, 500}));
  EXPECT_EQ(swept[3], (Settings{5, 0, 500}));
}

TEST(PlanLoaderTest, ReadsNewBuildsShippedDuringThePlan) {
  StatusOr<Plan> plan = Parse(
      std::string(kPlan) + "rollouts:\n  - {at: 14h}\n  - {at: 18h, ready_after: {fixed: 90s}}\n");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->rollouts.size(), 2u);
  EXPECT_EQ(plan->rollouts[0].at, Duration(14 * 3600000LL));
  EXPECT_FALSE(plan->rollouts[0].ready_after.has_value()) << "as the build before";
  EXPECT_EQ(plan->rollouts[1].at, Duration(18 * 3600000LL));
  ASSERT_TRUE(plan->rollouts[1].ready_after.has_value());
  EXPECT_EQ(plan->rollouts[1].ready_after->value, Duration(90000));

  struct Case {
    std::string rollouts;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"rollouts: []", "rollouts must be a non-empty list of new builds"},
      {"rollouts: {at: 2h}", "rollouts must be a non-empty list"},
      {"rollouts: [{ready_after: 30s}]", "rollouts[0] needs at"},
      {"rollouts: [{at: 2h, when: 3h}]", "unknown field 'rollouts[0].when'"},
      {"rollouts: [{at: 3h}, {at: 2h}]", "rollouts[1].at must be later than the build before it"},
      {"rollouts: [{at: 2h}, {at: 2h}]", "rollouts[1].at must be later"},
      {"rollouts: [{at: 24h}]", "each at must be within the plan's duration"},
      {"rollouts: [{at: 2h, ready_after: {fixed: soon}}]", "rollouts[0].ready_after.fixed"},
      {"rolouts: [{at: 2h}]", "did you mean 'rollouts'?"},
  };
  for (const Case& c : cases) {
    StatusOr<Plan> bad = Parse(std::string(kPlan) + c.rollouts + "\n");
    ASSERT_FALSE(bad.ok()) << c.rollouts;
    EXPECT_NE(bad.status().message().find(c.needle), std::string::npos)
        << bad.status().message() << "\n  wanted: " << c.needle;
  }
  std::string many = "rollouts:\n";
  for (int i = 1; i <= 101; ++i) many += "  - {at: " + std::to_string(i) + "m}\n";
  StatusOr<Plan> too_many = Parse(std::string(kPlan) + many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("at most 100 new builds"), std::string::npos)
      << too_many.status().message();
}

TEST(PlanLoaderTest, ReadsEveryShapeOfDemand) {
  StatusOr<Plan> plan = Parse(
      With("  arrivals:",
           "  arrivals: {curve: {csv: rates.csv}, spikes: [{at: 1h, for: 10m, per_minute: 50}]}"));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->arrivals.curve, (std::vector<double>{10, 10, 30, 5}));
  EXPECT_EQ(plan->arrivals.RateAt(Duration(60000 * 2 + 5)), 30);
  EXPECT_EQ(plan->arrivals.RateAt(Duration(60000 * 5)), 10);  // repeats
  EXPECT_EQ(plan->arrivals.RateAt(Duration(3600000)), 10 + 50);
  EXPECT_EQ(plan->arrivals.MaxRate(), 80);

  plan = Parse(With("  arrivals:",
                    "  arrivals: {daily: {min_per_minute: 2, max_per_minute: 40, peak_at: 20h}}"));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_DOUBLE_EQ(plan->arrivals.RateAt(Duration(20 * 3600000)), 40);
  EXPECT_DOUBLE_EQ(plan->arrivals.RateAt(Duration(8 * 3600000)), 2);

  for (const char* length : {"  match_length: 20m", "  match_length: {fixed: 20m}",
                             "  match_length: {lognormal: {mean: 20m, sd: 5m}}",
                             "  match_length: {uniform: {min: 10m, max: 30m}}",
                             "  match_length: {empirical: {csv: lengths.csv}}"}) {
    plan = Parse(With("  match_length:", length));
    ASSERT_TRUE(plan.ok()) << length << ": " << plan.status().message();
    EXPECT_NE(plan->match_length.MeanMs(), 0) << length;
  }
  EXPECT_EQ(plan->match_length.samples,
            (std::vector<Duration>{Duration(600000), Duration(1200500)}));
}

TEST(PlanLoaderTest, RefusesWhatWouldTestNothingNamingTheFieldAndTheRule) {
  struct Case {
    std::string text;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {With("seed:", "sede: 3"), "p.yaml:2: unknown field 'sede' (did you mean 'seed'?)"},
      {With("  arrivals:", "  arrivals: {poison: {per_minute: 20}}"),
       "unknown field 'demand.arrivals.poison' (did you mean 'poisson'?)"},
      {With("  arrivals:", "  arrivals: {poisson: {per_minut: 20}}"), "did you mean 'per_minute'?"},
      {With("  arrivals:",
            "  arrivals: {poisson: {per_minute: 20}, daily: {min_per_minute: 1, max_per_minute: "
            "2}}"),
       "not both"},
      {With("  arrivals:", "  arrivals: {poisson: {per_minute: -1}}"),
       "demand.arrivals.poisson.per_minute must be a number of players a minute"},
      {With("  arrivals:", "  arrivals: {poisson: {}}"), "needs per_minute"},
      {With("  arrivals:", "  arrivals: {curve: {csv: bad.csv}}"), "bad.csv:2: '1,x' is not a row"},
      {With("  arrivals:", "  arrivals: {curve: {csv: late.csv}}"),
       "the first row must be minute 0"},
      {With("  arrivals:", "  arrivals: {curve: {csv: none.csv}}"), "cannot read 'plans/none.csv'"},
      {With("  match_length:", "  match_length: {exponential: {mean: 0s}}"),
       "mean must be longer than 0s"},
      {With("  match_length:", "  match_length: {exponential: {mean: soon}}"),
       "demand.match_length.exponential.mean: 'soon'"},
      {With("  match_length:", "  match_length: {gamma: {mean: 2m}}"),
       "takes one of fixed, exponential"},
      {With("  match_length:", "  match_length: {uniform: {min: 3m, max: 2m}}"),
       "min must be at most max"},
      {With("  crash_probability:", "  crash_probability: 2"),
       "servers.crash_probability must be a probability"},
      {With("  ready_after:", "  ready_afer: 3s"), "did you mean 'ready_after'?"},
      {With("  patience:", "  patience: {retries: 2.5}"),
       "demand.patience.retries must be an integer"},
      {With("  buffer_size: [0, 5]", "  buffer_sise: [0, 5]"), "did you mean 'buffer_size'?"},
      {With("  buffer_size: [0, 5]", "  buffer_size: []"),
       "sweep.buffer_size must be a non-empty list"},
      {With("  buffer_size: [0, 5]", "  buffer_size: [0, 600]"),
       "buffer_size (600) must be at most max_payloads (100)"},
      {With("duration:", "duration: 0s"), "duration must be longer than 0s"},
      {With("allocation:", "allocation: {session_type: " + std::string(300000, 'x') + "}"),
       "allocation.session_type: allocation.annotations.session_type: annotation value is larger"},
      {With("  starts_after:", "  starts_after: 24h"), "demand.starts_after must be shorter"},
      {With("duration:", "duration: 40d"), "unknown unit"},
      {With("duration:", "duration: 800h"), "at most 31 days"},
      {With("name:", "# no name"), "a plan needs a name"},
      {With("allocation:", "allocation: {buffer_size: 10, min_payloads: 200, max_payloads: 5}"),
       "min_payloads (200) must be at most max_payloads (100)"},
      {"name: x\nduration: 1h\n", "a plan needs a demand"},
      {"- a list", "a plan is a map"},
      {"name: [unclosed", "p.yaml:1:"},
      {std::string("name: \xff\n"), "not valid UTF-8"},
  };
  for (const Case& c : cases) {
    StatusOr<Plan> plan = Parse(c.text);
    ASSERT_FALSE(plan.ok()) << c.text;
    EXPECT_NE(plan.status().message().find(c.needle), std::string::npos)
        << plan.status().message() << "\n  wanted: " << c.needle;
    EXPECT_EQ(plan.status().message().rfind("plans/p.yaml:", 0), 0u) << plan.status().message();
  }
  // A plan that would bring more players than a run can hold.
  StatusOr<Plan> huge = Parse(With("  arrivals:", "  arrivals: {poisson: {per_minute: 100000}}"));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("at most 20000000"), std::string::npos);
}

TEST(PlanLoaderTest, ReadsThePlansShippedWithTheProject) {
  for (const char* file : {"launch-day.yaml", "evening-peak.yaml", "ship-a-build.yaml"}) {
    StatusOr<Plan> plan = LoadPlan(std::string(IMSEMU_SOURCE_DIR) + "/plans/" + file);
    EXPECT_TRUE(plan.ok()) << file << ": " << plan.status().message();
  }
}

}  // namespace
}  // namespace imsemu::rehearse
