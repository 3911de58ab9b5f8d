#include "emulator/harness/scenario_runner.h"

#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "emulator/clients/http_call.h"
#include "emulator/clock/stopwatch.h"
#include "emulator/emulator.h"
#include "emulator/scenario/expectations.h"
#include "emulator/scenario/json_path.h"
#include "emulator/scenario/step_kinds.h"
#include "emulator/scenario/variables.h"
#include "emulator/util/rfc3339.h"
#include "emulator/util/utf8.h"

namespace imsemu::scenario {
namespace {

// What came back.
struct Exchange {
  int status = 0;  // 0: no answer (nothing listening)
  std::string raw;
  Json body;
};

class Run {
 public:
  Run(const Scenario& s, const RunOptions& o) : scenario_(s), options_(o), vars_(s.vars) {}

  ScenarioResult Go();

 private:
  void Step(const scenario::Step& step);
  void WaitUntil(const scenario::Step& step);
  // Runs `step` once: nullopt when its expectation held, else the mismatch;
  // an error when the step could not be made.
  StatusOr<std::optional<std::string>> Attempt(const scenario::Step& step, Call& call,
                                               Exchange& got);
  Exchange Send(const Call& call);
  Status Save(const scenario::Step& step, const Exchange& got);
  std::string Fail(const scenario::Step& step, const Call* call, const Exchange* got,
                   const std::string& mismatch);

