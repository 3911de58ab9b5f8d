#include "emulator/scenario/scenario_loader.h"
#include "emulator/codec/json_fields.h"

#include <gtest/gtest.h>

namespace imsemu::scenario {
namespace {

constexpr const char* kWorld = R"(
world:
  projects: [{id: p, allocations: [{id: a, buffer_size: 1}]}]
)";

StatusOr<Scenario> Parse(const std::string& body) {
  return ParseScenario("name: t\n" + std::string(kWorld) + body, "dir/t.yaml");
}

TEST(ScenarioLoaderTest, ParsesStepsWithLinesExpectationsAndSaves) {
  auto s = Parse(R"(steps:
  - client.create_session: {config: '{"a": 1}'}
    save: {s: id}
    expect:
      status: 200
      body:
        ports[0].port: 30000
        address: "127.0.0.1"
      absent: [config]
  - emulator.advance: 12s
)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->steps.size(), 2u);
  const Step& first = s->steps[0];
  EXPECT_EQ(first.line, 6);
  EXPECT_EQ(first.kind, "client.create_session");
  EXPECT_EQ(first.params["config"], "{\"a\": 1}");
  EXPECT_EQ(first.save.at("s"), "id");
  EXPECT_EQ(first.expect.status, 200);
  ASSERT_EQ(first.expect.body.size(), 2u);
  EXPECT_EQ(first.expect.body[0].second, 30000) << "plain scalars become numbers";
  EXPECT_EQ(first.expect.body[1].second, "127.0.0.1");
  EXPECT_EQ(first.expect.absent, std::vector<std::string>{"config"});
  EXPECT_EQ(s->steps[1].params, "12s");
  EXPECT_EQ(s->steps[1].line, 14);
}

TEST(ScenarioLoaderTest, QuotedScalarsStayStrings) {
  auto s = Parse("steps:\n  - server.set_status: {payload: x, status: {players: \"0\", n: 0}}\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->steps[0].params["status"]["players"], "0");
  EXPECT_EQ(s->steps[0].params["status"]["n"], 0);
}

TEST(ScenarioLoaderTest, MalformedScenariosNameTheFileAndLine) {
  struct Case {
    std::string body;
    std::string needle;
  } cases[] = {
      {"steps:\n  - client.creat_session: {}\n",
       "dir/t.yaml:6: unknown step kind 'client.creat_session'"},
      {"steps:\n  - emulator.advance: 1s\n    server.ready: {}\n",
       "dir/t.yaml:6: a step has one kind"},
      {"steps:\n  - emulator.advance: 1s\n    expect: {status: ok}\n",
       "dir/t.yaml:7: expect.status"},
      {"steps:\n  - [1, 2]\n", "dir/t.yaml:6: a step must be a map"},
      {"steps: {a: 1}\n", "dir/t.yaml:5: steps must be a list"},
      {"stepz: []\n", "dir/t.yaml:5: unknown field 'stepz'"},
      {"steps:\n  - emulator.advance: {by: 1s\n", "dir/t.yaml:"},
      {"steps:\n  - wait_until: {every: 0s, client.list_sessions: {}}\n", "every must be > 0"},
      {"vars: {x: {repeat: 1, times: 2}}\nsteps: []\n", "dir/t.yaml:5: vars"},
  };
  for (const Case& c : cases) {
    auto s = Parse(c.body);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(c.needle), std::string::npos)
        << c.body << " -> " << s.status().message();
  }
  auto no_world = ParseScenario("name: t\nsteps: []\n", "t.yaml");
  EXPECT_NE(no_world.status().message().find("needs a world"), std::string::npos);
  auto bad_world = ParseScenario("name: t\nworld: {fixture: nope.json}\nsteps: []\n", "d/t.yaml");
  EXPECT_NE(bad_world.status().message().find("d/t.yaml:2: world: cannot read fixture file"),
            std::string::npos)
      << bad_world.status().message();
  EXPECT_EQ(LoadScenario("/nonexistent.yaml").status().code(), StatusCode::kInvalidArgument);
}

