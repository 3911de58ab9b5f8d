// CheckRunner: drives a studio's real game server through check cases, each
// in a fresh emulator on the virtual clock (one allocation, one payload, the
// server as its process), records what it did as an Observation, and hands
// that to the case's judgement (judgements.h). Driving is here; judging is
// pure and lives there.
//
// A run checks the command first (one that cannot start is an error before
// any case), then starts the server once: one that is never Ready fails
// there, once, and every case that needs a Ready server is skipped with that
// reason, so a broken server is told in seconds, not minutes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "emulator/check/check_cases.h"
#include "emulator/check/session.h"
#include "emulator/core/world.h"
#include "emulator/harness/report.h"

namespace imsemu::check {

using harness::Outcome;

// A case's result for reports (`file` is "check/<case>", `report` what a
// failure or skip says), with the verdict and what was seen.
struct CheckResult : harness::CaseResult {
  std::string description;
  std::string verdict;                // one line
  std::vector<std::string> evidence;  // what was seen
  std::string cause;                  // the server's own act behind a failure (Verdict::cause)
};

// The name of the start gate's result, reported only when it fails.
inline constexpr const char* kStartGate = "starts-and-gets-ready";

CheckResult RunCheck(const CheckTarget& target, const CheckCase& check_case);

// Runs `cases` (see above), telling `on_result` of each result as it comes.
// A case that fails for a cause an earlier case failed for (Verdict::cause)
// is skipped, naming that case: one bug, one FAIL.
// InvalidArgument when the command cannot be started.
StatusOr<std::vector<CheckResult>> RunChecks(
    const CheckTarget& target, const std::vector<CheckCase>& cases,
    const std::function<void(const CheckResult&)>& on_result);

// A result for people: its PASS/FAIL/SKIP line, and the evidence of a failure.
std::string ResultText(const CheckResult& result);

}  // namespace imsemu::check
