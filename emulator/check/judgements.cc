#include "emulator/check/judgements.h"

#include "emulator/util/utf8.h"

#include <cstdio>
#include <string_view>
#include <unordered_set>

namespace imsemu::check {
namespace {

using Json = nlohmann::json;

// A repeated run of this many characters counts as an echo: shorter ones
// (a map name, "lobby") are too common to mean the server copied the config.
constexpr size_t kEchoChars = 8;

double Param(const Json& params, const char* key) { return params.at(key).get<double>(); }
double Ms(const Json& params, const char* key) { return Param(params, key) * 1000; }

Verdict Pass(std::string text) { return {true, std::move(text), ""}; }
Verdict Fail(std::string text, std::string cause = "") {
  return {false, std::move(text), std::move(cause)};
}

// The server's own unclean end after it read its session config: the cause
// of every failure that follows from it. Empty when it did not end so.
std::string ExitCause(const Observation& seen) {
  if (!seen.exit || seen.exit->how.clean()) return "";
  const std::optional<double> read = seen.First(CallKind::kConfigRead);
  if (!read || *read > seen.exit->at_ms) return "";
  return "it exited (" + seen.exit->how.Describe() + ") after reading its session config";
}

// "its 1 attempt to set a status was refused: 400 ..." for the refused
// status sets at or after `from`; empty when none was refused.
std::string StatusRefusals(const Observation& seen, double from) {
  const std::vector<const Refusal*> refused = seen.Refused(CallKind::kStatusSet, from);
  if (refused.empty()) return "";
  const size_t n = refused.size();
  return "its " + std::to_string(n) + (n == 1 ? " attempt" : " attempts") + " to set a status " +
         (n == 1 ? "was" : "were") + " refused: " + std::to_string(refused.front()->status) + " " +
         refused.front()->message;
}
// The cause a refused status gives, the same in every case.
std::string RefusalCause(const Observation& seen, double from) {
  const std::vector<const Refusal*> refused = seen.Refused(CallKind::kStatusSet, from);
  if (refused.empty()) return "";
  return "its status was refused: " + std::to_string(refused.front()->status) + " " +
         refused.front()->message;
}

// Why a server set no status after `from`: refused, ended, never read its
// config, or just did not; with the cause when it is the server's own.
Verdict NoStatus(const Observation& seen, double from, const std::string& within) {
  if (std::string refused = StatusRefusals(seen, from); !refused.empty()) {
    return Fail("set no status: " + refused +
                    ", and clients never see a status it cannot set (values are strings)",
                RefusalCause(seen, from));
  }
  if (std::string exited = ExitCause(seen); !exited.empty()) {
    return Fail("set no status: " + exited, exited);
  }
  if (seen.exit) return Fail("set no status: it exited (" + seen.exit->how.Describe() + ") first");
  if (seen.Count(CallKind::kConfigRead, from) == 0) {
    return Fail("set no status: it did not read its session config within " + within);
  }
  return Fail("set no status within " + within + " of reading its session config");
}

// "exited before Ready (exit code 3)", or that it could not start at all.
Verdict Left(const Exit& exit, const std::string& when) {
  if (exit.how.how == core::ProcessExit::How::kNotStarted) {
    return Fail("cannot start: the command could not be run (see its output)");
  }
  return Fail("exited " + when + " (" + exit.how.Describe() + ")");
}

// The string values in a JSON text, walked without recursion (a config may
// nest deeply).
std::vector<std::string> StringValues(const std::string& text) {
  std::vector<std::string> out;
  const Json parsed = Json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return out;
  std::vector<const Json*> todo = {&parsed};
  while (!todo.empty()) {
    const Json* j = todo.back();
    todo.pop_back();
    if (j->is_string()) out.push_back(j->get<std::string>());
    if (j->is_structured()) {
      for (const Json& child : *j) todo.push_back(&child);
    }
  }
  return out;
}

// The statuses set at or after `from`.
std::vector<const Call*> StatusesFrom(const Observation& seen, double from) {
  std::vector<const Call*> out;
  for (const Call& c : seen.calls) {
    if (c.kind == CallKind::kStatusSet && c.at_ms >= from) out.push_back(&c);
  }
  return out;
}

size_t Largest(const std::vector<const Call*>& statuses) {
  size_t largest = 0;
  for (const Call* c : statuses) largest = std::max(largest, StatusBytes(c->status));
  return largest;
}

}  // namespace

bool LeftOnSigterm(const core::ProcessExit& how) {
  constexpr int kSigterm = 15;
  return how.clean() || how.signal() == kSigterm ||
         (how.how == core::ProcessExit::How::kExited && how.code == 128 + kSigterm);
}

size_t StatusBytes(const core::StringMap& status) {
  size_t bytes = 0;
  for (const auto& [k, v] : status) bytes += k.size() + v.size();
  return bytes;
}

std::string Millis(double ms) {
  char text[32];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  }
  return text;
}

