#include "emulator/check/check_runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "emulator/clock/stopwatch.h"
#include "emulator/core/fixture_lint.h"
#include "emulator/emulator.h"
#include "emulator/http/faults.h"
#include "emulator/util/mutex.h"

namespace imsemu::check {
namespace {

using Json = nlohmann::json;
using core::PayloadState;

constexpr const char* kProject = "check";
constexpr const char* kAllocation = "check";
constexpr const char* kSessionType = "check";
// How often a wait looks again when nothing is journalled.
constexpr std::chrono::milliseconds kLook{50};
// Lines of journal, calls and output shown as evidence.
constexpr size_t kEvidenceLines = 8;
// Teardown: how long a game server gets to leave after SIGTERM.
constexpr Duration kTeardownGrace{500};

std::string Seconds(double ms) {
  char text[32];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  }
  return text;
}

std::string Excerpt(const std::string& text, size_t max = 60) {
  std::string out = text.substr(0, max);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '.';
  }
  return "'" + out + "'" +
         (text.size() > max ? "... (" + std::to_string(text.size()) + " bytes)" : "");
}

size_t StatusBytes(const core::StringMap& status) {
  size_t bytes = 0;
  for (const auto& [k, v] : status) bytes += k.size() + v.size();
  return bytes;
}

// Every call the game server makes over its Payload Local API, timed.
class CallLog final : public GameServerObserver {
 public:
  struct Call {
    double at_ms;
    std::string what;
    std::string detail;
  };

  void OnPayloadRead(const std::string&, const std::string& state) override {
    Add("Get Payload Details", state);
  }
  void OnReady(const std::string&) override { Add("ready", ""); }
  void OnLabelSet(const std::string&, const std::string& key, const std::string& value) override {
    Add("set label", key + "=" + Excerpt(value));
  }
  void OnAnnotationSet(const std::string&, const std::string& key,
                       const std::string& value) override {
    Add("set annotation", key + "=" + Excerpt(value));
  }
  void OnConfigRead(const std::string&, const std::optional<std::string>& config) override {
    Add("read the session config", config ? Excerpt(*config) : "(none)");
  }
  void OnStatusRead(const std::string&) override { Add("read its status", ""); }
  void OnStatusSet(const std::string&, const StringMap& status) override {
    std::string text;
    for (const auto& [k, v] : status) text += (text.empty() ? "" : ", ") + k + "=" + Excerpt(v, 24);
    MutexLock lock(mu_);
    statuses_.emplace_back(clock_.ElapsedMs(), status);
    calls_.push_back({clock_.ElapsedMs(), "set status",
                      std::to_string(StatusBytes(status)) + " bytes: " + text});
  }

  double Now() const { return clock_.ElapsedMs(); }
  // Calls of `what` at or after `since_ms`.
  int Count(const std::string& what, double since_ms = 0) {
    MutexLock lock(mu_);
    int n = 0;
    for (const Call& c : calls_) n += c.what == what && c.at_ms >= since_ms ? 1 : 0;
    return n;
  }
  std::optional<double> First(const std::string& what, double since_ms = 0) {
    MutexLock lock(mu_);
    for (const Call& c : calls_) {
      if (c.what == what && c.at_ms >= since_ms) return c.at_ms;
    }
    return std::nullopt;
  }
  std::vector<std::pair<double, core::StringMap>> Statuses() {
    MutexLock lock(mu_);
    return statuses_;
  }
  std::vector<std::string> Evidence() {
    MutexLock lock(mu_);
    std::map<std::string, int> counts;
    for (const Call& c : calls_) ++counts[c.what];
    std::string summary = "calls:";
    for (const auto& [what, n] : counts) summary += " " + what + " x" + std::to_string(n) + ";";
    if (counts.empty()) summary += " none";
    std::vector<std::string> out = {summary};
    const size_t from = calls_.size() > kEvidenceLines ? calls_.size() - kEvidenceLines : 0;
    for (size_t i = from; i < calls_.size(); ++i) {
      out.push_back("  +" + Seconds(calls_[i].at_ms) + " " + calls_[i].what +
                    (calls_[i].detail.empty() ? "" : ": " + calls_[i].detail));
    }
    return out;
  }

