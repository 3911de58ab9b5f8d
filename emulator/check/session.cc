#include "emulator/check/session.h"

#include <fstream>
#include <vector>

#include "emulator/check/judgements.h"
#include "emulator/emulator.h"
#include "emulator/http/http_server.h"
#include "emulator/process/command_lookup.h"
#include "emulator/process/container_launch.h"
#include "emulator/process/image_lookup.h"
#include "emulator/process/startable.h"
#include "emulator/util/api_routes.h"
#include "emulator/util/mutex.h"

namespace imsemu::check {
namespace {

using Json = nlohmann::json;

constexpr const char* kProject = "check";
constexpr const char* kAllocation = "check";
constexpr const char* kSessionType = "check";
// How often a wait looks again when nothing is journalled.
constexpr std::chrono::milliseconds kLook{50};
// Lines of output kept as evidence.
constexpr size_t kOutputLines = 8;
// Teardown: how long a game server gets to leave after SIGTERM.
constexpr Duration kTeardownGrace{500};

// The Payload Local API's calls, by route.
constexpr std::pair<const routes::Route*, CallKind> kCallKinds[] = {
    {&routes::kGetPayload, CallKind::kPayloadRead},
    {&routes::kReady, CallKind::kReady},
    {&routes::kSetLabel, CallKind::kLabelSet},
    {&routes::kSetAnnotation, CallKind::kAnnotationSet},
    {&routes::kGetConfig, CallKind::kConfigRead},
    {&routes::kGetStatus, CallKind::kStatusRead},
    {&routes::kSetStatus, CallKind::kStatusSet},
};

}  // namespace

std::string WhatStarts(const CheckTarget& target) {
  const core::PayloadSpec& spec = target.spec.payload_spec;
  if (spec.image.empty()) return spec.command;
  return process::ChooseContainerRuntime(target.container_runtime,
                                         process::SearchPathOf(target.spec))
      .command;
}

Status CanStart(const CheckTarget& target) {
  IMSEMU_RETURN_IF_ERROR(
      process::LookUpCommand(WhatStarts(target), process::SearchPathOf(target.spec)));
  if (const std::string& image = target.spec.payload_spec.image; !image.empty()) {
    IMSEMU_RETURN_IF_ERROR(
        process::LookUpImage(process::ChooseContainerRuntime(target.container_runtime,
                                                             process::SearchPathOf(target.spec)),
                             image));
  }
  return OkStatus();
}

// Every call the game server makes over its Payload Local API, timed on the
// session's stopwatch: the accepted ones as the world tells them, the refused
// ones (an error status, whoever answered it) as the listeners saw them.
// Called from the emulator's threads.
class CallLog final : public GameServerObserver, public http::ExchangeObserver {
 public:
  explicit CallLog(const Stopwatch& since) : since_(since) {}

  bool OnRequest(const std::string&, const httplib::Request& req) override {
    return routes::IsPayloadLocalPath(req.path);
  }
  void OnAnswer(const std::string&, const httplib::Request& req, const httplib::Response& res,
                bool) override {
    if (res.status < 400) return;
    Refusal r;
    r.at_ms = since_.ElapsedMs();
    r.method = req.method;
    const auto shared = routes::SplitSharedPayloadPath(req.path);
    r.path = shared ? shared->second : req.path;
    r.status = res.status;
    const Json body = Json::parse(res.body, nullptr, false);
    r.message = body.is_object() && body.contains("message") && body["message"].is_string()
                    ? body["message"].get<std::string>()
                    : res.body.substr(0, 200);
    for (const auto& [route, kind] : kCallKinds) {
      if (route->method == r.method && routes::Match(route->path, r.path)) r.kind = kind;
    }
    MutexLock lock(mu_);
    refused_.push_back(std::move(r));
  }

  void OnPayloadRead(const std::string&, const std::string& state) override {
    Call c = Of(CallKind::kPayloadRead);
    c.state = state;
    Add(std::move(c));
  }
  void OnReady(const std::string&) override { Add(Of(CallKind::kReady)); }
  void OnLabelSet(const std::string&, const std::string& key, const std::string& value) override {
    Call c = Of(CallKind::kLabelSet);
    c.detail = key + "=" + Excerpt(value);
    Add(std::move(c));
  }
  void OnAnnotationSet(const std::string&, const std::string& key,
                       const std::string& value) override {
    Call c = Of(CallKind::kAnnotationSet);
    c.detail = key + "=" + Excerpt(value);
    Add(std::move(c));
  }
  void OnConfigRead(const std::string&, const std::optional<std::string>& config) override {
    Call c = Of(CallKind::kConfigRead);
    c.config = config;
    Add(std::move(c));
  }
  void OnStatusRead(const std::string&) override { Add(Of(CallKind::kStatusRead)); }
  void OnStatusSet(const std::string&, const StringMap& status) override {
    Call c = Of(CallKind::kStatusSet);
    c.status = status;
    Add(std::move(c));
  }

