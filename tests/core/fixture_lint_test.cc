// Fixture lint: each rule of IMS's integration guide, and a clean world.
#include "emulator/core/fixture_lint.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

AllocationFixture Serving(const std::string& name, const std::string& session_type) {
  AllocationFixture a;
  a.spec.name = name;
  if (!session_type.empty()) a.spec.annotations["session_type"] = session_type;
  a.spec.buffer_size = 2;
  a.spec.max_payloads = 50;
  return a;
}

Fixture OneProject(std::vector<AllocationFixture> allocations) {
  return Fixture{{ProjectFixture{"p", std::move(allocations)}}};
}

std::vector<std::string> Messages(const Fixture& f) {
  std::vector<std::string> out;
  for (const LintFinding& finding : LintFixture(f))
    out.push_back(finding.where + ": " + finding.message);
  return out;
}

TEST(FixtureLintTest, AWorldAsTheGuideSaysHasNoFinding) {
  EXPECT_TRUE(Messages(OneProject({Serving("arena", "arena"), Serving("duel", "duel")})).empty());
}

TEST(FixtureLintTest, TwoAllocationsWithOneSessionType) {
  auto m = Messages(OneProject({Serving("a", "arena"), Serving("b", "arena")}));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].substr(0, 33), "projects[0].allocations[1] (b): s");
  EXPECT_NE(m[0].find("as projects[0].allocations[0] (a) does"), std::string::npos) << m[0];
}

TEST(FixtureLintTest, NoOrAHugeMaxPayloads) {
  AllocationFixture none = Serving("a", "arena");
  none.spec.max_payloads = kDefaultMaxPayloads;
  AllocationFixture huge = Serving("b", "duel");
  huge.spec.max_payloads = kLintMaxPayloads;
  AllocationFixture fine = Serving("c", "ffa");
  fine.spec.max_payloads = kLintMaxPayloads - 1;
  auto m = Messages(OneProject({none, huge, fine}));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NE(m[0].find("max_payloads is 100000 (the default: none set)"), std::string::npos);
  EXPECT_NE(m[1].find("max_payloads is 1000:"), std::string::npos);
}

TEST(FixtureLintTest, NoBufferAutoReserveAndNoSessionType) {
  AllocationFixture empty = Serving("a", "arena");
  empty.spec.buffer_size = 0;
  AllocationFixture shared = Serving("b", "duel");
  shared.spec.auto_reserve = AutoReserve{};
  auto m = Messages(OneProject({empty, shared}));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NE(m[0].find("buffer_size is 0"), std::string::npos);
  EXPECT_NE(m[1].find("auto_reserve"), std::string::npos);
  EXPECT_EQ(Messages(OneProject({Serving("a", "")})),
            std::vector<std::string>{"projects: no allocation has a session_type annotation: the "
                                     "Session Manager can create no session"});
}

}  // namespace
}  // namespace imsemu::core
