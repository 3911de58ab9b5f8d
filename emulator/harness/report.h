// What the harness reports, for scenario runs and checks alike: one result
// per case, a tally, and JUnit XML as CI systems read it (one testsuite, one
// testcase per case). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ims_emulator/status.h"

namespace imsemu::harness {

enum class Outcome { kPass, kFail, kSkip };

struct CaseResult {
  std::string file;  // where the case comes from: a scenario file, "check/<probe case>"
  std::string name;
  Outcome outcome = Outcome::kFail;
  std::string report;  // the failure or skip report; empty when passed
  double wall_ms = 0;

  bool passed() const { return outcome == Outcome::kPass; }
  bool skipped() const { return outcome == Outcome::kSkip; }
};

// "5 passed, 1 failed, 2 skipped" (the skipped part only when some are).
std::string Tally(const std::vector<CaseResult>& results);

// `suite` names the testsuite ("scenarios", "check").
std::string JUnitXml(std::string_view suite, const std::vector<CaseResult>& results);

// Writes JUnitXml to `path`; an error naming the file when it cannot.
Status WriteJUnit(const std::string& path, std::string_view suite,
                  const std::vector<CaseResult>& results);

}  // namespace imsemu::harness
