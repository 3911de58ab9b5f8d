// The step-kind table, variables and expectations, without an emulator.
#include "emulator/scenario/step_kinds.h"

#include <gtest/gtest.h>

#include "emulator/scenario/expectations.h"
#include "emulator/scenario/variables.h"

namespace imsemu::scenario {
namespace {

StepContext Context(const Scenario& s) {
  StepContext c;
  c.main = "127.0.0.1:9350";
  c.scenario = &s;
  c.payload_api_of = [](const std::string& id) { return "127.0.0.1:4" + id; };
  return c;
}

TEST(StepKindsTest, EveryKindBuildsACallFromItsOwnParameters) {
  Scenario s;
  const StepContext c = Context(s);
  int built = 0;
  for (const auto& [name, kind] : StepKinds()) {
    if (name == "wait_until") {
      EXPECT_FALSE(kind.build);
      continue;
    }
    ASSERT_TRUE(kind.build) << name;
    Json params = Json::object();
    for (const std::string& p : kind.params) {
      if (p == "via" || p == "raw_body" || p == "auth" || p == "session_type") continue;
      params[p] = p == "by" || p == "for" ? Json("2s") : p == "code" ? Json(3) : Json("1");
    }
    StatusOr<Call> call = kind.build(c, params);
    ASSERT_TRUE(call.ok()) << name << ": " << call.status().message();
    EXPECT_FALSE(call->method.empty()) << name;
    EXPECT_EQ(call->path.front(), '/') << name;
    ++built;
  }
  EXPECT_GE(built, 28);
}

TEST(StepKindsTest, AMissingParameterIsNamed) {
  Scenario s;
  StatusOr<Call> call = StepKinds().at("server.set_label").build(Context(s), {{"payload", "7"}});
  EXPECT_EQ(call.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(call.status().message(), "this step needs 'key'");
  call = StepKinds().at("emulator.advance").build(Context(s), Json("soon"));
  EXPECT_NE(call.status().message().find("emulator.advance"), std::string::npos);
}

TEST(StepKindsTest, CallsGoWhereTheRealClientsGo) {
  Scenario s;
  const StepContext c = Context(s);
  StatusOr<Call> call = StepKinds().at("client.create_session").build(c, {{"config", "cfg"}});
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->method, "POST");
  EXPECT_EQ(call->path, "/api/v0/projects/local-project/sessions?session_type=default");
  EXPECT_EQ(call->body, R"({"session_config":"cfg"})");
  ASSERT_EQ(call->headers.size(), 1u);
  EXPECT_EQ(call->headers[0].second, s.authorization);
  call = StepKinds().at("server.get_payload").build(c, {{"payload", "5"}});
  EXPECT_EQ(call->target, "127.0.0.1:45");
  EXPECT_EQ(call->path, "/api/v0/payload");
  call = StepKinds().at("server.get_payload").build(c, {{"payload", "ab"}, {"via", "shared"}});
  EXPECT_EQ(call->target, "127.0.0.1:9350");
  EXPECT_EQ(call->path, "/payloads/ab/api/v0/payload");
  call = StepKinds()
             .at("orchestration.delete_payload")
             .build(c, {{"allocation", "a"}, {"payload", "p"}, {"force", true}});
  EXPECT_EQ(call->path,
            "/api/v0/projects/local-project/allocations/a/payloads/p?force_delete=true");
}

TEST(VariablesTest, SubstitutesKeepingTypesAndReportsWhatIsMissing) {
  const Variables vars = {{"id", "abc"}, {"n", 3}};
  EXPECT_EQ(Substitute(Json("${n}"), vars).value(), Json(3));
  EXPECT_EQ(Substitute(Json("p-${id}-${n}"), vars).value(), Json("p-abc-3"));
  EXPECT_EQ(Substitute(Json({{"a", {"${id}"}}}), vars).value(), Json({{"a", {"abc"}}}));
  EXPECT_EQ(Substitute(Json("${nope}"), vars).status().message(),
            "variable 'nope' is not set (no earlier step saved it)");
  EXPECT_EQ(Substitute(Json("${id"), vars).status().code(), StatusCode::kInvalidArgument);
}

TEST(ExpectationsTest, NamesTheFirstDifference) {
  Expectation e;
  e.body = {{"players", 0}, {"id", "${id}"}};
  e.absent = {"error"};
  const Variables vars = {{"id", "x"}};
  EXPECT_EQ(Mismatch(e, 200, {{"players", "0"}, {"id", "x"}}, vars), std::nullopt);
  EXPECT_EQ(*Mismatch(e, 404, Json(), vars), "expected: status 200\n  actual:   status 404");
  EXPECT_EQ(*Mismatch(e, 200, {{"players", 1}, {"id", "x"}}, vars),
            "expected: players = 0\n  actual:   players = 1");
  EXPECT_EQ(*Mismatch(e, 200, {{"players", 0}, {"id", "x"}, {"error", "e"}}, vars),
            "expected: error absent\n  actual:   error = \"e\"");
  EXPECT_NE(Mismatch(e, 200, {{"players", 0}}, {})->find("variable 'id' is not set"),
            std::string::npos);
  EXPECT_EQ(Truncate(std::string(10, 'a'), 4), "aaaa... (10 bytes)");
}

}  // namespace
}  // namespace imsemu::scenario
