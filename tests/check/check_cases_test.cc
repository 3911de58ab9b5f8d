// Case files: what is accepted, and every way a typo is refused by name
// before anything runs.
#include "emulator/check/check_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "emulator/core/lifecycle.h"
#include "emulator/emulator.h"
#include "emulator/process/command_lookup.h"

namespace imsemu::check {
namespace {

using ::testing::HasSubstr;

TEST(CheckCasesTest, TheBuiltInCasesLoadWithEveryParameter) {
  std::vector<CheckCase> cases = DefaultCheckCases();
  ASSERT_EQ(cases.size(), 8u);
  for (const CheckCase& c : cases) {
    EXPECT_EQ(Probes().at(c.probe).kind, c.kind) << c.name;
    for (auto it = Probes().at(c.probe).defaults.begin(); it != Probes().at(c.probe).defaults.end();
         ++it) {
      EXPECT_TRUE(c.params.contains(it.key())) << c.name << " lacks " << it.key();
    }
  }
}

TEST(CheckCasesTest, TheSigtermCaseGivesTheGracePeriodServeGives) {
  const double grace = std::chrono::duration<double>(core::kSigtermGrace).count();
  EXPECT_EQ(Probes().at("sigterm").defaults["grace_seconds"].get<double>(), grace);
  for (const CheckCase& c : DefaultCheckCases()) {
    if (c.kind == Probe::kSigterm) {
      EXPECT_EQ(c.params["grace_seconds"].get<double>(), grace);
    }
  }
  EXPECT_EQ(EmulatorOptions{}.kill_grace, core::kSigtermGrace);
}

TEST(CheckCasesTest, AFileOverridesDefaultsAndNamesTheProbe) {
  auto cases = ParseCheckCases(
      "cases:\n  - name: mine\n    probe: sigterm\n    params: {grace_seconds: 1}\n", "f.yaml");
  ASSERT_TRUE(cases.ok()) << cases.status().message();
  EXPECT_EQ((*cases)[0].kind, Probe::kSigterm);
  EXPECT_EQ((*cases)[0].params["grace_seconds"], 1);
  EXPECT_EQ((*cases)[0].params["within_seconds"], 10);
}

TEST(CheckCasesTest, TyposAreErrorsThatNameTheFileCaseAndField) {
  auto error = [](const std::string& text) {
    return ParseCheckCases(text, "f.yaml").status().message();
  };
  EXPECT_THAT(error("cases:\n  - {name: a, probe: redy}\n"),
              HasSubstr("f.yaml: cases[0] (a): probe 'redy' is not one of"));
  EXPECT_THAT(
      error("cases:\n  - {name: a, probe: ready, params: {within_secnods: 5}}\n"),
      HasSubstr("params.within_secnods: probe ready has no such parameter (within_seconds)"));
  EXPECT_THAT(error("cases:\n  - {name: a, probe: ready, params: {within_seconds: fast}}\n"),
              HasSubstr("within_seconds must be a number"));
  EXPECT_THAT(error("cases:\n  - {name: a, probe: ready, params: {within_seconds: -1}}\n"),
              HasSubstr("must not be negative"));
  EXPECT_THAT(error("cases:\n  - {name: a, probe: ready}\n  - {name: a, probe: ready}\n"),
              HasSubstr("used twice"));
  EXPECT_THAT(error("cases:\n  - {name: a, probe: ready, pramas: {}}\n"),
              HasSubstr("has no field 'pramas'"));
  EXPECT_THAT(error("cases: []\n"), HasSubstr("no cases"));
  EXPECT_THAT(
      error("cases:\n  - {name: a, probe: hostile_configs, params: {configs: [{repeat: x}]}}\n"),
      HasSubstr("configs[0] must be a text or {repeat: TEXT, times: N}"));
}

TEST(CheckCasesTest, OnlyPicksByNameAndRefusesAnUnknownOne) {
  auto picked = SelectCases(DefaultCheckCases(), "exits-on-sigterm,gets-ready");
  ASSERT_TRUE(picked.ok());
  EXPECT_EQ((*picked)[0].name, "exits-on-sigterm");
  EXPECT_THAT(SelectCases(DefaultCheckCases(), "gets-raedy").status().message(),
              HasSubstr("no case named 'gets-raedy'"));
}

TEST(CommandLookupTest, FindsOnPathAndSaysWhyNot) {
  EXPECT_TRUE(process::LookUpCommand("sh", "/nonexistent:/bin:/usr/bin").ok());
  EXPECT_TRUE(process::LookUpCommand("/bin/sh", "").ok());
  EXPECT_EQ(process::LookUpCommand("nosuchserver", "/bin").message(),
            "cannot start 'nosuchserver': not found on PATH (/bin)");
  EXPECT_THAT(process::LookUpCommand("/nonexistent/server", "").message(),
              HasSubstr("No such file"));
  EXPECT_THAT(process::LookUpCommand("/tmp", "").message(), HasSubstr("is a directory"));
  const std::string plain = ::testing::TempDir() + "/imsemu-not-executable";
  { std::ofstream(plain) << "not a program"; }
  std::filesystem::permissions(
      plain, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_THAT(process::LookUpCommand(plain, "").message(), HasSubstr("not executable"));
  std::filesystem::remove(plain);
}

}  // namespace
}  // namespace imsemu::check
