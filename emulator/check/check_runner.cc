#include "emulator/check/check_runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "emulator/check/judgements.h"
#include "emulator/check/session.h"
#include "emulator/clock/stopwatch.h"
#include "emulator/core/fixture_lint.h"
#include "emulator/emulator.h"
#include "emulator/http/faults.h"
#include "emulator/process/command_lookup.h"
#include "emulator/process/container_launch.h"
#include "emulator/process/image_lookup.h"
#include "emulator/process/startable.h"

namespace imsemu::check {
namespace {

using Json = nlohmann::json;

// How long after reading its config a server that sets no status is left
// before a probe acts on it.
constexpr double kSettleMs = 1000;
// The start gate's wait when no gets-ready case says otherwise.
constexpr double kDefaultStartSeconds = 10;

double Param(const CheckCase& c, const char* key) { return c.params[key].get<double>(); }

CheckResult Result(const CheckCase& c, Outcome outcome, std::string verdict,
                   std::vector<std::string> evidence = {}) {
  CheckResult r;
  r.file = "check/" + c.name;
  r.name = c.name;
  r.description = c.description;
  r.outcome = outcome;
  r.verdict = std::move(verdict);
  r.evidence = std::move(evidence);
  return r;
}

CheckResult Judged(const CheckCase& c, const Verdict& v, const Observation& seen) {
  CheckResult r = Result(c, v.passed ? Outcome::kPass : Outcome::kFail, v.text,
                         v.passed ? std::vector<std::string>{} : seen.Evidence());
  r.cause = v.cause;
  return r;
}

// Starts a session and boots the server; a failed result when it does not
// get Ready, since the case cannot run then.
std::optional<CheckResult> StartReady(const CheckTarget& t, const CheckCase& c,
                                      std::unique_ptr<Session>& s) {
  auto started = Session::Start(t, c.name);
  if (!started.ok())
    return Result(c, Outcome::kFail, "cannot start: " + started.status().message());
  s = *std::move(started);
  const double within = Param(c, "within_seconds");
  s->Boot(within);
  const Verdict booted = JudgeStart(s->Look(), within);
  if (booted.passed) return std::nullopt;
  const Observation seen = s->Finish();
  return Result(c, Outcome::kFail, booted.text + ", so this case could not run", seen.Evidence());
}

using Driver = CheckResult (*)(const CheckTarget&, const CheckCase&);

CheckResult DriveReady(const CheckTarget& t, const CheckCase& c) {
  auto s = Session::Start(t, c.name);
  if (!s.ok()) return Result(c, Outcome::kFail, "cannot start: " + s.status().message());
  (*s)->Boot(Param(c, "within_seconds"));
  const Observation seen = (*s)->Finish();
  return Judged(c, JudgeReady(seen, c.params), seen);
}

CheckResult DriveLateApi(const CheckTarget& t, const CheckCase& c) {
  const double down = Param(c, "down_seconds");
  const Duration down_ms(static_cast<long long>(down * 1000));
  auto started = Session::Start(t, c.name, down_ms);
  if (!started.ok())
    return Result(c, Outcome::kFail, "cannot start: " + started.status().message());
  Session& s = **started;
  http::FaultSpec errors;
  errors.api = http::Api::kPayloadLocal;
  errors.status = 500;
  errors.times = static_cast<int>(Param(c, "errors"));
  errors.message = "the Payload Local API is still starting";
  if (errors.times > 0) {
    if (Status added = s.e().faults().Add(errors).status(); !added.ok()) {
      return Result(c, Outcome::kFail, "cannot inject the 500s: " + added.message());
    }
  }
  s.Pass(down);                  // nothing answers: its port is closed
  s.seen().api_up_at = s.Now();  // the sidecar comes up, and answers 500 a few times
  if (Status moved = s.e().AdvanceClock(down_ms); !moved.ok()) {
    return Result(c, Outcome::kFail, "cannot bring the API up: " + moved.message());
  }
  s.Boot(Param(c, "within_seconds"));
  for (const http::Fault& f : s.e().faults().List())
    s.seen().faults_fired += static_cast<int>(f.fired);
  const Observation seen = s.Finish();
  return Judged(c, JudgeLateApi(seen, c.params), seen);
}

CheckResult DrivePolling(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  s.seen().watch_from = s.Now();
  s.Pass(Param(c, "watch_seconds"));
  s.seen().watch_to = s.Now();
  s.CreateSession(R"({"max_players": 8})");
  if (const std::optional<double> reserved = s.seen().reserved_at) {
    s.WaitFor(
        [&](const Observation& o) {
          // A Get Payload Details after the reservation shows it Reserved.
          return o.Count(CallKind::kPayloadRead, *reserved) +
                         o.Count(CallKind::kConfigRead, *reserved) >
                     0 ||
                 o.exit.has_value();
        },
        Param(c, "within_seconds"));
  }
  const Observation seen = s.Finish();
  return Judged(c, JudgePolling(seen, c.params), seen);
}

enum class Until { kConfigRead, kStatusSet };

// A game client creates a session with `config`; waits until the server has
// read it (and, until kStatusSet, set a status after that), or left.
void ServeConfig(Session& s, const std::string& config, double within, Until until) {
  s.CreateSession(config);
  const std::optional<double> reserved = s.seen().reserved_at;
  if (!reserved) return;
  s.WaitFor(
      [&](const Observation& o) {
        const std::optional<double> read = o.First(CallKind::kConfigRead, *reserved);
        // A refused status is as far as it gets: it will not be told again.
        const bool done =
            read && (until == Until::kConfigRead || o.Count(CallKind::kStatusSet, *read) > 0 ||
                     !o.Refused(CallKind::kStatusSet, *read).empty());
        return done || o.exit.has_value();
      },
      within);
}

CheckResult DriveConfigAndStatus(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  StatusOr<std::string> config = TextParam(c.params["config"], "config");
  if (!config.ok()) return Result(c, Outcome::kFail, config.status().message());
  ServeConfig(*session, *config, Param(c, "within_seconds"), Until::kStatusSet);
  const Observation seen = session->Finish();
  return Judged(c, JudgeConfigAndStatus(seen, c.params), seen);
}

CheckResult DriveHostileConfigs(const CheckTarget& t, const CheckCase& c) {
  const Json& configs = c.params["configs"];
  std::vector<ConfigTrial> trials;
  for (size_t i = 0; i < configs.size(); ++i) {
    StatusOr<std::string> config = TextParam(configs[i], "configs[" + std::to_string(i) + "]");
    if (!config.ok()) return Result(c, Outcome::kFail, config.status().message());
    std::unique_ptr<Session> session;
    if (auto failed = StartReady(t, c, session)) return *failed;
    Session& s = *session;
    ServeConfig(s, *config, Param(c, "within_seconds"), Until::kConfigRead);
    if (s.seen().reserved_at) s.Pass(Param(c, "settle_seconds"));
    trials.push_back({*config, s.Finish()});
    const Verdict so_far = JudgeHostileConfigs(trials, c.params);
    if (!so_far.passed) return Judged(c, so_far, trials.back().seen);
  }
  const Verdict all = JudgeHostileConfigs(trials, c.params);
  return Judged(c, all, trials.empty() ? Observation{} : trials.back().seen);
}

CheckResult DriveStatusEtiquette(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  s.CreateSession(R"({"max_players": 8})");
  if (s.seen().reserved_at) {
    s.WaitFor(
        [](const Observation& o) {
          return o.Count(CallKind::kStatusSet) > 0 || o.exit.has_value();
        },
        Param(c, "within_seconds"));
    s.seen().watch_from = s.Now();
    s.Pass(Param(c, "watch_seconds"));
    s.seen().watch_to = s.Now();
  }
  const Observation seen = s.Finish();
  return Judged(c, JudgeStatusEtiquette(seen, c.params), seen);
}

CheckResult DriveSigterm(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  // In a session, as IMS finds it when the payload is deleted, and settled:
  // it has set its status after reading the config, or a quiet while has
  // passed since it read it (SIGTERM in the middle of its config handling
  // would judge that, not leaving).
  s.CreateSession(R"({"max_players": 8})");
  if (const std::optional<double> reserved = s.seen().reserved_at) {
    s.WaitFor(
        [&](const Observation& o) {
          const std::optional<double> read = o.First(CallKind::kConfigRead, *reserved);
          return o.exit.has_value() || (read && (o.Count(CallKind::kStatusSet, *read) > 0 ||
                                                 s.Now() - *read >= kSettleMs));
        },
        Param(c, "within_seconds"));
  }
  if (!s.seen().exit) {
    s.seen().sigterm_at = s.Now();
    s.AskToLeave();  // SIGTERM; its Payload Local API keeps answering
    s.WaitFor([](const Observation& o) { return o.exit.has_value(); }, Param(c, "grace_seconds"));
  }
  const Observation seen = s.Finish();
  Verdict verdict = JudgeSigterm(seen, c.params);
  if (!verdict.passed && !seen.exit && !t.spec.payload_spec.image.empty()) {
    verdict.text +=
        "; in its container the game server is PID 1, which SIGTERM does not end unless it "
        "handles the signal itself";
  }
  return Judged(c, verdict, seen);
}

// Sends each message to the game port over UDP, reading any answer.
bool PlayMatch(const core::Payload& p, const Json& messages) {
  if (p.ports.empty()) return false;
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(p.ports.front().port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (const Json& message : messages) {
    const std::string text = message.is_string() ? message.get<std::string>() : message.dump();
    sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    char reply[512];
    (void)recv(fd, reply, sizeof reply, 0);  // its answer, if it gives one
  }
  close(fd);
  return true;
}

CheckResult DriveMatchEnd(const CheckTarget& t, const CheckCase& c) {
  if (c.params["udp"].empty())
    return Result(c, Outcome::kFail, "no udp messages end the match: the case tests nothing");
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  StatusOr<std::string> config = TextParam(c.params["config"], "config");
  if (!config.ok()) return Result(c, Outcome::kFail, config.status().message());
  const double within = Param(c, "within_seconds");
  ServeConfig(s, *config, within, Until::kStatusSet);
  std::optional<core::Payload> p = s.Payload();
  if (s.seen().reserved_at && !s.seen().exit && p && PlayMatch(*p, c.params["udp"])) {
    s.seen().match_ended_at = s.Now();
    s.WaitFor([](const Observation& o) { return o.exit.has_value(); }, within);
  }
  const Observation seen = s.Finish();
  return Judged(c, JudgeMatchEnd(seen, c.params), seen);
}

CheckResult DriveLint(const CheckTarget& t, const CheckCase& c) {
  if (t.fixture.projects.empty()) {
    return Result(c, Outcome::kFail, "no fixture to lint (give --fixture): the case tests nothing");
  }
  std::vector<std::string> findings;
  for (const core::LintFinding& f : core::LintFixture(t.fixture))
    findings.push_back(f.where + ": " + f.message);
  if (findings.empty()) return Result(c, Outcome::kPass, "the fixture follows the guide");
  const std::string verdict = std::to_string(findings.size()) + " finding(s) in the fixture";
  return Result(c, Outcome::kFail, verdict, std::move(findings));
}

Driver DriverOf(Probe probe) {
  switch (probe) {
    case Probe::kLateApi:
      return DriveLateApi;
    case Probe::kReady:
      return DriveReady;
    case Probe::kPolling:
      return DrivePolling;
    case Probe::kConfigAndStatus:
      return DriveConfigAndStatus;
    case Probe::kHostileConfigs:
      return DriveHostileConfigs;
    case Probe::kStatusEtiquette:
      return DriveStatusEtiquette;
    case Probe::kSigterm:
      return DriveSigterm;
    case Probe::kMatchEnd:
      return DriveMatchEnd;
    case Probe::kLint:
      return DriveLint;
  }
  return DriveLint;
}

// The program that starts the game server: its command, or the container
// runtime that runs its image.
}  // namespace

CheckResult RunCheck(const CheckTarget& target, const CheckCase& check_case) {
  const Stopwatch took;
  CheckResult r = DriverOf(check_case.kind)(target, check_case);
  r.wall_ms = took.ElapsedMs();
  return r;
}

StatusOr<std::vector<CheckResult>> RunChecks(
    const CheckTarget& target, const std::vector<CheckCase>& cases,
    const std::function<void(const CheckResult&)>& on_result) {
  std::vector<CheckResult> results;
  std::map<std::string, std::string> judged;  // a cause -> the case that failed for it first
  auto report = [&](CheckResult r) {
    if (r.outcome == Outcome::kFail && !r.cause.empty()) {
      auto [first, is_new] = judged.emplace(r.cause, r.name);
      if (!is_new) {
        r.outcome = Outcome::kSkip;
        r.verdict = "skipped: " + r.cause + " (FAIL " + first->second + ")";
        r.evidence.clear();
      }
    }
    if (!r.passed()) r.report = r.skipped() ? r.verdict : ResultText(r);
    on_result(r);
    results.push_back(std::move(r));
  };
  const bool needs_server = std::any_of(cases.begin(), cases.end(),
                                        [](const CheckCase& c) { return c.kind != Probe::kLint; });
  bool never_ready = false;
  if (needs_server) {
    IMSEMU_RETURN_IF_ERROR(CanStart(target));
    double within = kDefaultStartSeconds;
    for (const CheckCase& c : cases) {
      if (c.kind == Probe::kReady) within = Param(c, "within_seconds");
    }
    CheckCase gate{
        kStartGate, "The game server starts and calls ready.", "ready", Probe::kReady, {}};
    const Stopwatch took;
    auto s = Session::Start(target, kStartGate);
    if (!s.ok()) return s.status();
    (*s)->Boot(within);
    const Observation seen = (*s)->Finish();
    if (seen.exit && seen.exit->how.how == core::ProcessExit::How::kNotStarted) {
      std::string why = "cannot start '" + WhatStarts(target) + "'";
      for (const std::string& line : seen.output) why += "\n  " + line;
      return InvalidArgument(why);
    }
    const Verdict started = JudgeStart(seen, within);
    if (!started.passed) {
      CheckResult r = Judged(gate, started, seen);
      r.verdict = "never Ready: " + r.verdict + "; the cases that need a Ready server are skipped";
      r.wall_ms = took.ElapsedMs();
      never_ready = true;
      report(std::move(r));
    }
  }
  for (const CheckCase& c : cases) {
    if (never_ready && c.kind != Probe::kLint) {
      report(Result(c, Outcome::kSkip,
                    "skipped: the game server never got Ready (" + std::string(kStartGate) + ")"));
      continue;
    }
    report(RunCheck(target, c));
  }
  return results;
}

std::string ResultText(const CheckResult& r) {
  const char* word = r.outcome == Outcome::kPass   ? "PASS "
                     : r.outcome == Outcome::kSkip ? "SKIP "
                                                   : "FAIL ";
  std::string out = word + r.name + ": " + r.verdict;
  if (r.outcome != Outcome::kSkip) out += " (" + Millis(r.wall_ms) + ")";
  out += "\n";
  if (r.outcome == Outcome::kFail) {
    for (const std::string& line : r.evidence) out += "    " + line + "\n";
  }
  return out;
}

}  // namespace imsemu::check
