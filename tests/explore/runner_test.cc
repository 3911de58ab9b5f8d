// Programs played against a real game-server process (the check stand-in,
// well behaved or with one planted bug): the well-behaved one breaks no
// property whatever the program; each bug breaks its property, and only on
// the program that shows it.
#include "emulator/explore/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace imsemu::explore {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

check::CheckTarget StandIn(std::vector<std::string> flags) {
  check::CheckTarget t;
  t.spec.payload_spec.command = STANDIN_GAME_SERVER;
  t.spec.payload_spec.args = std::move(flags);
  t.log_dir = (std::filesystem::path(::testing::TempDir()) /
               ("explore-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                  .string();
  return t;
}

std::vector<std::string> Broken(const RunOutcome& run) {
  std::vector<std::string> names;
  for (const Violation& v : run.violations) names.push_back(v.property + ": " + v.text);
  return names;
}

Program Of(std::vector<Event> events) {
  Program p;
  p.events = std::move(events);
  return p;
}

TEST(RunnerTest, AWellBehavedServerBreaksNothing) {
  const Program p =
      Of({Event::Timed(EventKind::kOutage, Duration(500)), Event::Errors(503, 2),
          Event::Timed(EventKind::kPause, Duration(300)), Event::Reserve(R"({"map":"docks"})"),
          Event::Timed(EventKind::kAdvance, Duration(12000)),
          Event::Timed(EventKind::kPause, Duration(300)), Event::Sigterm()});
  StatusOr<RunOutcome> run = Play(StandIn({}), p, Limits{}, "well");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(Broken(*run), IsEmpty());
  EXPECT_TRUE(run->seen.reserved_at.has_value());
  ASSERT_TRUE(run->seen.exit.has_value()) << "it left on SIGTERM";
  EXPECT_TRUE(run->seen.exit->how.clean());
}

TEST(RunnerTest, ACrashOnABadConfigIsFoundOnlyWhereTheProgramServesOne) {
  StatusOr<RunOutcome> good =
      Play(StandIn({"--crash-on-bad-config"}), Of({Event::Reserve(R"({"map":"docks"})")}), Limits{},
           "good-config");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_THAT(Broken(*good), IsEmpty());
  StatusOr<RunOutcome> bad =
      Play(StandIn({"--crash-on-bad-config"}), Of({Event::Reserve("[]")}), Limits{}, "bad-config");
  ASSERT_TRUE(bad.ok()) << bad.status();
  ASSERT_EQ(bad->violations.size(), 1u) << ::testing::PrintToString(Broken(*bad));
  EXPECT_EQ(bad->violations[0].property, "no-crash");
}

TEST(RunnerTest, AnEchoOfTheConfigIsFound) {
  StatusOr<RunOutcome> run = Play(StandIn({"--echo-map"}),
                                  Of({Event::Reserve(R"({"map":"docks-of-the-north"})"),
                                      Event::Timed(EventKind::kPause, Duration(200))}),
                                  Limits{}, "echo");
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_FALSE(run->violations.empty());
  EXPECT_EQ(run->violations[0].property, "no-config-echo");
}

}  // namespace
}  // namespace imsemu::explore