// A typo in a step would make it test nothing: refused with the line and the
// name it probably meant.
TEST(ScenarioLoaderTest, UnknownStepParametersAreRefused) {
  struct Case {
    std::string body;
    std::string needle;
  } cases[] = {
      {"steps:\n  - client.create_session: {confg: x}\n",
       "dir/t.yaml:6: client.create_session has no parameter 'confg' (did you mean 'config'?)"},
      {"steps:\n  - server.set_status:\n      payload: p\n      stauts: {a: b}\n",
       "dir/t.yaml:8: server.set_status has no parameter 'stauts' (did you mean 'status'?)"},
      {"steps:\n  - client.list_sessions: {config: x}\n",
       "client.list_sessions has no parameter 'config'; it takes auth, project, session_type"},
      {"steps:\n  - emulator.reset: 5\n", "emulator.reset takes a map of parameters (none)"},
      {"steps:\n  - wait_until: {within: 2s, server.get_payload: {paylod: p}}\n",
       "(did you mean 'payload'?)"},
      {"steps:\n  - wait_until: {withn: 2s, server.get_payload: {payload: p}}\n",
       "a step has one kind"},
      {"steps:\n  - fault.add: {status: 500, time: 2}\n", "(did you mean 'times'?)"},
      {"steps:\n  - emulator.advanse: 1s\n", "(did you mean 'emulator.advance'?)"},
      {"steps:\n  - client.list_sessions: {}\n    expect:\n      absent: [[sessions, 1]]\n",
       "dir/t.yaml:8: expect.absent: each path must be a string"},
      {"defaults: {projekt: p}\nsteps: []\n", "defaults has no field 'projekt'"},
      {"status_cache: {mode: off, tll: 1s}\nsteps: []\n", "status_cache has no field 'tll'"},
      {"vars: {x: {repeat: '', times: 99999999999}}\nsteps: []\n", "dir/t.yaml:5: vars"},
      {"steps:\n  - client.list_sessions: {}\n    times: 0\n",
       "dir/t.yaml:7: times must be a whole number from 1 to 1000000; got 0"},
      {"steps:\n  - client.list_sessions: {}\n    times: many\n", "got \"many\""},
      {"steps:\n  - wait_until: {server.get_payload: {payload: p}}\n    times: 2\n",
       "dir/t.yaml:7: times repeats a step a fixed number of times"},
      {"steps:\n  - client.list_sessions: {}\n    every: 1s\n",
       "dir/t.yaml:7: every belongs inside wait_until's map"},
      {"steps:\n  - wait_until:\n      server.get_payload: {payload: p}\n      expect: {status: "
       "200}\n",
       "dir/t.yaml:8: expect goes beside wait_until, not inside its map"},
  };
  for (const Case& c : cases) {
    auto s = Parse(c.body);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_NE(s.status().message().find(c.needle), std::string::npos)
        << c.body << " -> " << s.status().message();
  }
  EXPECT_TRUE(Parse("steps:\n  - emulator.advance: 2s\n  - emulator.advance: {by: 1s}\n  - "
                    "emulator.reset:\n  - client.list_sessions: {}\n    expect: {absent: "
                    "[\"sessions[1]\"]}\n")
                  .ok());
}

TEST(ScenarioLoaderTest, TimesRepeatsAStep) {
  auto s = Parse("steps:\n  - client.list_sessions: {}\n    times: 25\n  - emulator.reset:\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->steps[0].times, 25);
  EXPECT_EQ(s->steps[1].times, 1);
}

TEST(ScenarioLoaderTest, ParsesDurations) {
  using codec::ParseDuration;
  EXPECT_EQ(*ParseDuration("12s"), Duration(12000));
  EXPECT_EQ(*ParseDuration("500ms"), Duration(500));
  EXPECT_EQ(*ParseDuration("2m"), Duration(120000));
  EXPECT_EQ(*ParseDuration("1.5s"), Duration(1500));
  EXPECT_EQ(*ParseDuration(3), Duration(3000));
  EXPECT_FALSE(ParseDuration("soon").ok());
  EXPECT_FALSE(ParseDuration("3 weeks").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration(nullptr).ok());
  EXPECT_EQ(*ParseDuration("24h"), Duration(86400000));
}

TEST(ScenarioLoaderTest, VarsCanRepeatText) {
  auto s = Parse("vars: {pad: {repeat: ab, times: 3}, n: 7}\nsteps: []\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->vars.at("pad"), "ababab");
  EXPECT_EQ(s->vars.at("n"), 7);
}

}  // namespace
}  // namespace imsemu::scenario
