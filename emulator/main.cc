// ims-emulator: the command line. Parses flags, wires an EmulatorImpl, prints
// what runs where, and waits for SIGINT/SIGTERM. Nothing else lives here.
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "emulator/check/check_cases.h"
#include "emulator/check/check_runner.h"
#include "emulator/clients/http_call.h"
#include "emulator/codec/allocation_json.h"
#include "emulator/codec/mock_config_json.h"
#include "emulator/core/fixture_lint.h"
#include "emulator/emulator.h"
#include "emulator/http/request_checks.h"
#include "emulator/process/exec_command.h"
#include "emulator/process/port_picker.h"
#include "emulator/scenario/junit.h"
#include "emulator/scenario/scenario_loader.h"
#include "emulator/scenario/scenario_runner.h"
#include "emulator/store/snapshot_file.h"

namespace {

using imsemu::Duration;
using imsemu::EmulatorImpl;
using imsemu::EmulatorOptions;
using imsemu::StatusOr;

struct CommonFlags {
  std::string clock;  // "" = real, or a resumed --state world's own
  std::string state = ":memory:";
  uint64_t seed = 1;
  std::string log_level = "info";
  std::string auth = "any";
  std::string status_cache = "periodic";
  double status_cache_ttl = 12;
  std::string log_dir;
  double kill_grace = 10;
  std::string game_ports;
};

void AddCommonFlags(CLI::App* app, CommonFlags& f) {
  app->add_option("--clock", f.clock,
                  "real or virtual (moved by POST /emulator/v0/clock/advance); default: real, "
                  "or the clock a resumed --state world ran on")
      ->check(CLI::IsMember({"real", "virtual"}));
  app->add_option("--state", f.state, "SQLite state file to keep and resume the world in");
  app->add_option("--seed", f.seed, "seed of every id and port the emulator hands out");
  app->add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app->add_option("--auth", f.auth, "Session Manager auth: any, off or tokens:FILE");
  app->add_option("--status-cache", f.status_cache,
                  "how List Sessions lags status updates: periodic, delay or off")
      ->check(CLI::IsMember({"periodic", "delay", "off"}));
  app->add_option("--status-cache-ttl", f.status_cache_ttl, "status cache lag in seconds")
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--log-dir", f.log_dir,
                  "where real game servers' logs go (default: a folder under the temp dir)");
  app->add_option("--kill-grace", f.kill_grace,
                  "seconds between SIGTERM and SIGKILL when a game server is stopped")
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--game-ports", f.game_ports,
                  "host port range LO-HI for real game servers (default: free ports from the OS)");
}

// Fills the options the flags set; false (after printing why) on a bad flag.
bool ApplyCommonFlags(const CommonFlags& f, EmulatorOptions& options) {
  spdlog::set_level(spdlog::level::from_str(f.log_level));
  options.virtual_clock = f.clock == "virtual";
  options.keep_saved_clock = f.clock.empty();
  options.state_path = f.state;
  options.world.seed = f.seed;
  options.world.status_cache.mode = imsemu::core::ParseStatusCacheMode(f.status_cache)
                                        .value_or(imsemu::core::StatusCacheMode::kPeriodic);
  options.world.status_cache.ttl =
      imsemu::Duration(static_cast<long long>(f.status_cache_ttl * 1000));
  auto auth = imsemu::http::SessionAuth::FromSpec(f.auth);
  if (!auth.ok()) {
    std::cerr << "ims-emulator: " << auth.status().message() << "\n";
    return false;
  }
  options.auth = *auth;
  options.log_dir = f.log_dir;
  options.kill_grace = imsemu::Duration(static_cast<long long>(f.kill_grace * 1000));
  if (!f.game_ports.empty()) {
    auto range = imsemu::process::PortPicker::ParseRange(f.game_ports);
    if (!range.ok()) {
      std::cerr << "ims-emulator: " << range.status().message() << "\n";
      return false;
    }
    options.game_ports = *range;
  }
  return true;
}

// Blocks SIGINT and SIGTERM in every thread, so that the main thread alone
// receives them (sigwait), and SIGCHLD, which `exec` waits for the same way.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigset_t blocked = set;
  sigaddset(&blocked, SIGUSR2);  // wakes the second-Ctrl-C waiter (StopLoudly)
  sigaddset(&blocked, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  return set;
}