std::string Excerpt(const std::string& text, size_t max) {
  size_t cut = std::min(max, text.size());
  // Not inside a character: back to where one begins.
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  // Appended, not `"'" + ...`: GCC 12's -Wrestrict misfires on that at -O3.
  std::string out = "'";
  out += PrintableText(std::string_view(text).substr(0, cut));
  out += '\'';
  if (text.size() > cut) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::optional<Echo> FindEcho(const core::StringMap& status, const std::string& config) {
  std::vector<std::string> pieces = StringValues(config);
  pieces.push_back(config);
  std::unordered_set<std::string_view> runs;
  for (const std::string& piece : pieces) {
    for (size_t i = 0; i + kEchoChars <= piece.size(); ++i) {
      runs.insert(std::string_view(piece).substr(i, kEchoChars));
    }
  }
  for (const auto& [key, value] : status) {
    for (size_t i = 0; i + kEchoChars <= value.size(); ++i) {
      if (runs.count(std::string_view(value).substr(i, kEchoChars)) == 0) continue;
      // Shown as far as it goes on (up to a line's worth).
      size_t n = kEchoChars;
      while (n < 60 && i + n < value.size()) {
        bool found = false;
        for (const std::string& piece : pieces)
          found |= piece.find(value.substr(i, n + 1)) != std::string::npos;
        if (!found) break;
        ++n;
      }
      return Echo{key, value.substr(i, n)};
    }
  }
  return std::nullopt;
}

Verdict JudgeStart(const Observation& seen, double within_seconds) {
  const std::optional<double> ready = seen.First(CallKind::kReady);
  if (ready && *ready <= within_seconds * 1000) {
    return Pass("Ready " + Millis(*ready) + " after it started");
  }
  if (seen.exit && !ready)
    return Left(*seen.exit, "before Ready, " + Millis(seen.exit->at_ms) + " after it started");
  return Fail("not Ready within " + Millis(within_seconds * 1000) + " of starting");
}

Verdict JudgeReady(const Observation& seen, const Json& params) {
  const double within = Ms(params, "within_seconds");
  const std::optional<double> ready = seen.First(CallKind::kReady);
  if (ready && *ready <= within) return Pass("Ready " + Millis(*ready) + " after it started");
  if (seen.exit && (!ready || seen.exit->at_ms < *ready)) return Left(*seen.exit, "before Ready");
  if (ready)
    return Fail("Ready only " + Millis(*ready) + " after it started (over " + Millis(within) + ")");
  return Fail("not Ready " + Millis(within) + " after it started");
}

Verdict JudgeLateApi(const Observation& seen, const Json& params) {
  const double up = seen.api_up_at.value_or(0);
  const double within = Ms(params, "within_seconds");
  const std::string through = "through " + std::to_string(seen.faults_fired) + " answers of 500";
  const std::optional<double> ready = seen.First(CallKind::kReady);
  if (seen.exit && (!ready || seen.exit->at_ms < *ready)) {
    if (seen.exit->how.how == core::ProcessExit::How::kNotStarted) return Left(*seen.exit, "");
    return Fail("gave up: exited (" + seen.exit->how.Describe() +
                ") while its Payload Local API was late or failing; it must retry");
  }
  if (ready && *ready - up <= within) {
    return Pass("retried: Ready " + Millis(std::max(0.0, *ready - up)) +
                " after its Payload Local API came up (" + Millis(Ms(params, "down_seconds")) +
                " late), " + through);
  }
  return Fail("not Ready " + Millis(within) + " after its Payload Local API came up, " + through);
}

Verdict JudgePolling(const Observation& seen, const Json& params) {
  const double from = seen.watch_from.value_or(0);
  const double to = seen.watch_to.value_or(from);
  const double seconds = std::max(to - from, 1.0) / 1000;
  const int polls = seen.Count(CallKind::kPayloadRead, from, to);
  const std::string counted = "polled Get Payload Details " + std::to_string(polls) + " times in " +
                              Millis(to - from) + " while Ready";
  if (seen.exit && seen.exit->at_ms <= to) return Left(*seen.exit, "while Ready and waiting");
  if (polls < Param(params, "min_polls"))
    return Fail(counted + ": too rarely (a session would wait)");
  if (polls / seconds > Param(params, "max_polls_per_second")) {
    return Fail(counted + " (" + std::to_string(static_cast<int>(polls / seconds)) +
                " a second, over " +
                std::to_string(static_cast<int>(Param(params, "max_polls_per_second"))) +
                "): a tight loop");
  }
  if (!seen.reserved_at) return Fail("cannot create a session: " + seen.reservation_error);
  if (seen.Count(CallKind::kConfigRead, 0, *seen.reserved_at) > 0) {
    return Fail("read the session config before it was Reserved");
  }
  if (seen.Count(CallKind::kPayloadRead, *seen.reserved_at) +
          seen.Count(CallKind::kConfigRead, *seen.reserved_at) ==
      0) {
    return Fail("did not look at its payload in the " + Millis(Ms(params, "within_seconds")) +
                " after it was Reserved");
  }
  return Pass(std::to_string(polls) + " polls in " + Millis(to - from) +
              " while Ready, none of the session config before the reservation");
}

Verdict JudgeConfigAndStatus(const Observation& seen, const Json& params) {
  if (!seen.reserved_at) return Fail("cannot create a session: " + seen.reservation_error);
  const double reserved = *seen.reserved_at;
  const double within = Ms(params, "within_seconds");
  const std::optional<double> read = seen.First(CallKind::kConfigRead, reserved);
  const std::optional<double> set = read ? seen.First(CallKind::kStatusSet, *read) : std::nullopt;
  const std::string exited = seen.exit ? "; it exited (" + seen.exit->how.Describe() + ")" : "";
  if (!read || *read - reserved > within) {
    return Fail("did not read the session config within " + Millis(within) + " of the reservation" +
                exited);
  }
  if (!set || *set - reserved > within) {
    if (std::string refused = StatusRefusals(seen, *read); !refused.empty()) {
      return Fail("read the session config, but " + refused +
                      ": clients never see a status the Session Manager refuses (values are "
                      "strings)",
                  RefusalCause(seen, *read));
    }
    return Fail(
        "read the session config but set no status after it within " + Millis(within) + exited,
        ExitCause(seen));
  }
  if (seen.exit && !seen.exit->how.clean()) {
    Verdict left = Left(*seen.exit, "after setting its status");
    left.cause = ExitCause(seen);
    return left;
  }
  return Pass("read the config " + Millis(*read - reserved) + " and set a status " +
              Millis(*set - reserved) + " after the reservation");
}

Verdict JudgeHostileConfigs(const std::vector<ConfigTrial>& trials, const Json& params) {
  if (trials.empty()) return Fail("no configs to try: the case tests nothing");
  const size_t max_bytes = static_cast<size_t>(Param(params, "max_status_bytes"));
  // Trials may be judged as they come: the count is of every config to serve.
  const size_t served = std::max(trials.size(), params.at("configs").size());
  size_t largest = 0;
  for (size_t i = 0; i < trials.size(); ++i) {
    const Observation& seen = trials[i].seen;
    const std::string which = "config " + std::to_string(i + 1) + " of " + std::to_string(served) +
                              " " + Excerpt(trials[i].config, 40);
    if (!seen.reserved_at)
      return Fail("cannot create a session with " + which + ": " + seen.reservation_error);
    if (seen.exit && !seen.exit->how.clean()) {
      return Fail("left with " + seen.exit->how.Describe() + " on " + which +
                      ": IMS marks it Unhealthy and holds the allocation's next servers in crash "
                      "back-off, so one player's config stalls the fleet",
                  ExitCause(seen));
    }
    // Leaving with 0 before reading it is no answer either.
    if (seen.Count(CallKind::kConfigRead, *seen.reserved_at) == 0) {
      return Fail("did not read " + which + " within " + Millis(Ms(params, "within_seconds")) +
                  ": the case tested nothing");
    }
    const std::vector<const Call*> statuses = StatusesFrom(seen, *seen.reserved_at);
    largest = std::max(largest, Largest(statuses));
    if (Largest(statuses) > max_bytes) {
      return Fail("set a status of " + std::to_string(Largest(statuses)) + " bytes (over " +
                  std::to_string(max_bytes) + ") on " + which);
    }
    for (const Call* c : statuses) {
      if (std::optional<Echo> echo = FindEcho(c->status, trials[i].config)) {
        return Fail("echoed " + Excerpt(echo->part, 40) + " from " + which + " into its status (" +
                    echo->key + "): statuses are shown to every player");
      }
    }
  }
  return Pass("stayed up (or left with exit code 0) on all " + std::to_string(trials.size()) +
              " configs, echoed none into its status, the largest status " +
              std::to_string(largest) + " bytes");
}

Verdict JudgeStatusEtiquette(const Observation& seen, const Json& params) {
  if (!seen.reserved_at) return Fail("cannot create a session: " + seen.reservation_error);
  const std::vector<const Call*> statuses = StatusesFrom(seen, 0);
  if (statuses.empty()) {
    Verdict none = NoStatus(seen, *seen.reserved_at, Millis(Ms(params, "within_seconds")));
    none.text += ", so the case tested nothing";
    return none;
  }
  const size_t max_bytes = static_cast<size_t>(Param(params, "max_bytes"));
  const size_t largest = Largest(statuses);
  if (largest > max_bytes) {
    return Fail("set a status of " + std::to_string(largest) + " bytes (over " +
                std::to_string(max_bytes) + "): the status is not a data channel");
  }
  const double from = seen.watch_from.value_or(0);
  const double to = seen.watch_to.value_or(from);
  const int sets = seen.Count(CallKind::kStatusSet, from, to);
  if (sets / (std::max(to - from, 1.0) / 1000) > Param(params, "max_sets_per_second")) {
    return Fail("set its status " + std::to_string(sets) + " times in " + Millis(to - from) +
                ": clients see it up to 12 s late, so per-player updates are lost");
  }
  for (const core::Event& e : seen.journal) {
    if (e.kind == core::EventKind::kSessionStatusNull)
      return Fail("sent null status values: values are strings");
  }
  if (seen.exit && !seen.exit->how.clean()) {
    Verdict left = Left(*seen.exit, "while setting its status");
    left.cause = ExitCause(seen);
    return left;
  }
  return Pass(std::to_string(sets) + " status updates in " + Millis(to - from) + ", the largest " +
              std::to_string(largest) + " bytes");
}

Verdict JudgeSigterm(const Observation& seen, const Json& params) {
  if (seen.exit && (!seen.sigterm_at || seen.exit->at_ms < *seen.sigterm_at)) {
    if (std::string exited = ExitCause(seen); !exited.empty()) {
      return Fail(exited + ", before SIGTERM was sent: it left on its own, not when asked", exited);
    }
    Verdict left = Left(*seen.exit, "before SIGTERM was sent");
    left.text += ": it left on its own, not when asked";
    return left;
  }
  if (!seen.sigterm_at) return Fail("SIGTERM was never sent: the case tested nothing");
  const double sent = *seen.sigterm_at;
  const double grace = Ms(params, "grace_seconds");
  if (!seen.exit) {
    return Fail("still running " + Millis(grace) +
                " after SIGTERM (the grace period), its Payload "
                "Local API still answering: IMS kills it then; leave within the grace, exit 0");
  }
  const double took = seen.exit->at_ms - sent;
  const std::string how = seen.exit->how.Describe();
  if (took > grace) {
    return Fail("left " + Millis(took) + " after SIGTERM (" + how + "), over the grace period of " +
                Millis(grace) + ": IMS kills it then");
  }
  if (!LeftOnSigterm(seen.exit->how)) {
    return Fail("left " + Millis(took) + " after SIGTERM with " + how +
                ": that is a crash, not leaving on SIGTERM (exit 0 within the grace period of " +
                Millis(grace) + ")");
  }
  return Pass("left " + Millis(took) + " after SIGTERM with " + how +
              ", within the grace period of " + Millis(grace));
}

Verdict JudgeMatchEnd(const Observation& seen, const Json& params) {
  if (!seen.reserved_at) return Fail("cannot create a session: " + seen.reservation_error);
  if (seen.Count(CallKind::kStatusSet, *seen.reserved_at) == 0) {
    Verdict none = NoStatus(seen, *seen.reserved_at, Millis(Ms(params, "within_seconds")));
    none.text += ", so the match never started";
    return none;
  }
  if (!seen.match_ended_at)
    return Fail("the match could not be played: the payload has no game port");
  if (!seen.exit)
    return Fail("still running " + Millis(Ms(params, "within_seconds")) + " after the match ended");
  if (!seen.exit->how.clean()) {
    return Fail(
        "left with " + seen.exit->how.Describe() +
        " at the end of the match: IMS marks that Unhealthy; a match that ends well exits 0 "
        "(Shutdown)");
  }
  return Pass("exited 0 at the end of the match (Shutdown)");
}

}  // namespace imsemu::check