 private:
  void Add(const std::string& what, const std::string& detail) {
    MutexLock lock(mu_);
    calls_.push_back({clock_.ElapsedMs(), what, detail});
  }

  const Stopwatch clock_;
  Mutex mu_;
  std::vector<Call> calls_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::pair<double, core::StringMap>> statuses_ IMSEMU_GUARDED_BY(mu_);
};

// One fresh emulator with the game server as its one payload's process.
class Session {
 public:
  static StatusOr<std::unique_ptr<Session>> Start(const CheckTarget& target,
                                                  const std::string& case_name,
                                                  Duration api_down = Duration(0)) {
    core::AllocationFixture allocation;
    allocation.id = kAllocation;
    allocation.spec = target.spec;
    allocation.spec.annotations["session_type"] = kSessionType;
    allocation.spec.buffer_size = 1;
    allocation.spec.min_payloads = 0;
    allocation.spec.max_payloads = 1;
    allocation.spec.auto_ready = false;
    allocation.spec.auto_reserve.reset();
    EmulatorOptions options;
    options.fixture = core::Fixture{{core::ProjectFixture{kProject, {allocation}}}};
    options.log_dir = target.log_dir + "/" + case_name;
    options.kill_grace = kTeardownGrace;
    options.world.new_payload_api_down = api_down;
    std::unique_ptr<Session> s(new Session);
    options.game_server_observer = &s->calls;
    IMSEMU_ASSIGN_OR_RETURN(s->emulator_, EmulatorImpl::Start(std::move(options)));
    core::WorldSnapshot world = s->emulator_->world().Snapshot();
    if (world.payloads.empty()) return Status(StatusCode::kInternal, "no payload was created");
    s->payload_id = world.payloads.front().id;
    return s;
  }
  ~Session() { emulator_.reset(); }  // stops the server before `calls` goes

  EmulatorImpl& e() { return *emulator_; }

  // Waits in real time (the server runs in real time), at most `seconds`,
  // for `done`; looks again on every journal event and every 50 ms.
  bool WaitFor(const std::function<bool()>& done, double seconds) {
    const Stopwatch waited;
    long long seq = emulator_->world().JournalEnd();
    while (!done()) {
      if (waited.ElapsedMs() >= seconds * 1000) return done();
      seq = emulator_->world().AwaitEvents(seq, kLook);
    }
    return true;
  }
  void Pass(double seconds) {
    WaitFor([] { return false; }, seconds);
  }

  std::optional<core::Payload> Payload() {
    auto p = emulator_->world().GetPayload(payload_id);
    return p.ok() ? std::optional<core::Payload>(*p) : std::nullopt;
  }
  PayloadState State() {
    auto p = Payload();
    return p ? p->state : PayloadState::kUnknown;
  }
  bool Running() { return emulator_->PidOf(payload_id).has_value(); }
  // The last exit code the journal gives for the payload.
  std::optional<int> ExitCode() {
    static const std::regex kCode(R"(exit code (\d+))");
    std::optional<int> code;
    for (const core::Event& e : Journal()) {
      std::smatch m;
      if (std::regex_search(e.detail, m, kCode)) code = std::stoi(m[1]);
    }
    return code;
  }
  bool ExitedBeforeReady() {
    const PayloadState s = State();
    return s == PayloadState::kError || (s == PayloadState::kStarting && ExitCode().has_value());
  }
  Status CreateSession(const std::string& config) {
    return emulator_->world().CreateSession(kProject, kSessionType, config).status();
  }
  std::vector<core::Event> Journal() {
    std::vector<core::Event> out;
    for (const core::Event& e : emulator_->world().Journal()) {
      if (e.payload_id == payload_id) out.push_back(e);
    }
    return out;
  }