  const Scenario& scenario_;
  const RunOptions& options_;
  std::unique_ptr<EmulatorImpl> emulator_;
  StepContext context_;
  Time start_;
  Variables vars_;
  std::map<std::string, std::unique_ptr<clients::HttpCall>> connections_;  // by host:port
  std::string failure_;
};

Exchange Run::Send(const Call& call) {
  std::unique_ptr<clients::HttpCall>& connection = connections_[call.target];
  if (!connection) connection = std::make_unique<clients::HttpCall>(call.target);
  const httplib::Headers headers(call.headers.begin(), call.headers.end());
  clients::HttpReply reply =
      connection->Exchange(call.method, call.path, call.body, call.content_type, headers);
  Exchange got;
  got.status = reply.status;
  got.raw = std::move(reply.body);
  got.body = Json::parse(got.raw, nullptr, false);
  return got;
}

Status Run::Save(const scenario::Step& step, const Exchange& got) {
  for (const auto& [name, path] : step.save) {
    const Json* value = FindPath(got.body, path);
    if (value == nullptr) return InvalidArgument("save: the response has no '" + path + "'");
    vars_[name] = *value;
  }
  return OkStatus();
}

std::string Run::Fail(const scenario::Step& step, const Call* call, const Exchange* got,
                      const std::string& mismatch) {
  std::ostringstream out;
  out << "FAIL " << scenario_.file << ":" << step.line << ": step " << step.number << " ("
      << step.kind << ")\n";
  if (call != nullptr) {
    out << "  request:  " << call->method << " http://" << call->target << call->path << "\n";
    if (!call->body.empty()) out << "            " << Truncate(call->body) << "\n";
  }
  if (got != nullptr) {
    out << "  response: "
        << (got->status == 0 ? std::string("(no answer)") : std::to_string(got->status)) << " "
        << Truncate(got->raw) << "\n";
  }
  out << "  " << mismatch << "\n";
  const Time now = emulator_ ? emulator_->clock().Now() : start_;
  out << "  seed " << options_.seed.value_or(scenario_.seed) << ", virtual time "
      << FormatRfc3339(now) << " (" << static_cast<double>((now - start_).count()) / 1000.0
      << " s into the scenario)\n";
  // A hostile config or body in the request or answer stays text.
  return PrintableText(out.str(), /*keep_newlines=*/true);
}

StatusOr<std::optional<std::string>> Run::Attempt(const scenario::Step& step, Call& call,
                                                  Exchange& got) {
  auto kind = StepKinds().find(step.kind);
  if (kind == StepKinds().end() || !kind->second.build) {
    return InvalidArgument("step kind '" + step.kind + "' cannot be run");
  }
  IMSEMU_ASSIGN_OR_RETURN(Json params, Substitute(step.params, vars_));
  IMSEMU_ASSIGN_OR_RETURN(call, kind->second.build(context_, params));
  got = Send(call);
  if (options_.verbose != nullptr) {
    *options_.verbose << "  " << scenario_.file << ":" << step.line << " " << step.kind << " -> "
                      << got.status << " " << PrintableText(Truncate(got.raw, 200)) << "\n";
  }
  return Mismatch(step.expect, got.status, got.body, vars_);
}

void Run::Step(const scenario::Step& step) {
  if (step.kind == "wait_until") return WaitUntil(step);
  for (int time = 1; time <= step.times; ++time) {
    Call call;
    Exchange got;
    StatusOr<std::optional<std::string>> mismatch = Attempt(step, call, got);
    Status saved = mismatch.ok() && !mismatch->has_value() ? Save(step, got) : OkStatus();
    std::string why = !mismatch.ok()          ? mismatch.status().message()
                      : mismatch->has_value() ? **mismatch
                                              : saved.message();
    if (why.empty()) continue;
    if (step.times > 1) {
      why =
          "(sent " + std::to_string(time) + " of " + std::to_string(step.times) + " times) " + why;
    }
    failure_ = Fail(step, call.method.empty() ? nullptr : &call,
                    got.status == 0 && got.raw.empty() ? nullptr : &got, why);
    return;
  }
}

void Run::WaitUntil(const scenario::Step& step) {
  const scenario::Step& inner = *step.repeat;
  const Time deadline = emulator_->clock().Now() + step.within;
  const Stopwatch waited;
  while (true) {
    Call call;
    Exchange got;
    StatusOr<std::optional<std::string>> mismatch = Attempt(inner, call, got);
    if (!mismatch.ok()) {
      failure_ =
          Fail(step, call.method.empty() ? nullptr : &call, nullptr, mismatch.status().message());
      return;
    }
    if (!mismatch->has_value()) {
      Status saved = Save(inner, got);
      if (!saved.ok()) failure_ = Fail(step, &call, &got, saved.message());
      return;
    }
    const bool out_of_time = scenario_.virtual_clock ? emulator_->clock().Now() >= deadline
                                                     : waited.Elapsed() >= step.within;
    if (out_of_time) {
      failure_ = Fail(
          step, &call, &got,
          "did not hold within " + std::to_string(step.within.count()) + " ms:\n  " + **mismatch);
      return;
    }
    if (scenario_.virtual_clock) {
      Status s = emulator_->AdvanceClock(step.every);
      if (!s.ok()) {
        failure_ = Fail(step, &call, &got, s.message());
        return;
      }
    } else {
      std::this_thread::sleep_for(step.every);
    }
  }
}

ScenarioResult Run::Go() {
  ScenarioResult result;
  result.file = scenario_.file;
  result.name = scenario_.name;
  const Stopwatch wall;
  EmulatorOptions options;
  options.fixture = scenario_.world;
  // A scenario file is a local, trusted script, like a fixture.
  options.allow_http_commands = true;
  options.virtual_clock = scenario_.virtual_clock;
  options.world.seed = options_.seed.value_or(scenario_.seed);
  options.world.status_cache.mode = scenario_.status_cache;
  options.world.status_cache.ttl = scenario_.status_cache_ttl;
  StatusOr<http::SessionAuth> auth = http::SessionAuth::FromSpec(scenario_.auth);
  if (!auth.ok()) return LoadFailure(scenario_.file, auth.status().message());
  options.auth = *auth;
  StatusOr<std::unique_ptr<EmulatorImpl>> started = EmulatorImpl::Start(std::move(options));
  if (!started.ok()) return LoadFailure(scenario_.file, started.status().message());
  emulator_ = *std::move(started);
  context_.main = "127.0.0.1:" + std::to_string(emulator_->port());
  context_.scenario = &scenario_;
  context_.payload_api_of = [this](const std::string& id) { return emulator_->PayloadApiOf(id); };
  start_ = emulator_->clock().Now();
  for (const scenario::Step& step : scenario_.steps) {
    Step(step);
    ++result.steps_run;
    if (!failure_.empty()) break;
  }
  result.virtual_elapsed = emulator_->clock().Now() - start_;
  connections_.clear();
  emulator_->Stop();
  result.outcome = failure_.empty() ? harness::Outcome::kPass : harness::Outcome::kFail;
  result.report = failure_;
  result.wall_ms = wall.ElapsedMs();
  return result;
}

}  // namespace

ScenarioResult RunScenario(const Scenario& scenario, const RunOptions& options) {
  return Run(scenario, options).Go();
}

ScenarioResult LoadFailure(const std::string& file, const std::string& message) {
  ScenarioResult r;
  r.file = file;
  r.name = file;
  r.report = "FAIL " + message + "\n";
  return r;
}

}  // namespace imsemu::scenario