// Starts the emulator and prints what runs where (on `out`); null (after
// saying why) if it cannot start.
std::unique_ptr<EmulatorImpl> StartAndDescribe(EmulatorOptions options, const std::string& banner,
                                               std::ostream& out) {
  const std::vector<imsemu::core::LintFinding> findings =
      imsemu::core::LintFixture(options.fixture);
  auto emulator = EmulatorImpl::Start(std::move(options));
  if (!emulator.ok()) {
    std::cerr << "ims-emulator: " << emulator.status().message() << "\n";
    return nullptr;
  }
  EmulatorImpl& e = **emulator;
  out << "ims-emulator listening on " << e.base_url() << "\n";
  for (const std::string& note : e.resume_notes()) out << "note: " << note << "\n";
  for (const auto& f : findings) out << "warning: fixture " << f.where << ": " << f.message << "\n";
  if (!banner.empty()) out << banner << "\n";
  for (const auto& p : e.world().Snapshot().payloads) {
    out << "payload " << p.id << " " << imsemu::core::PayloadStateName(p.state)
        << " ORCHESTRATION_PAYLOAD_API=" << e.PayloadApiOf(p.id);
    for (const auto& port : p.ports) out << " " << port.name << "=" << port.port;
    out << "\n";
  }
  for (const auto& a : e.world().Snapshot().allocations) {
    if (a.spec.payload_spec.command.empty()) continue;
    out << "allocation " << a.id << " runs " << a.spec.payload_spec.command
        << "; logs: " << e.log_dir() << "/<payload id>.log\n";
  }
  out << "dashboard: " << e.base_url() << "/ (open it in a browser)\n";
  out << "clock: " << (e.clock().IsVirtual() ? "virtual" : "real") << "; state: GET "
      << e.base_url() << "/emulator/v0/state; Ctrl-C stops" << std::endl;
  return *std::move(emulator);
}

// Stops `e`, saying which game servers it waits for; a second SIGINT or
// SIGTERM kills them at once.
void StopLoudly(EmulatorImpl& e, const sigset_t& stop_signals, Duration grace) {
  std::string running;
  for (const auto& p : e.world().Snapshot().payloads) {
    if (std::optional<int> pid = e.PidOf(p.id)) {
      running += (running.empty() ? "" : ", ") + p.id + " (pid " + std::to_string(*pid) + ")";
    }
  }
  if (!running.empty()) {
    std::cerr << "ims-emulator: stopping: sent SIGTERM to the game servers of " << running
              << "; waiting up to " << static_cast<double>(grace.count()) / 1000.0
              << " s for them to exit (--kill-grace). Ctrl-C again kills them now." << std::endl;
  }
  // SIGUSR2 (sent below) lets the waiter go once the emulator has stopped.
  sigset_t again = stop_signals;
  sigaddset(&again, SIGUSR2);
  std::thread waiter([&e, again] {
    int sig = 0;
    sigwait(&again, &sig);
    if (sig == SIGUSR2) return;
    std::cerr << "ims-emulator: killing the game servers now" << std::endl;
    e.KillGameServersNow();
  });
  e.Stop();
  pthread_kill(waiter.native_handle(), SIGUSR2);
  waiter.join();
}

int Serve(EmulatorOptions options, const sigset_t& stop_signals, const std::string& banner) {
  const Duration grace = options.kill_grace;
  std::unique_ptr<EmulatorImpl> e = StartAndDescribe(std::move(options), banner, std::cout);
  if (!e) return 1;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("signal {}: stopping", signal);
  StopLoudly(*e, stop_signals, grace);
  return 0;
}

// The variables `exec` gives its command (README "Use it from CI").
std::map<std::string, std::string> ExecEnvironment(EmulatorImpl& e) {
  std::map<std::string, std::string> env = {{"IMS_EMULATOR_URL", e.base_url()}};
  const imsemu::core::WorldSnapshot world = e.world().Snapshot();
  if (!world.projects.empty()) env["IMS_EMULATOR_PROJECT"] = world.projects.front();
  if (!world.allocations.empty()) {
    env["IMS_EMULATOR_SESSION_TYPE"] = world.allocations.front().spec.SessionType();
  }
  std::string apis;
  for (const auto& p : world.payloads) {
    apis += (apis.empty() ? "" : " ") + p.id + "=" + e.PayloadApiOf(p.id);
  }
  env["IMS_EMULATOR_PAYLOAD_APIS"] = apis;
  if (!world.payloads.empty()) {
    env["ORCHESTRATION_PAYLOAD_API"] = e.PayloadApiOf(world.payloads.front().id);
  }
  return env;
}

