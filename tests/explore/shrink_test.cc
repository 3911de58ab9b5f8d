// Shrinking with a fake player: a planted bug that needs an outage before
// the reservation is shrunk to those two events, with the shortest outage
// and the simplest config that still break it; the budget is kept.
#include "emulator/explore/shrink.h"

#include <gtest/gtest.h>

namespace imsemu::explore {
namespace {

// Breaks when an outage of at least 300 ms comes (anywhere) before a
// reservation whose config has a "map".
bool PlantedBug(const Program& p) {
  bool outage = false;
  for (const Event& e : p.events) {
    if (e.kind == EventKind::kOutage && e.duration >= Duration(300)) outage = true;
    if (e.kind == EventKind::kReserve && outage && e.config.find("map") != std::string::npos) {
      return true;
    }
  }
  return false;
}

Program Found() {
  Program p;
  p.events = {Event::Timed(EventKind::kPause, Duration(2500)),
              Event::Errors(503, 3),
              Event::Timed(EventKind::kOutage, Duration(3700)),
              Event::Timed(EventKind::kAdvance, Duration(12000)),
              Event::Reserve(R"({"map": "docks", "max_players": 8, "mode": "ranked"})"),
              Event::Timed(EventKind::kPause, Duration(900)),
              Event::Sigterm()};
  return p;
}

TEST(ShrinkTest, APlantedBugShrinksToTheEventsThatMatter) {
  ASSERT_TRUE(PlantedBug(Found()));
  const std::vector<std::string> configs = {R"({"map":"docks"})", "{}", "[]"};
  const Shrunk s = Shrink(Found(), PlantedBug, 200, configs);
  Program expected;
  expected.events = {Event::Timed(EventKind::kOutage, Duration(400)),
                     Event::Reserve(R"({"map":"docks"})")};
  EXPECT_EQ(s.program, expected) << s.program.Describe();
  EXPECT_TRUE(PlantedBug(s.program));
  EXPECT_GT(s.accepted, 0);
  EXPECT_LE(s.attempts, 200);
}

TEST(ShrinkTest, PlayingSeveralAtOnceShrinksToTheSameProgram) {
  const std::vector<std::string> configs = {R"({"map":"docks"})", "{}", "[]"};
  const Shrunk one = Shrink(Found(), PlantedBug, 200, configs, 1);
  const Shrunk four = Shrink(Found(), PlantedBug, 200, configs, 4);
  EXPECT_EQ(four.program, one.program) << four.program.Describe();
}

TEST(ShrinkTest, TheBudgetIsKept) {
  int played = 0;
  const Shrunk s = Shrink(
      Found(),
      [&](const Program& p) {
        ++played;
        return PlantedBug(p);
      },
      3);
  EXPECT_EQ(played, 3);
  EXPECT_EQ(s.attempts, 3);
  EXPECT_TRUE(PlantedBug(s.program)) << "whatever it stopped at still breaks it";
}

TEST(ShrinkTest, AProgramNothingSmallerBreaksStaysAsItIs) {
  Program p;
  p.events = {Event::Timed(EventKind::kOutage, Duration(300)), Event::Reserve(R"({"map":1})")};
  const Shrunk s = Shrink(p, PlantedBug, 100, {"{}"});
  EXPECT_EQ(s.program, p);
  EXPECT_EQ(s.accepted, 0);
}

}  // namespace
}  // namespace imsemu::explore
