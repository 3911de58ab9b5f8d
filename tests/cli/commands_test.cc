// The commands' bodies (emulator/cli/), called as main.cc calls them; the
// binary itself is tested by tests/cli_test.py.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "emulator/cli/serve_command.h"
#include "emulator/cli/tool_commands.h"
#include "emulator/codec/allocation_json.h"
#include "tests/testing/test_emulator.h"

namespace imsemu::cli {
namespace {

using imsemu::test::StartEmulator;
using imsemu::test::TempPath;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path) << text;
  return path;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(LintCommandTest, ExitCodeIsTheWorstFileAndFindingsNameTheFile) {
  const std::string good = IMSEMU_SOURCE_DIR "/fixtures/default.json";
  const std::string bad =
      Write("lint-bad.json",
            R"({"projects": [{"id": "p", "allocations": [{"id": "a", "buffer_size": 1}]}]})");
  std::ostringstream out, err;
  EXPECT_EQ(LintFixtureFiles({{good}}, {out, err}), 0);
  EXPECT_EQ(out.str(), good + ": ok\n");
  out.str("");
  EXPECT_EQ(LintFixtureFiles({{good, bad}}, {out, err}), 1);
  EXPECT_NE(out.str().find(bad + ": "), std::string::npos) << out.str();
  EXPECT_EQ(LintFixtureFiles({{bad, TempPath("lint-missing.json")}}, {out, err}), 2);
  EXPECT_NE(err.str().find("lint-missing.json"), std::string::npos) << err.str();
}

constexpr const char* kRehearsal = R"(name: small
duration: 2h
allocation: {session_type: ranked, buffer_size: 0, max_payloads: 100}
demand:
  arrivals: {poisson: {per_minute: 6}}
  match_length: {exponential: {mean: 5m}}
sweep:
  buffer_size: [0, 4, 12]
)";

TEST(RehearseCommandTest, ReportsEverySettingAndExitsByTheTarget) {
  const std::string plan = Write("rehearse-plan.yaml", kRehearsal);
  const std::string json = TempPath("rehearse.json");
  const std::string html = TempPath("rehearse.html");
  RehearseFlags f;
  f.plan = plan;
  f.json = json;
  f.html = html;
  f.targets = {"refused_fraction<0.05"};
  f.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(RunRehearseCommand(f, {out, err}), 0) << err.str();
  const nlohmann::json report = nlohmann::json::parse(Read(json));
  ASSERT_EQ(report["results"].size(), 3u);
  EXPECT_EQ(report["results"][0]["refused_fraction"], 1.0);
  EXPECT_EQ(report["results"][2]["settings"]["buffer_size"], 12);
  EXPECT_TRUE(report["cheapest"].is_number());
  EXPECT_NE(out.str().find("<- cheapest meeting the target"), std::string::npos) << out.str();
  EXPECT_NE(Read(html).find("class='cheapest'"), std::string::npos);
  EXPECT_EQ(err.str(), "");  // quiet

  // No setting meets an impossible target: exit 1, said.
  f.targets = {"refused_fraction<0"};
  f.quiet = false;
  out.str("");
  EXPECT_EQ(RunRehearseCommand(f, {out, err}), 1);
  EXPECT_NE(out.str().find("no setting meets the target"), std::string::npos) << out.str();
  EXPECT_NE(err.str().find("[3/3]"), std::string::npos) << err.str();  // progress

  // Usage errors: exit 2, named, nothing written.
  f.targets = {"refused<<1"};
  err.str("");
  EXPECT_EQ(RunRehearseCommand(f, {out, err}), 2);
  EXPECT_NE(err.str().find("--target 'refused<<1'"), std::string::npos) << err.str();
  f.targets = {};
  f.plan = Write("rehearse-typo.yaml", std::string(kRehearsal) + "seeed: 3\n");
  err.str("");
  EXPECT_EQ(RunRehearseCommand(f, {out, err}), 2);
  EXPECT_NE(err.str().find("did you mean 'seed'"), std::string::npos) << err.str();
  f.plan = plan;
  f.json = TempPath("no-such-folder") + "/r.json";
  err.str("");
  EXPECT_EQ(RunRehearseCommand(f, {out, err}), 2);
  EXPECT_NE(err.str().find("no-such-folder"), std::string::npos) << err.str();
}