  std::vector<std::string> Evidence() {
    std::vector<std::string> out = calls.Evidence();
    std::vector<core::Event> journal = Journal();
    std::erase_if(journal,
                  [](const core::Event& e) { return e.kind == core::EventKind::kPayloadOutput; });
    out.push_back("journal:");
    const size_t from = journal.size() > kEvidenceLines ? journal.size() - kEvidenceLines : 0;
    for (size_t i = from; i < journal.size(); ++i) {
      const core::Event& e = journal[i];
      out.push_back("  " + std::string(core::EventKindName(e.kind)) + " " + e.old_state +
                    (e.old_state.empty() ? "" : " -> ") + e.new_state +
                    (e.detail.empty() ? "" : " (" + e.detail + ")"));
    }
    std::optional<std::string> log = emulator_->LogFileOf(payload_id);
    std::vector<std::string> lines;
    if (log) {
      std::ifstream in(*log);
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    out.push_back("output (" + (log ? *log : std::string("no log")) + "):");
    const size_t first = lines.size() > kEvidenceLines ? lines.size() - kEvidenceLines : 0;
    for (size_t i = first; i < lines.size(); ++i) out.push_back("  " + Excerpt(lines[i], 160));
    return out;
  }

  CallLog calls;
  std::string payload_id;

 private:
  Session() = default;
  std::unique_ptr<EmulatorImpl> emulator_;
};

double Param(const CheckCase& c, const char* key) { return c.params[key].get<double>(); }

// A verdict, with the session's evidence when it failed.
CheckResult Judge(const CheckCase& c, Session* s, bool passed, std::string verdict) {
  CheckResult r;
  r.name = c.name;
  r.description = c.description;
  r.passed = passed;
  r.verdict = std::move(verdict);
  if (s) r.evidence = s->Evidence();
  return r;
}

// Starts a session and waits for Ready; a failed result otherwise.
std::optional<CheckResult> StartReady(const CheckTarget& t, const CheckCase& c,
                                      std::unique_ptr<Session>& s) {
  auto started = Session::Start(t, c.name);
  if (!started.ok()) return Judge(c, nullptr, false, "cannot start: " + started.status().message());
  s = *std::move(started);
  Session& session = *s;
  if (!session.WaitFor(
          [&] { return session.State() == PayloadState::kReady || session.ExitedBeforeReady(); },
          Param(c, "within_seconds"))) {
    return Judge(c, s.get(), false,
                 "not Ready within " + Seconds(Param(c, "within_seconds") * 1000) +
                     ", so this case could not run");
  }
  if (session.State() != PayloadState::kReady) {
    return Judge(c, s.get(), false, "exited before Ready, so this case could not run");
  }
  return std::nullopt;
}

CheckResult ProbeReady(const CheckTarget& t, const CheckCase& c) {
  auto started = Session::Start(t, c.name);
  if (!started.ok()) return Judge(c, nullptr, false, "cannot start: " + started.status().message());
  Session& s = **started;
  const double within = Param(c, "within_seconds");
  s.WaitFor([&] { return s.State() == PayloadState::kReady || s.ExitedBeforeReady(); }, within);
  if (s.State() == PayloadState::kReady) {
    return Judge(c, &s, true,
                 "Ready " + Seconds(s.calls.First("ready").value_or(0)) + " after it started");
  }
  if (s.ExitedBeforeReady()) {
    return Judge(
        c, &s, false,
        "exited before Ready (exit code " + std::to_string(s.ExitCode().value_or(-1)) + ")");
  }
  return Judge(c, &s, false, "not Ready " + Seconds(within * 1000) + " after it started");
}

CheckResult ProbeLateApi(const CheckTarget& t, const CheckCase& c) {
  const double down = Param(c, "down_seconds");
  const Duration down_ms(static_cast<long long>(down * 1000));
  auto started = Session::Start(t, c.name, down_ms);
  if (!started.ok()) return Judge(c, nullptr, false, "cannot start: " + started.status().message());
  Session& s = **started;
  http::FaultSpec errors;
  errors.api = http::Api::kPayloadLocal;
  errors.status = 500;
  errors.times = static_cast<int>(Param(c, "errors"));
  errors.message = "the Payload Local API is still starting";
  if (errors.times > 0) (void)s.e().faults().Add(errors);
  s.Pass(down);                       // nothing answers: its port is closed
  (void)s.e().AdvanceClock(down_ms);  // the sidecar is up, and answers 500 a few times
  const double up_at = s.calls.Now();
  s.WaitFor([&] { return s.State() == PayloadState::kReady || s.ExitedBeforeReady(); },
            Param(c, "within_seconds"));
  long long fired = 0;
  for (const http::Fault& f : s.e().faults().List()) fired += f.fired;
  const std::string through = "through " + std::to_string(fired) + " answers of 500";
  if (s.State() == PayloadState::kReady) {
    return Judge(
        c, &s, true,
        "retried: Ready " + Seconds(s.calls.First("ready", up_at).value_or(up_at) - up_at) +
            " after its Payload Local API came up (" + Seconds(down * 1000) + " late), " + through);
  }
  if (s.ExitedBeforeReady()) {
    return Judge(c, &s, false,
                 "gave up: exited (exit code " + std::to_string(s.ExitCode().value_or(-1)) +
                     ") while its Payload Local API was late or failing; it must retry");
  }
  return Judge(c, &s, false,
               "not Ready " + Seconds(Param(c, "within_seconds") * 1000) +
                   " after its Payload Local API came up, " + through);
}

CheckResult ProbePolling(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  const double watch = Param(c, "watch_seconds");
  const double from = s.calls.Now();
  s.Pass(watch);
  const int polls = s.calls.Count("Get Payload Details", from);
  const double rate = polls / watch;
  if (polls < Param(c, "min_polls")) {
    return Judge(c, &s, false,
                 "polled Get Payload Details " + std::to_string(polls) + " times in " +
                     Seconds(watch * 1000) + " while Ready: too rarely (a session would wait)");
  }
  if (rate > Param(c, "max_polls_per_second")) {
    return Judge(c, &s, false,
                 "polled Get Payload Details " + std::to_string(polls) + " times in " +
                     Seconds(watch * 1000) + " (" + std::to_string(static_cast<int>(rate)) +
                     " a second, over " +
                     std::to_string(static_cast<int>(Param(c, "max_polls_per_second"))) +
                     "): a tight loop");
  }
  if (s.calls.Count("read the session config") > 0) {
    return Judge(c, &s, false, "read the session config before it was Reserved");
  }
  const double reserved_at = s.calls.Now();
  if (Status created = s.CreateSession(R"({"max_players": 8})"); !created.ok()) {
    return Judge(c, &s, false, "cannot create a session: " + created.message());
  }
  const bool noticed = s.WaitFor(
      [&] {
        // A Get Payload Details after the reservation shows it Reserved.
        return s.calls.Count("Get Payload Details", reserved_at) > 0 ||
               s.calls.Count("read the session config", reserved_at) > 0;
      },
      Param(c, "within_seconds"));
  if (!noticed) {
    return Judge(c, &s, false,
                 "did not look at its payload in the " +
                     Seconds(Param(c, "within_seconds") * 1000) + " after it was Reserved");
  }
  return Judge(c, &s, true,
               std::to_string(polls) + " polls in " + Seconds(watch * 1000) +
                   " while Ready, none of the session config before the reservation");
}

CheckResult ProbeConfigAndStatus(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  StatusOr<std::string> config = TextParam(c.params["config"], "config");
  if (!config.ok()) return Judge(c, &s, false, config.status().message());
  const double reserved_at = s.calls.Now();
  if (Status created = s.CreateSession(*config); !created.ok()) {
    return Judge(c, &s, false, "cannot create a session: " + created.message());
  }
  const double within = Param(c, "within_seconds");
  s.WaitFor([&] { return s.calls.Count("set status", reserved_at) > 0 || !s.Running(); }, within);
  if (s.calls.Count("read the session config", reserved_at) == 0) {
    return Judge(
        c, &s, false,
        "did not read the session config within " + Seconds(within * 1000) + " of the reservation");
  }
  if (s.calls.Count("set status", reserved_at) == 0) {
    return Judge(c, &s, false,
                 "read the session config but set no status within " + Seconds(within * 1000));
  }
  return Judge(
      c, &s, true,
      "read the config " +
          Seconds(s.calls.First("read the session config", reserved_at).value_or(reserved_at) -
                  reserved_at) +
          " and set a status " +
          Seconds(s.calls.First("set status", reserved_at).value_or(reserved_at) - reserved_at) +
          " after the reservation");
}

CheckResult ProbeHostileConfigs(const CheckTarget& t, const CheckCase& c) {
  const Json& configs = c.params["configs"];
  if (configs.empty()) return Judge(c, nullptr, false, "no configs to try: the case tests nothing");
  for (size_t i = 0; i < configs.size(); ++i) {
    StatusOr<std::string> config = TextParam(configs[i], "configs[" + std::to_string(i) + "]");
    if (!config.ok()) return Judge(c, nullptr, false, config.status().message());
    std::unique_ptr<Session> session;
    if (auto failed = StartReady(t, c, session)) return *failed;
    Session& s = *session;
    const std::string which = "config " + std::to_string(i + 1) + " of " +
                              std::to_string(configs.size()) + " " + Excerpt(*config, 40);
    if (Status created = s.CreateSession(*config); !created.ok()) {
      return Judge(c, &s, false,
                   "cannot create a session with " + which + ": " + created.message());
    }
    s.WaitFor([&] { return s.calls.Count("read the session config") > 0 || !s.Running(); },
              Param(c, "within_seconds"));
    if (s.calls.Count("read the session config") == 0 && s.Running()) {
      return Judge(c, &s, false,
                   "did not read " + which + " within " +
                       Seconds(Param(c, "within_seconds") * 1000) + ": the case tested nothing");
    }
    s.Pass(Param(c, "settle_seconds"));
    if (!s.Running()) {
      const int code = s.ExitCode().value_or(-1);
      if (code < 0 || code >= 128) {
        return Judge(c, &s, false,
                     "crashed on " + which + " (exit code " + std::to_string(code) +
                         (code >= 128 ? ", signal " + std::to_string(code - 128) : "") + ")");
      }
    }
    if (config->size() >= 8) {
      for (const auto& [at, status] : s.calls.Statuses()) {
        for (const auto& [key, value] : status) {
          if (value.find(*config) != std::string::npos) {
            return Judge(c, &s, false,
                         "echoed " + which + " into its status (" + key +
                             "): statuses are shown to every player");
          }
        }
      }
    }
  }
  return Judge(c, nullptr, true,
               "stayed up or exited with a code on all " + std::to_string(configs.size()) +
                   " configs, and echoed none into its status");
}

CheckResult ProbeStatusEtiquette(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  if (Status created = s.CreateSession(R"({"max_players": 8})"); !created.ok()) {
    return Judge(c, &s, false, "cannot create a session: " + created.message());
  }
  if (!s.WaitFor([&] { return s.calls.Count("set status") > 0; }, Param(c, "within_seconds"))) {
    return Judge(c, &s, false, "set no status: the case tested nothing");
  }
  const double watch = Param(c, "watch_seconds");
  const double from = s.calls.Now();
  s.Pass(watch);
  const int sets = s.calls.Count("set status", from);
  size_t largest = 0;
  for (const auto& [at, status] : s.calls.Statuses())
    largest = std::max(largest, StatusBytes(status));
  int nulls = 0;
  for (const core::Event& e : s.Journal()) nulls += e.kind == core::EventKind::kSessionStatusNull;
  if (largest > Param(c, "max_bytes")) {
    return Judge(c, &s, false,
                 "set a status of " + std::to_string(largest) + " bytes (over " +
                     std::to_string(static_cast<int>(Param(c, "max_bytes"))) +
                     "): the status is not a data channel");
  }
  if (sets / watch > Param(c, "max_sets_per_second")) {
    return Judge(c, &s, false,
                 "set its status " + std::to_string(sets) + " times in " + Seconds(watch * 1000) +
                     ": clients see it up to 12 s late, so per-player updates are lost");
  }
  if (nulls > 0) return Judge(c, &s, false, "sent null status values: values are strings");
  return Judge(c, &s, true,
               std::to_string(sets) + " status updates in " + Seconds(watch * 1000) +
                   ", the largest " + std::to_string(largest) + " bytes");
}

CheckResult ProbeSigterm(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  (void)s.CreateSession(R"({"max_players": 8})");
  const double grace = Param(c, "grace_seconds");
  const double sent = s.calls.Now();
  if (Status removed = s.e().world().DeletePayload(kProject, kAllocation, s.payload_id, true);
      !removed.ok()) {
    return Judge(c, &s, false, "cannot remove the payload: " + removed.message());
  }
  if (s.WaitFor([&] { return !s.Running(); }, grace)) {
    return Judge(c, &s, true, "left " + Seconds(s.calls.Now() - sent) + " after SIGTERM");
  }
  CheckResult r = Judge(c, &s, false,
                        "still running " + Seconds(grace * 1000) +
                            " after SIGTERM (the grace period): IMS kills it then");
  (void)s.e().AdvanceClock(Duration(static_cast<long long>(grace * 1000) + 1000));
  return r;
}

CheckResult ProbeMatchEnd(const CheckTarget& t, const CheckCase& c) {
  std::unique_ptr<Session> session;
  if (auto failed = StartReady(t, c, session)) return *failed;
  Session& s = *session;
  StatusOr<std::string> config = TextParam(c.params["config"], "config");
  if (!config.ok()) return Judge(c, &s, false, config.status().message());
  const double within = Param(c, "within_seconds");
  if (Status created = s.CreateSession(*config); !created.ok()) {
    return Judge(c, &s, false, "cannot create a session: " + created.message());
  }
  if (c.params["udp"].empty()) return Judge(c, &s, false, "no udp messages end the match");
  if (!s.WaitFor([&] { return s.calls.Count("set status") > 0; }, within)) {
    return Judge(c, &s, false, "set no status after the reservation, so the match never started");
  }
  std::optional<core::Payload> p = s.Payload();
  if (!p || p->ports.empty()) return Judge(c, &s, false, "the payload has no game port");
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(p->ports.front().port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (const Json& message : c.params["udp"]) {
    const std::string text = message.is_string() ? message.get<std::string>() : message.dump();
    sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    char reply[512];
    (void)recv(fd, reply, sizeof reply, 0);  // its answer, if it gives one
  }
  close(fd);
  s.WaitFor([&] { return !s.Running(); }, within);
  if (s.Running()) {
    return Judge(c, &s, false,
                 "still running " + Seconds(within * 1000) + " after the match ended");
  }
  const int code = s.ExitCode().value_or(-1);
  if (code != 0) {
    return Judge(c, &s, false,
                 "exited with code " + std::to_string(code) +
                     " at the end of the match: IMS marks that Unhealthy; a match that ends "
                     "well exits 0 (Shutdown)");
  }
  return Judge(c, &s, true, "exited 0 at the end of the match (Shutdown)");
}

CheckResult ProbeLint(const CheckTarget& t, const CheckCase& c) {
  CheckResult r = Judge(c, nullptr, true, "");
  for (const core::LintFinding& f : core::LintFixture(t.fixture)) {
    r.evidence.push_back(f.where + ": " + f.message);
  }
  r.passed = r.evidence.empty();
  if (t.fixture.projects.empty()) {
    r.passed = false;
    r.verdict = "no fixture to lint (give --fixture): the case tests nothing";
  } else {
    r.verdict = r.passed ? "the fixture follows the guide"
                         : std::to_string(r.evidence.size()) + " finding(s) in the fixture";
  }
  return r;
}

}  // namespace

CheckResult RunCheck(const CheckTarget& target, const CheckCase& check_case) {
  static const std::map<std::string,
                        std::function<CheckResult(const CheckTarget&, const CheckCase&)>>
      kProbes = {{"late_api", ProbeLateApi},
                 {"ready", ProbeReady},
                 {"polling", ProbePolling},
                 {"config_and_status", ProbeConfigAndStatus},
                 {"hostile_configs", ProbeHostileConfigs},
                 {"status_etiquette", ProbeStatusEtiquette},
                 {"sigterm", ProbeSigterm},
                 {"match_end", ProbeMatchEnd},
                 {"lint", ProbeLint}};
  const Stopwatch took;
  auto probe = kProbes.find(check_case.probe);
  CheckResult r = probe == kProbes.end()
                      ? Judge(check_case, nullptr, false, "no probe " + check_case.probe)
                      : probe->second(target, check_case);
  r.wall_ms = took.ElapsedMs();
  return r;
}

std::string ResultText(const CheckResult& r) {
  std::string out = std::string(r.passed ? "PASS " : "FAIL ") + r.name + ": " + r.verdict + " (" +
                    Seconds(r.wall_ms) + ")\n";
  if (!r.passed) {
    for (const std::string& line : r.evidence) out += "    " + line + "\n";
  }
  return out;
}

}  // namespace imsemu::check
