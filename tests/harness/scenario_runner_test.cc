#include "emulator/harness/scenario_runner.h"

#include <gtest/gtest.h>

#include "emulator/scenario/scenario_loader.h"

namespace imsemu::scenario {
namespace {

constexpr const char* kHead = R"(name: runner test
seed: 42
world:
  projects:
    - id: local-project
      allocations: [{id: arena, annotations: {session_type: default}, buffer_size: 1, auto_ready: true}]
)";

ScenarioResult RunText(const std::string& steps) {
  auto s = ParseScenario(std::string(kHead) + steps, "tests/failing.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return LoadFailure("tests/failing.yaml", s.status().message());
  return RunScenario(*s, {});
}

TEST(ScenarioRunnerTest, PassingScenarioSavesAndSubstitutesVariables) {
  auto r = RunText(R"(steps:
  - client.create_session: {config: "hello"}
    save: {s: id}
  - server.get_config: {payload: "${s}"}
    expect:
      body: {config: hello}
  - emulator.advance: 2m
)");
  EXPECT_TRUE(r.passed()) << r.report;
  EXPECT_EQ(r.steps_run, 3);
  EXPECT_EQ(r.virtual_elapsed, Duration(120000));
}

TEST(ScenarioRunnerTest, FailureNamesFileLineStepExpectedAndActual) {
  auto r = RunText(R"(steps:
  - client.create_session: {}
    save: {s: id}
  - server.set_status: {payload: "${s}", status: {phase: lobby}}
  - emulator.advance: 3s
  - client.list_sessions: {}
    expect:
      body:
        sessions[0].session_status.phase: lobby
  - emulator.advance: 1s
)");
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.steps_run, 4) << "the scenario stops at the first failure";
  const std::string& report = r.report;
  EXPECT_NE(report.find("FAIL tests/failing.yaml:12: step 4 (client.list_sessions)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("request:  GET http://127.0.0.1:"), std::string::npos) << report;
  EXPECT_NE(report.find("/api/v0/projects/local-project/sessions?session_type=default"),
            std::string::npos);
  EXPECT_NE(report.find("response: 200 {\"sessions\""), std::string::npos) << report;
  EXPECT_NE(report.find("expected: sessions[0].session_status.phase = \"lobby\""),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("actual:   sessions[0].session_status.phase is absent"), std::string::npos)
      << report;
  EXPECT_NE(report.find("seed 42, virtual time 2026-01-01T00:00:03Z (3 s into the scenario)"),
            std::string::npos)
      << report;
}

TEST(ScenarioRunnerTest, StatusMismatchAndUnknownVariableAreReported) {
  auto status = RunText("steps:\n  - client.create_session: {auth: none}\n");
  EXPECT_FALSE(status.passed());
  EXPECT_NE(status.report.find("expected: status 200\n  actual:   status 401"), std::string::npos)
      << status.report;
  auto var = RunText("steps:\n  - server.get_payload: {payload: \"${nobody}\"}\n");
  EXPECT_FALSE(var.passed());
  EXPECT_NE(var.report.find("variable 'nobody' is not set"), std::string::npos) << var.report;
  auto missing = RunText("steps:\n  - server.get_payload: {}\n");
  EXPECT_NE(missing.report.find("this step needs 'payload'"), std::string::npos) << missing.report;
}

TEST(ScenarioRunnerTest, WaitUntilGivesUpAtItsLimit) {
  auto r = RunText(R"(steps:
  - client.list_sessions: {}
  - wait_until:
      every: 1s
      within: 5s
      client.list_sessions: {}
    expect:
      body:
        sessions[0].id: never
)");
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.report.find("did not hold within 5000 ms"), std::string::npos) << r.report;
  EXPECT_EQ(r.virtual_elapsed, Duration(5000));
}

// `times: N` sends the step N times, each held to the expectation: the
// world's one payload (max_payloads: 1) can be reserved once, so the second
// of three fails.
TEST(ScenarioRunnerTest, TimesSendsTheStepThatOftenAndSaysWhichFailed) {
  auto twice = RunText(R"(steps:
  - client.list_sessions: {}
    times: 3
    expect: {status: 200}
)");
  EXPECT_TRUE(twice.passed()) << twice.report;
  auto one = ParseScenario(R"(name: one payload
world:
  projects:
    - id: local-project
      allocations: [{id: arena, annotations: {session_type: default}, buffer_size: 1,
                     max_payloads: 1, auto_ready: true}]
steps:
  - client.create_session: {}
    times: 3
    expect: {status: 200}
)",
                           "tests/failing.yaml");
  ASSERT_TRUE(one.ok()) << one.status().message();
  ScenarioResult r = RunScenario(*one, {});
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.report.find("step 1 (client.create_session)"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("(sent 2 of 3 times) "), std::string::npos) << r.report;
}

// Control bytes, NUL and bytes that are not UTF-8 in what a step sent or got
// are escaped in the report: it stays text (grep, JUnit XML).
TEST(ScenarioRunnerTest, TheReportIsTextWhateverTheBodies) {
  auto r = RunText(
      "steps:\n  - client.create_session: {raw_body: \"{\\0\\x01\\x1b[31m\"}\n"
      "    expect: {status: 200}\n");
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.report.find("{\\x00\\x01\\x1b[31m"), std::string::npos) << r.report;
  for (char c : r.report) {
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n') << int{c};
  }
}

TEST(ScenarioRunnerTest, SeedOverrideChangesIds) {
  const std::string steps =
      "steps:\n  - client.create_session: {}\n    expect: {body: {id: sslw4-6ddev}}\n";
  auto s = ParseScenario(std::string(kHead) + steps, "t.yaml");
  RunOptions options;
  options.seed = 1;
  EXPECT_TRUE(RunScenario(*s, options).passed());
  options.seed = 2;
  EXPECT_FALSE(RunScenario(*s, options).passed());
}

}  // namespace
}  // namespace imsemu::scenario
