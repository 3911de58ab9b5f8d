// Judgements: each check probe's verdict as a pure function of what was
// observed (observation.h) and the case's parameters. No process, no clock,
// no emulator: each is unit tested in milliseconds on observations written by
// hand, the broken ones beside the good ones (tests/check/judgements_test.cc).
//
// A verdict names what was judged and, when it fails, why, in words a game
// developer reads: how the server left (its exit code or its signal, as it
// was), which config it met, which part of it came back in its status.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/check/observation.h"

namespace imsemu::check {

struct Verdict {
  bool passed = false;
  std::string text;
  // What the server itself did that explains this failure, in words that
  // are the same in every case it explains ("its status was refused: 400
  // ..."; "it exited (exit code 1) after reading its session config"): a
  // later case that fails for the same cause is skipped, naming the case
  // that judged it, so one bug is one FAIL. Empty: nothing of the kind.
  std::string cause;
};

// One hostile config served to a fresh server, and what it did.
struct ConfigTrial {
  std::string config;
  Observation seen;
};

// Each takes the case's parameters, every one present (the case file's
// values over the probe's defaults).
Verdict JudgeReady(const Observation& seen, const nlohmann::json& params);
Verdict JudgeLateApi(const Observation& seen, const nlohmann::json& params);
Verdict JudgePolling(const Observation& seen, const nlohmann::json& params);
Verdict JudgeConfigAndStatus(const Observation& seen, const nlohmann::json& params);
// `trials` in the order served; the first that fails decides.
Verdict JudgeHostileConfigs(const std::vector<ConfigTrial>& trials, const nlohmann::json& params);
Verdict JudgeStatusEtiquette(const Observation& seen, const nlohmann::json& params);
Verdict JudgeSigterm(const Observation& seen, const nlohmann::json& params);
Verdict JudgeMatchEnd(const Observation& seen, const nlohmann::json& params);

// Before any case: a server that never gets Ready (within `within_seconds`)
// or cannot start fails here once, and the cases that need it are skipped.
Verdict JudgeStart(const Observation& seen, double within_seconds);

// The part of `config` (8 characters or more: the raw text, or a string
// value in it once parsed as JSON) that `status` repeats, with the key it
// is under; none when it repeats nothing.
struct Echo {
  std::string key;
  std::string part;
};
std::optional<Echo> FindEcho(const core::StringMap& status, const std::string& config);

// Whether a process that ended `how` left on SIGTERM: exit code 0, SIGTERM
// itself, or 143 (a shell's way of saying SIGTERM).
bool LeftOnSigterm(const core::ProcessExit& how);

// The size a status counts for (keys and values).
size_t StatusBytes(const core::StringMap& status);

// "120 ms", "3.0 s".
std::string Millis(double ms);
// A text quoted for one line: control bytes and bytes that are not UTF-8
// escaped (PrintableText), cut at `max` bytes (not inside a character).
std::string Excerpt(const std::string& text, size_t max = 60);

}  // namespace imsemu::check