int Exec(EmulatorOptions options, const sigset_t& stop_signals,
         const std::vector<std::string>& command) {
  const Duration grace = options.kill_grace;
  // The command owns standard output; what runs where goes to standard error.
  std::unique_ptr<EmulatorImpl> e = StartAndDescribe(std::move(options), "", std::cerr);
  if (!e) return 1;
  StatusOr<int> code = imsemu::process::ExecCommand(command, ExecEnvironment(*e));
  StopLoudly(*e, stop_signals, grace);
  if (!code.ok()) {
    std::cerr << "ims-emulator: " << code.status().message() << "\n";
    return 127;
  }
  return *code;
}

int RunScenarios(const std::vector<std::string>& files, const std::string& junit,
                 std::optional<uint64_t> seed, bool verbose) {
  std::vector<imsemu::scenario::ScenarioResult> results;
  imsemu::scenario::RunOptions options;
  options.seed = seed;
  if (verbose) options.verbose = &std::cout;
  for (const std::string& file : files) {
    auto loaded = imsemu::scenario::LoadScenario(file);
    if (!loaded.ok()) {
      results.push_back(imsemu::scenario::LoadFailure(file, loaded.status().message()));
    } else {
      if (verbose) std::cout << "RUN  " << file << " (" << loaded->name << ")\n";
      results.push_back(imsemu::scenario::RunScenario(*loaded, options));
    }
    const auto& r = results.back();
    if (r.passed) {
      std::printf("PASS %s: %s (%d steps, %.1f s virtual, %.1f ms wall)\n", r.file.c_str(),
                  r.name.c_str(), r.steps_run,
                  static_cast<double>(r.virtual_elapsed.count()) / 1000.0, r.wall_ms);
    } else {
      std::cout << r.report;
    }
  }
  int failed = 0;
  for (const auto& r : results) failed += r.passed ? 0 : 1;
  std::printf("%d passed, %d failed\n", static_cast<int>(results.size()) - failed, failed);
  if (!junit.empty()) {
    std::ofstream out(junit);
    out << imsemu::scenario::JUnitXml(results);
    if (!out) {
      std::cerr << "ims-emulator: cannot write " << junit << "\n";
      return 2;
    }
  }
  return failed == 0 ? 0 : 1;
}

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 9350;
  std::string fixture;  // "" = the built-in default world
  std::string import;   // a snapshot file to start from
  std::string record;   // a scenario file to write
  bool shared_port = false;
  std::vector<std::string> allowed_hosts;
  bool allow_http_commands = false;
  CommonFlags common;
};

void AddServeFlags(CLI::App* app, ServeFlags& f) {
  app->add_option("--host", f.host, "address the main port listens on");
  app->add_option("--port", f.port, "main port (0 picks a free one)")->check(CLI::Range(0, 65535));
  app->add_option("--fixture", f.fixture,
                  "JSON world to start with (default: the built-in one, as fixtures/default.json)");
  app->add_option("--import", f.import,
                  "start from a snapshot file (ims-emulator export) instead of the fixture")
      ->check(CLI::ExistingFile);
  app->add_option("--record", f.record,
                  "write this session, as it runs, as a scenario that replays it (YAML)");
  app->add_flag("--shared-port", f.shared_port,
                "serve every payload's Payload Local API only under /payloads/{id} on the "
                "main port (no listener per payload)");
  app->add_option("--allowed-host", f.allowed_hosts,
                  "a host name to trust in Host and Origin headers besides loopback names and "
                  "IP addresses (repeatable)");
  app->add_flag("--allow-http-commands", f.allow_http_commands,
                "let allocations created over HTTP start game-server processes "
                "(payload_spec.command); off: only the fixture's commands run");
  AddCommonFlags(app, f.common);
}

// Options for `serve` and `exec`; false (after printing why) on a bad flag.
bool ApplyServeFlags(const ServeFlags& f, EmulatorOptions& options) {
  if (!ApplyCommonFlags(f.common, options)) return false;
  auto loaded = f.fixture.empty() ? imsemu::codec::DefaultFixture()
                                  : imsemu::codec::LoadFixtureFile(f.fixture);
  if (!loaded.ok()) {
    std::cerr << "ims-emulator: " << loaded.status().message() << "\n";
    return false;
  }
  options.fixture = *std::move(loaded);
  options.fixture_given = !f.fixture.empty();
  options.import_path = f.import;
  options.record_path = f.record;
  options.host = f.host;
  options.port = f.port;
  options.payload_listeners = !f.shared_port;
  options.allowed_hosts = f.allowed_hosts;
  options.allow_http_commands = f.allow_http_commands;
  if (!imsemu::http::IsLoopbackAddress(f.host)) {
    std::cerr << "ims-emulator: WARNING: --host " << f.host
              << " is not a loopback address: anyone who can reach it can create and "
                 "delete allocations, reserve payloads, read every session config, move the "
                 "clock and reset the world, with no credentials"
              << (f.allow_http_commands ? ", and run commands on this machine" : "")
              << ". Payloads' own Payload Local API ports stay on 127.0.0.1.\n";
  }
  return true;
}