  void OnExit(const core::ProcessExit& how) {
    const double at = since_.ElapsedMs();
    MutexLock lock(mu_);
    if (!exit_) exit_ = Exit{at, how};
  }

  std::vector<Call> Calls() {
    MutexLock lock(mu_);
    return calls_;
  }
  std::vector<Refusal> Refusals() {
    MutexLock lock(mu_);
    return refused_;
  }
  // The process's first end, timed when the supervisor learnt of it.
  std::optional<Exit> FirstExit() {
    MutexLock lock(mu_);
    return exit_;
  }

 private:
  static Call Of(CallKind kind) {
    Call c;
    c.kind = kind;
    return c;
  }
  void Add(Call call) {
    call.at_ms = since_.ElapsedMs();
    MutexLock lock(mu_);
    calls_.push_back(std::move(call));
  }

  const Stopwatch& since_;
  Mutex mu_;
  std::vector<Call> calls_ IMSEMU_GUARDED_BY(mu_);
  std::vector<Refusal> refused_ IMSEMU_GUARDED_BY(mu_);
  std::optional<Exit> exit_ IMSEMU_GUARDED_BY(mu_);
};

Session::Session() : calls_(std::make_unique<CallLog>(since_)) {}

Session::~Session() { emulator_.reset(); }  // stops the server before `calls_` goes

StatusOr<std::unique_ptr<Session>> Session::Start(const CheckTarget& target,
                                                  const std::string& name, Duration api_down) {
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
  options.log_dir = target.log_dir + "/" + name;
  options.kill_grace = kTeardownGrace;
  options.container_runtime = target.container_runtime;
  options.world.new_payload_api_down = api_down;
  std::unique_ptr<Session> s(new Session);
  options.game_server_observers = {s->calls_.get()};
  options.exchange_observers = {s->calls_.get()};
  options.on_game_server_exit = [log = s->calls_.get()](const std::string&,
                                                        const core::ProcessExit& how) {
    log->OnExit(how);
  };
  IMSEMU_ASSIGN_OR_RETURN(s->emulator_, EmulatorImpl::Start(std::move(options)));
  core::WorldSnapshot world = s->emulator_->world().Snapshot();
  if (world.payloads.empty()) return Status(StatusCode::kInternal, "no payload was created");
  s->payload_id_ = world.payloads.front().id;
  return s;
}

const Observation& Session::Look() {
  seen_.calls = calls_->Calls();
  seen_.refused = calls_->Refusals();
  seen_.exit = calls_->FirstExit();
  while (true) {
    std::vector<core::Event> events = emulator_->world().Events(journal_seq_, 1000);
    if (events.empty()) break;
    journal_seq_ = events.back().seq;
    for (core::Event& event : events) {
      if (event.payload_id != payload_id_ || event.kind == core::EventKind::kPayloadOutput) {
        continue;
      }
      seen_.journal.push_back(std::move(event));
    }
  }
  return seen_;
}

void Session::WaitFor(const std::function<bool(const Observation&)>& done, double seconds) {
  const double until = Now() + seconds * 1000;
  long long seq = emulator_->world().JournalEnd();
  while (!done(Look()) && Now() < until) seq = emulator_->world().AwaitEvents(seq, kLook);
}

void Session::Pass(double seconds) {
  WaitFor([](const Observation&) { return false; }, seconds);
}

void Session::Boot(double seconds) {
  WaitFor([](const Observation& s) { return s.Ready() || s.exit.has_value(); }, seconds);
}

void Session::CreateSession(const std::string& config) {
  const double asked = Now();
  auto created = emulator_->world().CreateSession(kProject, kSessionType, config);
  if (created.ok()) {
    seen_.reserved_at = asked;
  } else {
    seen_.reservation_error = created.status().message();
  }
}

std::optional<core::Payload> Session::Payload() {
  auto p = emulator_->world().GetPayload(payload_id_);
  return p.ok() ? std::optional<core::Payload>(*p) : std::nullopt;
}

void Session::AskToLeave() { emulator_->AskGameServerToLeave(payload_id_); }

Observation Session::Finish() {
  Look();
  seen_.ended_at = Now();
  if (std::optional<std::string> log = emulator_->LogFileOf(payload_id_)) {
    seen_.log_path = *log;
    std::ifstream in(*log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const size_t from = lines.size() > kOutputLines ? lines.size() - kOutputLines : 0;
    seen_.output.assign(lines.begin() + static_cast<long>(from), lines.end());
  }
  return seen_;
}

}  // namespace imsemu::check
