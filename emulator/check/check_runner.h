// CheckRunner: runs a studio's real game server through check cases, each in
// a fresh emulator on the virtual clock (one allocation, one payload, the
// server as its process), and judges what it did: the calls it made over the
// Payload Local API (counted and timed in real time, since the process runs
// in real time), its exits, its output.
//
// A result carries a verdict and the evidence for it: the calls, the
// journal's lines about the payload, and the end of the process's output.
#pragma once

#include <string>
#include <vector>

#include "emulator/check/check_cases.h"
#include "emulator/core/world.h"

namespace imsemu::check {

struct CheckTarget {
  // The allocation the server runs in: its command, args, env and ports.
  // The runner serves session_type "check" from it, one payload at a time.
  core::AllocationSpec spec;
  // The world it came from, for the lint probe (empty: none given).
  core::Fixture fixture;
  // Where each case's game-server log goes (a folder per case).
  std::string log_dir;
};

struct CheckResult {
  std::string name;
  std::string description;
  bool passed = false;
  std::string verdict;                // one line
  std::vector<std::string> evidence;  // what was seen
  double wall_ms = 0;
};

CheckResult RunCheck(const CheckTarget& target, const CheckCase& check_case);

// A result for people: its PASS/FAIL line, and the evidence of a failure.
std::string ResultText(const CheckResult& result);

}  // namespace imsemu::check