constexpr const char* kCommands[] = {
    "serve", "exec", "payload-local-api", "scenario", "timeline", "export", "lint", "check"};

// Writes a running emulator's journal as a Chrome trace to `out_path` ("-":
// stdout). 0, or 1 after saying why.
int WriteTimeline(const std::string& url, const std::string& out_path) {
  imsemu::clients::HttpCall call(url);
  const imsemu::StatusOr<nlohmann::json> trace = call.Get("/emulator/v0/timeline");
  if (!trace.ok()) {
    std::cerr << "ims-emulator: cannot read the timeline from " << url << ": "
              << trace.status().ToString() << "\n";
    return 1;
  }
  if (out_path == "-") {
    std::cout << trace->dump() << "\n";
    return 0;
  }
  std::ofstream out(out_path);
  out << trace->dump() << "\n";
  if (!out.flush()) {
    std::cerr << "ims-emulator: cannot write " << out_path << "\n";
    return 1;
  }
  std::cerr << "wrote " << out_path << ": open it in https://ui.perfetto.dev or chrome://tracing\n";
  return 0;
}

// `ims-emulator check`: the studio's server through the cases; 0 when all
// pass, 1 when one fails, 2 on a usage error.
int RunChecks(const std::string& fixture_file, const std::vector<std::string>& case_files,
              const std::string& only, const std::string& junit,
              const std::vector<std::string>& command) {
  imsemu::check::CheckTarget target;
  if (!fixture_file.empty()) {
    auto fixture = imsemu::codec::LoadFixtureFile(fixture_file);
    if (!fixture.ok()) {
      std::cerr << "ims-emulator: " << fixture.status().message() << "\n";
      return 2;
    }
    target.fixture = *fixture;
    for (const auto& project : target.fixture.projects) {
      for (const auto& a : project.allocations) {
        if (command.empty() && target.spec.payload_spec.command.empty() &&
            !a.spec.payload_spec.command.empty()) {
          target.spec = a.spec;
        }
      }
    }
  }
  if (!command.empty()) {
    target.spec.payload_spec.command = command.front();
    target.spec.payload_spec.args.assign(command.begin() + 1, command.end());
    if (target.spec.payload_spec.ports.empty()) {
      target.spec.payload_spec.ports.push_back({"GamePort", 7777, "UDP"});
    }
  }
  if (target.spec.payload_spec.command.empty()) {
    std::cerr << "ims-emulator: check needs the game server: -- COMMAND ARGS..., or a --fixture "
                 "whose allocation has a payload_spec.command\n";
    return 2;
  }
  std::vector<imsemu::check::CheckCase> cases = imsemu::check::DefaultCheckCases();
  if (target.fixture.projects.empty()) {
    // Linting the check's own world would test nothing: without --fixture
    // the lint cases are left out (and asking for one is an error).
    std::erase_if(cases, [](const imsemu::check::CheckCase& c) {
      return c.kind == imsemu::check::Probe::kLint;
    });
  }
  for (const std::string& file : case_files) {
    auto more = imsemu::check::LoadCheckCases(file);
    if (!more.ok()) {
      std::cerr << "ims-emulator: " << more.status().message() << "\n";
      return 2;
    }
    cases.insert(cases.end(), more->begin(), more->end());
  }
  auto selected = imsemu::check::SelectCases(cases, only);
  if (!selected.ok()) {
    std::cerr << "ims-emulator: " << selected.status().message() << "\n";
    return 2;
  }
  target.log_dir =
      (std::filesystem::temp_directory_path() / ("ims-emulator-check-" + std::to_string(getpid())))
          .string();
  auto run = imsemu::check::RunChecks(target, *selected, [](const imsemu::check::CheckResult& r) {
    std::cout << imsemu::check::ResultText(r) << std::flush;
  });
  if (!run.ok()) {
    std::cerr << "ims-emulator: check: " << run.status().message() << "\n";
    return 2;
  }
  const std::vector<imsemu::check::CheckResult>& results = *run;
  const bool all_passed =
      std::all_of(results.begin(), results.end(),
                  [](const imsemu::check::CheckResult& r) { return r.passed(); });
  std::cout << imsemu::check::Summary(results) << " (game-server logs: " << target.log_dir << ")\n";
  if (!junit.empty()) {
    std::vector<imsemu::scenario::ScenarioResult> as_tests;
    for (const auto& r : results) {
      imsemu::scenario::ScenarioResult t;
      t.file = "check/" + r.name;
      t.name = r.name;
      t.passed = r.passed();
      t.skipped = r.outcome == imsemu::check::Outcome::kSkip;
      t.wall_ms = r.wall_ms;
      if (!r.passed()) t.report = t.skipped ? r.verdict : imsemu::check::ResultText(r);
      as_tests.push_back(std::move(t));
    }
    std::ofstream out(junit);
    out << imsemu::scenario::JUnitXml(as_tests);
    if (!out) {
      std::cerr << "ims-emulator: cannot write " << junit << "\n";
      return 2;
    }
  }
  return all_passed ? 0 : 1;
}

