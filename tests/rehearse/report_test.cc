#include "emulator/rehearse/report.h"

#include <gtest/gtest.h>

#include "emulator/rehearse/report_html.h"

namespace imsemu::rehearse {
namespace {

using Json = nlohmann::json;

TEST(ReportTest, ParsesTargetsAndNamesTheRuleOfABadOne) {
  StatusOr<Target> t = ParseTarget("refused_fraction<0.001");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->metric, "refused_fraction");
  EXPECT_EQ(t->op, "<");
  EXPECT_DOUBLE_EQ(t->value, 0.001);
  t = ParseTarget("time_to_session_ms.p99<=5000");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->op, "<=");
  EXPECT_EQ(ParseTarget("refused_fractoin<0.1")
                    .status()
                    .message()
                    .find("did you mean 'refused_fraction'") != std::string::npos,
            true);
  EXPECT_FALSE(ParseTarget("refused_fraction<").ok());
  EXPECT_FALSE(ParseTarget("refused_fraction<abc").ok());
  EXPECT_FALSE(ParseTarget("refused_fraction=0.1").ok());
  EXPECT_FALSE(ParseTarget("<0.1").ok());
  EXPECT_FALSE(ParseTarget("refused_fraction<0.1x").ok());
}

TEST(ReportTest, EveryMetricATargetMayNameIsANumberOfEveryResult) {
  Result r;
  r.duration_ms = 3600000;
  const Json j = ResultJson(r);
  for (const std::string& metric : MetricNames()) {
    // The rollout_ ones only in a plan that ships a build (and a target
    // naming one is then never met: the CLI refuses it first).
    EXPECT_EQ(MetricOf(j, metric).has_value(), !IsRolloutMetric(metric)) << metric;
  }
  r.rollouts.push_back({});
  const Json with_rollouts = ResultJson(r);
  for (const std::string& metric : MetricNames()) {
    EXPECT_TRUE(MetricOf(with_rollouts, metric).has_value()) << metric;
  }
  EXPECT_FALSE(Meets(j, {*ParseTarget("rollout_refused<=0")}));
  EXPECT_TRUE(Meets(with_rollouts, {*ParseTarget("rollout_refused<=0")}));
  EXPECT_FALSE(MetricOf(j, "settings").has_value());
  EXPECT_FALSE(MetricOf(j, "time_to_session_ms.p42").has_value());
}

Json Row(double refused, double hours) {
  return {{"refused_fraction", refused}, {"payload_hours", hours}};
}

TEST(ReportTest, TheCheapestSettingMeetingEveryTargetIsChosen) {
  const Json results = Json::array({Row(0.2, 10), Row(0.0005, 30), Row(0.0001, 20), Row(0, 20)});
  const std::vector<Target> strict = {*ParseTarget("refused_fraction<0.001")};
  EXPECT_EQ(Cheapest(results, strict), 2u);  // the first of the two cheapest
  EXPECT_FALSE(Meets(results[0], strict));
  EXPECT_TRUE(Meets(results[1], strict));
  const std::vector<Target> none = {*ParseTarget("refused_fraction<0")};
  EXPECT_FALSE(Cheapest(results, none).has_value());
  const std::vector<Target> both = {*ParseTarget("refused_fraction<=0.0005"),
                                    *ParseTarget("payload_hours>25")};
  EXPECT_EQ(Cheapest(results, both), 1u);
  // A metric a result lacks never meets a target.
  EXPECT_FALSE(Meets(Json::object(), strict));
}

TEST(ReportTest, TheHtmlIsOneFileThatMarksTheCheapestAndFetchesNothing) {
  Plan plan;
  plan.name = "<launch & day>";
  plan.duration = Duration(3600000);
  plan.allocation = {0, 0, 50};
  plan.arrivals.per_minute = 5;
  plan.match_length.value = Duration(300000);
  plan.sweep = {{"buffer_size", {0, 5, 30}}};
  const std::vector<Target> targets = {*ParseTarget("refused_fraction<0.05")};
  const Json report = ReportJson(plan, RunSweep(plan, 2), targets);
  ASSERT_EQ(report["results"].size(), 3u);
  EXPECT_EQ(report["cheapest"], 1);
  EXPECT_EQ(CheapestIndex(report), 1);
  const std::string html = ReportHtml(report);
  EXPECT_NE(html.find("&lt;launch &amp; day&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<launch"), std::string::npos);
  EXPECT_NE(html.find("<tr id='setting-1' class='cheapest'>"), std::string::npos);
  EXPECT_NE(html.find("<tr id='setting-0' class='misses'>"), std::string::npos);
  EXPECT_NE(html.find("<svg id='payloads-2'"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
  const std::string no_setting =
      ReportHtml(ReportJson(plan, RunSweep(plan, 1), {*ParseTarget("refused_fraction<0")}));
  EXPECT_NE(no_setting.find("no setting meets it"), std::string::npos);
  EXPECT_EQ(html.find("class='rollouts'"), std::string::npos) << "no new build, no table";
}

TEST(ReportTest, TheHtmlListsEachNewBuildAndTheRefusalsDuringItsRollout) {
  Result r;
  r.duration_ms = 4 * 3600000LL;
  r.rollouts.push_back({5400000, 5430000, 5460000, false, 40, 3, 12});
  r.rollouts.push_back({9000000, std::nullopt, std::nullopt, false, 7, 0, 9});
  Plan plan;
  plan.name = "ship";
  plan.duration = Duration(r.duration_ms);
  const std::string html = ReportHtml(ReportJson(plan, {r}, {}));
  EXPECT_NE(html.find("<table class='rollouts' id='rollouts-0'>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><td>1:30 h</td><td>1:30 h</td><td>1:31 h</td><td>40</td><td>3 (7.50%)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<tr><td>2:30 h</td><td>-</td><td>-</td><td>7</td><td>0 (0.00%)"),
            std::string::npos)
      << "not done: no time";
  const Json j = ResultJson(r);
  EXPECT_EQ(j["rollouts"][0]["done_s"], 5460);
  EXPECT_EQ(j["rollout_refused"], 3);
  EXPECT_DOUBLE_EQ(j["rollout_refused_fraction"].get<double>(), 3.0 / 47);
  EXPECT_EQ(j["rollout_s_max"], 4 * 3600 - 9000) << "the second, until the run ended";
}

}  // namespace
}  // namespace imsemu::rehearse
