#include "emulator/util/api_routes.h"

#include <set>

#include <gtest/gtest.h>

namespace imsemu::routes {
namespace {

TEST(ApiRoutesTest, ExpandFillsAndEncodesEachName) {
  EXPECT_EQ(
      Expand(kGetPayloadOf.path, {{"project", "p 1"}, {"allocation", "a/b"}, {"payload", "x"}}),
      "/api/v0/projects/p%201/allocations/a%2Fb/payloads/x");
  EXPECT_EQ(Expand(kReset.path, {}), "/emulator/v0/reset");
  EXPECT_EQ(Expand(kTakeSnapshot.path, {}), "/emulator/v0/snapshots/{name}");  // a bug shows
}

TEST(ApiRoutesTest, MatchReadsTheNamesOfAPathOfTheTemplateOnly) {
  auto values = Match(kDeletePayload.path, "/api/v0/projects/p/allocations/a/payloads/x");
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, (std::map<std::string, std::string>{
                         {"project", "p"}, {"allocation", "a"}, {"payload", "x"}}));
  EXPECT_FALSE(Match(kDeletePayload.path, "/api/v0/projects/p/allocations/a/payloads"));
  EXPECT_FALSE(Match(kDeletePayload.path, "/api/v0/projects/p/allocations/a/payloads/x/y"));
  EXPECT_FALSE(Match(kDeletePayload.path, "/api/v0/projects//allocations/a/payloads/x"));
  EXPECT_FALSE(Match(kGetAllocation.path, "/api/v0/projects/p/allocation/a"));
  EXPECT_TRUE(Match(kHealth.path, "/emulator/v0/health"));
  EXPECT_FALSE(Match(kHealth.path, "/emulator/v0/healthy"));
}

TEST(ApiRoutesTest, PatternCapturesEachNameInOrder) {
  EXPECT_EQ(Pattern(kReserve.path), "/api/v0/projects/([^/]+)/allocations/([^/]+)/reservations");
  EXPECT_EQ(Pattern(kGetConfig.path), "/api/v0/session-manager/config");
}

TEST(ApiRoutesTest, EveryRouteIsOnceInTheListAndExpandsToAPathItMatches) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& route : kAllRoutes) {
    EXPECT_TRUE(seen.emplace(route.method, route.path).second) << route.method << route.path;
    std::map<std::string, std::string> values;
    for (const char* name : {"project", "allocation", "payload", "name"}) values[name] = "v";
    EXPECT_TRUE(Match(route.path, Expand(route.path, values))) << route.path;
  }
  EXPECT_GE(seen.size(), 40u);
}

TEST(ApiRoutesTest, MethodsAtNameWhatEachListenerServesAPathWith) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(MethodsAt("/emulator/v0/faults", Listener::kMain), V({"POST", "GET", "DELETE"}));
  EXPECT_EQ(MethodsAt("/api/v0/projects/p/allocations/a", Listener::kMain),
            V({"GET", "PUT", "DELETE"}));
  EXPECT_EQ(MethodsAt("/payloads/p1/api/v0/session-manager/status", Listener::kMain),
            V({"GET", "POST"}));
  EXPECT_EQ(MethodsAt("/api/v0/session-manager/status", Listener::kPayload), V({"GET", "POST"}));
  // Each listener serves only its own routes.
  EXPECT_EQ(MethodsAt("/api/v0/ready", Listener::kMain), V());
  EXPECT_EQ(MethodsAt("/emulator/v0/faults", Listener::kPayload), V());
  EXPECT_EQ(MethodsAt("/payloads/p1/api/v0/ready", Listener::kPayload), V());
  EXPECT_EQ(MethodsAt("/emulator/v0/nothing", Listener::kMain), V());
  EXPECT_EQ(MethodsAt("/emulator/v0/faults/extra", Listener::kMain), V());
}

TEST(ApiRoutesTest, PayloadLocalPathsOnTheirPortAndUnderTheSharedPrefix) {
  EXPECT_TRUE(IsPayloadLocalApi(kSetStatus));
  EXPECT_FALSE(IsPayloadLocalApi(kListSessions));
  EXPECT_FALSE(IsPayloadLocalApi(kHealth));
  EXPECT_TRUE(IsPayloadLocalPath("/api/v0/ready"));
  EXPECT_TRUE(IsPayloadLocalPath("/payloads/p1/api/v0/session-manager/status"));
  EXPECT_FALSE(IsPayloadLocalPath("/payloads//api/v0/ready"));
  EXPECT_FALSE(IsPayloadLocalPath("/api/v0/projects/p/sessions"));
  const auto split = SplitSharedPayloadPath("/payloads/p1/api/v0/ready");
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->first, "p1");
  EXPECT_EQ(split->second, "/api/v0/ready");
  EXPECT_FALSE(SplitSharedPayloadPath("/payloads/p1"));
  EXPECT_FALSE(SplitSharedPayloadPath("/emulator/v0/state"));
}

}  // namespace
}  // namespace imsemu::routes