// Lints fixture files: 0 when none has a finding, 1 when one has, 2 when
// one cannot be read.
int LintFixtures(const std::vector<std::string>& files) {
  int worst = 0;
  for (const std::string& file : files) {
    auto fixture = imsemu::codec::LoadFixtureFile(file);
    if (!fixture.ok()) {
      std::cerr << "ims-emulator: " << fixture.status().message() << "\n";
      worst = 2;
      continue;
    }
    const auto findings = imsemu::core::LintFixture(*fixture);
    for (const auto& f : findings)
      std::cout << file << ": " << f.where << ": " << f.message << "\n";
    if (findings.empty()) std::cout << file << ": ok\n";
    if (!findings.empty() && worst == 0) worst = 1;
  }
  return worst;
}

// Writes a running emulator's whole world (a snapshot) to `out_path`,
// atomically: the file holds the old snapshot or the new one, never part.
int WriteExport(const std::string& url, const std::string& out_path) {
  imsemu::clients::HttpCall call(url);
  const imsemu::StatusOr<nlohmann::json> snapshot = call.Get("/emulator/v0/export");
  if (!snapshot.ok()) {
    std::cerr << "ims-emulator: cannot export from " << url << ": " << snapshot.status().ToString()
              << "\n";
    return 1;
  }
  const std::string text = snapshot->dump(1) + "\n";
  if (!imsemu::store::DecodeSnapshot(text).ok()) {
    std::cerr << "ims-emulator: " << url << " did not answer with a snapshot\n";
    return 1;
  }
  const imsemu::Status written = imsemu::store::WriteFileAtomically(out_path, text);
  if (!written.ok()) {
    std::cerr << "ims-emulator: " << written.message() << "\n";
    return 1;
  }
  std::cerr << "wrote " << out_path << ": start from it with ims-emulator serve --import "
            << out_path << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t stop_signals = BlockStopSignals();
  CLI::App app{"ims-emulator: a local emulator of Improbable's IMS zeuz and Session Manager"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ims-emulator ") + IMSEMU_VERSION);
  app.option_defaults()->always_capture_default();
  // CLI11 says only "A subcommand is required" for a misspelt one.
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(std::begin(kCommands), std::end(kCommands), std::string(argv[1])) ==
          std::end(kCommands)) {
    std::cerr << "ims-emulator: unknown command '" << argv[1]
              << "' (serve, exec, payload-local-api, scenario, timeline, export, lint, check; "
                 "--help)\n";
    return 2;
  }

  ServeFlags serve_flags;
  CLI::App* serve = app.add_subcommand("serve", "run the emulator on a fixture");
  AddServeFlags(serve, serve_flags);

  ServeFlags exec_flags;
  exec_flags.port = 0;
  std::vector<std::string> command;
  CLI::App* exec = app.add_subcommand(
      "exec",
      "start the emulator, run a command beside it (IMS_EMULATOR_URL and friends in its "
      "environment), stop, and exit with the command's code");
  AddServeFlags(exec, exec_flags);
  exec->add_option("command", command, "the command and its arguments, after --")->required();

  CommonFlags mock_flags;
  int mock_port = 8080;
  int control_port = 9350;
  std::string payload_config;
  CLI::App* mock = app.add_subcommand(
      "payload-local-api", "drop-in for `ims orchestration payload-local-api`: one payload");
  mock->add_option("--port", mock_port, "the payload's Payload Local API port")
      ->check(CLI::Range(1, 65535));
  mock->add_option("--payload-config", payload_config, "the mock's payload config file");
  mock->add_option("--control-port", control_port, "port of the control API (0: a free one)")
      ->check(CLI::Range(0, 65535));
  AddCommonFlags(mock, mock_flags);

  std::vector<std::string> scenario_files;
  std::string junit;
  uint64_t scenario_seed = 0;
  bool verbose = false;
  CLI::App* scenario = app.add_subcommand("scenario", "scenario scripts");
  scenario->require_subcommand(1);
  CLI::App* scenario_run = scenario->add_subcommand("run", "run scenario files");
  scenario_run->add_option("files", scenario_files, "scenario files (YAML or JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  scenario_run->add_option("--junit", junit, "write a JUnit XML report to this file");
  CLI::Option* seed_option =
      scenario_run->add_option("--seed", scenario_seed, "override every scenario's seed");
  scenario_run->add_flag("--verbose", verbose, "log every step");

  std::string timeline_url = "http://127.0.0.1:9350";
  std::string timeline_out = "-";
  CLI::App* timeline = app.add_subcommand(
      "timeline", "write a running emulator's journal as a Chrome trace (Perfetto)");
  timeline->add_option("--url", timeline_url, "the emulator's main port");
  timeline->add_option("-o,--output", timeline_out, "the trace file (- for stdout)");

  std::string export_url = "http://127.0.0.1:9350";
  std::string export_file;
  CLI::App* export_command = app.add_subcommand(
      "export", "write a running emulator's whole world, clock and journal to a snapshot file");
  export_command->add_option("--url", export_url, "the emulator's main port");
  export_command->add_option("file", export_file, "the snapshot file (written atomically)")
      ->required();

  std::vector<std::string> lint_files;
  CLI::App* lint = app.add_subcommand(
      "lint", "check fixture files against IMS's integration guide (exit 1 on a finding)");
  lint->add_option("fixtures", lint_files, "fixture files (JSON)")->required();

  std::string check_fixture;
  std::vector<std::string> check_cases;
  std::string check_only;
  std::string check_junit;
  std::vector<std::string> check_command;
  CLI::App* check = app.add_subcommand(
      "check", "put a game server through IMS's realities (checks/default.yaml) and report");
  check->add_option("--fixture", check_fixture,
                    "the world: its allocation's command runs, and it is linted");
  check->add_option("--cases", check_cases, "more cases, in the shape of checks/default.yaml");
  check->add_option("--only", check_only, "run these cases (comma-separated names)");
  check->add_option("--junit", check_junit, "write a JUnit XML report to this file");
  check->add_option("command", check_command, "the game server and its arguments, after --");

  CLI11_PARSE(app, argc, argv);

  if (lint->parsed()) return LintFixtures(lint_files);
  if (check->parsed()) {
    spdlog::set_level(spdlog::level::warn);
    return RunChecks(check_fixture, check_cases, check_only, check_junit, check_command);
  }

  if (export_command->parsed()) return WriteExport(export_url, export_file);

  if (timeline->parsed()) return WriteTimeline(timeline_url, timeline_out);

  if (scenario_run->parsed()) {
    spdlog::set_level(spdlog::level::warn);
    std::optional<uint64_t> seed;
    if (seed_option->count() > 0) seed = scenario_seed;
    return RunScenarios(scenario_files, junit, seed, verbose);
  }

  EmulatorOptions options;
  if (serve->parsed()) {
    if (!ApplyServeFlags(serve_flags, options)) return 2;
    return Serve(std::move(options), stop_signals, "");
  }
  if (exec->parsed()) {
    if (!ApplyServeFlags(exec_flags, options)) return 2;
    return Exec(std::move(options), stop_signals, command);
  }
  if (!ApplyCommonFlags(mock_flags, options)) return 2;
  auto loaded = imsemu::codec::LoadMockFixture(payload_config);
  if (!loaded.ok()) {
    std::cerr << "ims-emulator: " << loaded.status().message() << "\n";
    return 2;
  }
  options.fixture = *std::move(loaded);
  options.port = control_port;
  options.fixed_payload_port = mock_port;
  return Serve(std::move(options), stop_signals,
               "Payload Local API on 127.0.0.1:" + std::to_string(mock_port) +
                   " (set ORCHESTRATION_PAYLOAD_API=localhost:" + std::to_string(mock_port) + ")");
}