constexpr const char* kScenario = R"(name: one step
world:
  projects:
    - id: local-project
      allocations: [{id: arena, annotations: {session_type: default}, buffer_size: 1, auto_ready: true}]
steps:
  - client.create_session: {}
    expect: {status: STATUS}
)";

std::string ScenarioExpecting(const std::string& name, int status) {
  std::string text = kScenario;
  text.replace(text.find("STATUS"), 6, std::to_string(status));
  return Write(name, text);
}

TEST(ScenarioCommandTest, PassesFailsAndWritesOneJUnitReport) {
  const std::string pass = ScenarioExpecting("pass.yaml", 200);
  const std::string fail = ScenarioExpecting("fail.yaml", 418);
  ScenarioRunFlags f;
  f.files = {pass};
  f.junit = TempPath("junit.xml");
  std::ostringstream out, err;
  EXPECT_EQ(RunScenarioFiles(f, {out, err}), 0) << out.str() << err.str();
  EXPECT_NE(out.str().find("PASS " + pass + ": one step (1 steps"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1 passed, 0 failed\n"), std::string::npos) << out.str();

  f.files = {pass, fail};
  out.str("");
  EXPECT_EQ(RunScenarioFiles(f, {out, err}), 1);
  EXPECT_NE(out.str().find("FAIL " + fail), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1 passed, 1 failed\n"), std::string::npos) << out.str();
  const std::string xml = Read(f.junit);
  EXPECT_NE(xml.find("<testsuite name=\"scenarios\" tests=\"2\" failures=\"1\""), std::string::npos)
      << xml;

  f.junit = TempPath("no-such-folder") + "/junit.xml";
  EXPECT_EQ(RunScenarioFiles(f, {out, err}), 2);
  EXPECT_NE(err.str().find("no-such-folder"), std::string::npos) << err.str();
}

TEST(CheckCommandTest, UsageErrorsSayWhatIsMissing) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand({}, {out, err}), 2);
  EXPECT_NE(err.str().find("check needs the game server"), std::string::npos) << err.str();

  CheckFlags f;
  f.command = {"/bin/true"};
  f.only = "no-such-case";
  err.str("");
  EXPECT_EQ(RunCheckCommand(f, {out, err}), 2);
  EXPECT_NE(err.str().find("no-such-case"), std::string::npos) << err.str();

  f.only = "lint";  // without --fixture there is nothing to lint
  err.str("");
  EXPECT_EQ(RunCheckCommand(f, {out, err}), 2);

  f.only.clear();
  f.command = {TempPath("no-such-server")};
  err.str("");
  EXPECT_EQ(RunCheckCommand(f, {out, err}), 2);
  EXPECT_NE(err.str().find("no-such-server"), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
}

TEST(ServeCommandTest, OptionsFollowTheFlagsAndABadOneIsNamed) {
  ServeFlags f;
  f.port = 0;
  f.common.clock = "virtual";
  f.common.status_cache_ttl = 3;
  f.common.game_ports = "30000-30010";
  std::ostringstream warnings;
  StatusOr<EmulatorOptions> options = ServeOptions(f, warnings);
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_TRUE(options->virtual_clock);
  EXPECT_EQ(options->world.status_cache.ttl, Duration(3000));
  EXPECT_FALSE(options->fixture.projects.empty());  // the built-in world
  EXPECT_EQ(warnings.str(), "");

  f.host = "0.0.0.0";
  ASSERT_TRUE(ServeOptions(f, warnings).ok());
  EXPECT_NE(warnings.str().find("WARNING: --host 0.0.0.0 is not a loopback address"),
            std::string::npos);

  f.common.game_ports = "9-1";
  EXPECT_FALSE(ServeOptions(f, warnings).ok());
  f.common.game_ports.clear();
  f.common.auth = "tokens:" + TempPath("no-tokens");
  EXPECT_FALSE(ServeOptions(f, warnings).ok());
  f.common.auth = "any";
  f.fixture = TempPath("no-fixture.json");
  const StatusOr<EmulatorOptions> missing = ServeOptions(f, warnings);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no-fixture.json"), std::string::npos);
}

TEST(ServeCommandTest, AFixtureWhoseGameServerCannotStartIsRefusedNamingIt) {
  const std::string fixture = TempPath("unstartable.json");
  std::ofstream(fixture) << R"({"projects": [{"id": "p", "allocations": [{"id": "a",
      "annotations": {"session_type": "s"},
      "payload_spec": {"command": "/nonexistent/game-server"}}]}]})";
  ServeFlags f;
  f.port = 0;
  f.fixture = fixture;
  std::ostringstream warnings;
  const StatusOr<EmulatorOptions> refused = ServeOptions(f, warnings);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "fixture " + fixture +
                ": allocation 'a' of project 'p': payload_spec.command: cannot start "
                "'/nonexistent/game-server': No such file or directory");
  std::ofstream(fixture) << R"({"projects": [{"id": "p", "allocations": [{"id": "a",
      "annotations": {"session_type": "s"}, "payload_spec": {"command": "/bin/true"}}]}]})";
  EXPECT_TRUE(ServeOptions(f, warnings).ok());
}

class RunningEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = StartEmulator(codec::DefaultFixture().value());
    flags_.url = emulator_->base_url();
  }
  std::unique_ptr<EmulatorImpl> emulator_;
  RemoteFlags flags_;
};

TEST_F(RunningEmulatorTest, ExecGivesTheCommandTheEmulatorsAddresses) {
  const std::map<std::string, std::string> env = ExecEnvironment(*emulator_);
  EXPECT_EQ(env.at("IMS_EMULATOR_URL"), emulator_->base_url());
  EXPECT_EQ(env.at("IMS_EMULATOR_PROJECT"), "local-project");
  const std::string first = imsemu::test::FirstPayloadId(*emulator_);
  EXPECT_EQ(env.at("ORCHESTRATION_PAYLOAD_API"), emulator_->PayloadApiOf(first));
  EXPECT_NE(env.at("IMS_EMULATOR_PAYLOAD_APIS").find(first + "="), std::string::npos);
}

TEST_F(RunningEmulatorTest, TimelineAndExportWriteWhatTheEmulatorServes) {
  std::ostringstream out, err;
  flags_.out = "-";
  EXPECT_EQ(WriteTimeline(flags_, {out, err}), 0) << err.str();
  EXPECT_NE(out.str().find("traceEvents"), std::string::npos);

  flags_.out = TempPath("snapshot.json");
  EXPECT_EQ(WriteExport(flags_, {out, err}), 0) << err.str();
  EXPECT_NE(Read(flags_.out).find("\"payloads\""), std::string::npos);

  flags_.out = TempPath("no-such-folder") + "/snapshot.json";
  EXPECT_EQ(WriteExport(flags_, {out, err}), 1);
  EXPECT_EQ(WriteTimeline(flags_, {out, err}), 1);
}

TEST(RemoteCommandTest, NothingListeningIsAnErrorNamingTheUrl) {
  RemoteFlags f;
  f.url = "http://127.0.0.1:1";
  f.out = TempPath("never.json");
  std::ostringstream out, err;
  EXPECT_EQ(WriteExport(f, {out, err}), 1);
  EXPECT_NE(err.str().find("cannot export from http://127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(WriteTimeline(f, {out, err}), 1);
  EXPECT_NE(err.str().find("cannot read the timeline from http://127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace imsemu::cli
