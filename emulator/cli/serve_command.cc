#include "emulator/cli/serve_command.h"

#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <ostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/mock_config_json.h"
#include "emulator/core/fixture_lint.h"
#include "emulator/http/request_checks.h"
#include "emulator/process/exec_command.h"
#include "emulator/process/port_picker.h"
#include "emulator/process/startable.h"

namespace imsemu::cli {
namespace {

// Starts the emulator and prints what runs where (on `out`); null (after
// saying why on `err`) if it cannot start.
std::unique_ptr<EmulatorImpl> StartAndDescribe(EmulatorOptions options, const std::string& banner,
                                               std::ostream& out, std::ostream& err) {
  // Findings about a fixture the user wrote (not the built-in one, nor the
  // one payload-local-api builds from its payload config).
  const std::vector<core::LintFinding> findings =
      options.fixture_given ? core::LintFixture(options.fixture) : std::vector<core::LintFinding>{};
  const std::string recording = options.record_path;
  auto emulator = EmulatorImpl::Start(std::move(options));
  if (!emulator.ok()) {
    err << "ims-emulator: " << emulator.status().message() << "\n";
    return nullptr;
  }
  EmulatorImpl& e = **emulator;
  out << "ims-emulator listening on " << e.base_url() << "\n";
  for (const std::string& note : e.resume_notes()) out << "note: " << note << "\n";
  for (const auto& f : findings) out << "warning: fixture " << f.where << ": " << f.message << "\n";
  if (!banner.empty()) out << banner << "\n";
  if (!recording.empty()) {
    out << "recording this session to " << recording << " (replay it: ims-emulator scenario run "
        << recording << ")\n";
  }
  const core::WorldSnapshot world = e.world().Snapshot();
  // A screenful: a fleet of thousands is listed by the state endpoint.
  constexpr size_t kPayloadsListed = 20;
  for (size_t i = 0; i < world.payloads.size() && i < kPayloadsListed; ++i) {
    const core::Payload& p = world.payloads[i];
    out << "payload " << p.id << " " << core::PayloadStateName(p.state)
        << " ORCHESTRATION_PAYLOAD_API=" << e.PayloadApiOf(p.id);
    for (const auto& port : p.ports) out << " " << port.name << "=" << port.port;
    out << "\n";
  }
  if (world.payloads.size() > kPayloadsListed) {
    out << "... and " << world.payloads.size() - kPayloadsListed
        << " more payloads (GET /emulator/v0/state lists every one)\n";
  }
  for (const auto& a : world.allocations) {
    const core::PayloadSpec& spec = a.spec.payload_spec;
    if (!spec.RunsGameServer()) continue;
    out << "allocation " << a.id << " runs "
        << (spec.image.empty() ? spec.command : "the image " + spec.image);
    if (!spec.resources.memory.empty()) {
      out << "; memory limit " << spec.resources.memory << " (past it: OOMKilled)";
    }
    if (!spec.resources.cpu.empty()) {
      out << "; cpu " << spec.resources.cpu
          << (spec.image.empty() ? " (stored only: a process runs without a cpu limit)"
                                 : " (the container's --cpus)");
    }
    out << "; logs: " << e.log_dir() << "/<payload id>.log\n";
  }
#ifdef __GLIBC__
  // Loading a big world leaves its temporaries' memory free but resident
  // (a fleet's copies on their way to the store): give it back.
  malloc_trim(0);
#endif
  out << "dashboard: " << e.base_url() << "/ (open it in a browser)\n";
  out << "clock: " << (e.clock().IsVirtual() ? "virtual" : "real") << "; state: GET "
      << e.base_url() << "/emulator/v0/state; Ctrl-C stops" << std::endl;
  return *std::move(emulator);
}

// Stops `e`, saying which game servers it waits for; a second SIGINT or
// SIGTERM kills them at once.
void StopLoudly(EmulatorImpl& e, const Context& c, Duration grace) {
  std::ostream& err = c.err;
  std::string running;
  for (const auto& p : e.world().Snapshot().payloads) {
    if (std::optional<int> pid = e.PidOf(p.id)) {
      running += (running.empty() ? "" : ", ") + p.id + " (pid " + std::to_string(*pid) + ")";
    }
  }
  if (!running.empty()) {
    err << "ims-emulator: stopping: sent SIGTERM to the game servers of " << running
        << "; waiting up to " << static_cast<double>(grace.count()) / 1000.0
        << " s for them to exit (--kill-grace). Ctrl-C again kills them now." << std::endl;
  }
  // SIGUSR2 (sent below) lets the waiter go once the emulator has stopped.
  sigset_t again = c.stop_signals;
  sigaddset(&again, SIGUSR2);
  std::thread waiter([&e, &err, again] {
    int sig = 0;
    sigwait(&again, &sig);
    if (sig == SIGUSR2) return;
    err << "ims-emulator: killing the game servers now" << std::endl;
    e.KillGameServersNow();
  });
  e.Stop();
  pthread_kill(waiter.native_handle(), SIGUSR2);
  waiter.join();
}

// Runs the emulator until SIGINT or SIGTERM.
int ServeUntilStopped(EmulatorOptions options, const Context& context, const std::string& banner) {
  const Duration grace = options.kill_grace;
  std::unique_ptr<EmulatorImpl> e =
      StartAndDescribe(std::move(options), banner, context.out, context.err);
  if (!e) return 1;
  int signal = 0;
  sigwait(&context.stop_signals, &signal);
  spdlog::info("signal {}: stopping", signal);
  StopLoudly(*e, context, grace);
  return 0;
}

int UsageError(const Status& s, const Context& c) {
  c.err << "ims-emulator: " << s.message() << "\n";
  return 2;
}

}  // namespace

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigset_t blocked = set;
  sigaddset(&blocked, SIGUSR2);
  sigaddset(&blocked, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  return set;
}

void AddCommonFlags(CLI::App* app, CommonFlags& f) {
  app->add_option("--clock", f.clock,
                  "real or virtual (moved by POST /emulator/v0/clock/advance); default: real, "
                  "or the clock a resumed --state world ran on")
      ->check(CLI::IsMember({"real", "virtual"}));
  app->add_option("--state", f.state, "SQLite state file to keep and resume the world in");
  app->add_option("--state-writes", f.state_writes,
                  "when a change reaches the --state file: before-answer (default: kill -9 "
                  "loses nothing answered) or behind (after the answer, batched: faster, a "
                  "kill -9 can lose the last moments)")
      ->check(CLI::IsMember({"before-answer", "behind"}));
  app->add_option("--seed", f.seed, "seed of every id and port the emulator hands out");
  app->add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app->add_option("--auth", f.auth, "Session Manager auth: any, off or tokens:FILE");
  app->add_option("--status-cache", f.status_cache,
                  "how List Sessions lags status updates: periodic, delay or off")
      ->check(CLI::IsMember({"periodic", "delay", "off"}));
  app->add_option("--status-cache-ttl", f.status_cache_ttl, "status cache lag in seconds")
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--keep-deleted", f.keep_deleted,
                  "seconds a deleted allocation stays listed, as Deleted, once drained "
                  "(default 3600)")
      ->check(CLI::Range(0.0, 30.0 * 24 * 3600));
  app->add_option("--log-dir", f.log_dir,
                  "where real game servers' logs go (default: a folder under the temp dir)");
  app->add_option("--kill-grace", f.kill_grace,
                  "seconds between SIGTERM and SIGKILL when a game server is stopped (default "
                  "10, as check's sigterm case gives)")
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--container-runtime", f.container_runtime,
                  "what runs payload_spec.image: podman, docker or a path to either (default: "
                  "podman, else docker, found on PATH)");
  app->add_option("--game-ports", f.game_ports,
                  "host port range LO-HI for real game servers (default: free ports from the OS)");
}

Status ApplyCommonFlags(const CommonFlags& f, EmulatorOptions& options) {
  spdlog::set_level(spdlog::level::from_str(f.log_level));
  options.virtual_clock = f.clock == "virtual";
  options.keep_saved_clock = f.clock.empty();
  options.state_path = f.state;
  if (!f.state_writes.empty() && (f.state.empty() || f.state == ":memory:")) {
    return InvalidArgument("--state-writes needs --state FILE (without one nothing is written)");
  }
  options.state_writes_behind = f.state_writes == "behind";
  options.world.seed = f.seed;
  options.world.status_cache.mode =
      core::ParseStatusCacheMode(f.status_cache).value_or(core::StatusCacheMode::kPeriodic);
  options.world.status_cache.ttl = Duration(static_cast<long long>(f.status_cache_ttl * 1000));
  IMSEMU_ASSIGN_OR_RETURN(options.auth, http::SessionAuth::FromSpec(f.auth));
  options.world.keep_deleted = Duration(static_cast<long long>(f.keep_deleted * 1000));
  options.log_dir = f.log_dir;
  options.kill_grace = Duration(static_cast<long long>(f.kill_grace * 1000));
  options.container_runtime = f.container_runtime;
  if (!f.game_ports.empty()) {
    IMSEMU_ASSIGN_OR_RETURN(options.game_ports, process::PortPicker::ParseRange(f.game_ports));
  }
  return OkStatus();
}

void AddServeFlags(CLI::App* app, ServeFlags& f) {
  // IMSEMU_HOST: the emulator's image sets it to 0.0.0.0 (inside a container
  // the published port reaches it only there).
  app->add_option("--host", f.host, "address the main port and the payload APIs listen on")
      ->envname("IMSEMU_HOST");
  app->add_option("--port", f.port, "main port (0 picks a free one)")->check(CLI::Range(0, 65535));
  app->add_option("--fixture", f.fixture,
                  "JSON world to start with (default: the built-in one, as fixtures/default.json)");
  app->add_option("--import", f.import,
                  "start from a snapshot file (ims-emulator export) instead of the fixture")
      ->check(CLI::ExistingFile);
  app->add_option("--record", f.record,
                  "write this session, as it runs, as a scenario that replays it (YAML); an "
                  "existing file is refused");
  app->add_flag("--record-overwrite", f.record_overwrite, "let --record replace an existing file");
  app->add_option("--exchange-log", f.exchange_log,
                  "append every request and its answer to this file, one JSON object a line")
      ->envname("IMSEMU_EXCHANGE_LOG");
  app->add_option("--payload-address", f.payload_address,
                  "the address the Session Manager hands clients for a payload (a compose "
                  "service name, say); default: 127.0.0.1");
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

StatusOr<EmulatorOptions> ServeOptions(const ServeFlags& f, std::ostream& warnings) {
  EmulatorOptions options;
  IMSEMU_RETURN_IF_ERROR(ApplyCommonFlags(f.common, options));
  IMSEMU_ASSIGN_OR_RETURN(options.fixture, f.fixture.empty() ? codec::DefaultFixture()
                                                             : codec::LoadFixtureFile(f.fixture));
  options.fixture_given = !f.fixture.empty();
  // A game server that cannot start is refused before anything listens, as
  // `check` refuses it (it would only log "cannot start" for ever).
  for (const core::ProjectFixture& project : options.fixture.projects) {
    for (const core::AllocationFixture& a : project.allocations) {
      if (Status s = process::CheckStartable(a.spec, options.container_runtime); !s.ok()) {
        return InvalidArgument(
            (f.fixture.empty() ? std::string("the built-in world") : "fixture " + f.fixture) +
            ": allocation '" + a.id.value_or(a.spec.name) + "' of project '" + project.id +
            "': " + s.message());
      }
    }
  }
  options.import_path = f.import;
  options.record_path = f.record;
  options.record_overwrite = f.record_overwrite;
  options.exchange_log = f.exchange_log;
  if (!f.payload_address.empty()) {
    const bool plain =
        f.payload_address.size() <= 253 &&
        std::all_of(f.payload_address.begin(), f.payload_address.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
        });
    if (!plain) {
      return InvalidArgument("--payload-address must be a host name or an IP address; got '" +
                             f.payload_address + "'");
    }
    options.world.advertise_address = f.payload_address;
  }
  options.host = f.host;
  options.port = f.port;
  options.payload_listeners = !f.shared_port;
  options.allowed_hosts = f.allowed_hosts;
  options.allow_http_commands = f.allow_http_commands;
  if (!http::IsLoopbackAddress(f.host)) {
    warnings << "ims-emulator: WARNING: --host " << f.host
             << " is not a loopback address: anyone who can reach it can create and "
                "delete allocations, reserve payloads, read every session config, move the "
                "clock and reset the world, with no credentials"
             << (f.allow_http_commands ? ", and run commands on this machine" : "")
             << ". Payloads' own Payload Local API ports listen there too.\n";
  }
  return options;
}

int Serve(const ServeFlags& f, const Context& context) {
  StatusOr<EmulatorOptions> options = ServeOptions(f, context.err);
  if (!options.ok()) return UsageError(options.status(), context);
  return ServeUntilStopped(*std::move(options), context, "");
}

void AddExecFlags(CLI::App* app, ExecFlags& f) {
  f.serve.port = 0;
  AddServeFlags(app, f.serve);
  app->add_option("command", f.command, "the command and its arguments, after --")->required();
}

std::map<std::string, std::string> ExecEnvironment(EmulatorImpl& e) {
  std::map<std::string, std::string> env = {{"IMS_EMULATOR_URL", e.base_url()}};
  const core::WorldSnapshot world = e.world().Snapshot();
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

int Exec(const ExecFlags& f, const Context& context) {
  StatusOr<EmulatorOptions> options = ServeOptions(f.serve, context.err);
  if (!options.ok()) return UsageError(options.status(), context);
  const Duration grace = options->kill_grace;
  // The command owns standard output; what runs where goes to standard error.
  std::unique_ptr<EmulatorImpl> e =
      StartAndDescribe(*std::move(options), "", context.err, context.err);
  if (!e) return 1;
  StatusOr<int> code = process::ExecCommand(f.command, ExecEnvironment(*e));
  StopLoudly(*e, context, grace);
  if (!code.ok()) {
    context.err << "ims-emulator: " << code.status().message() << "\n";
    return 127;
  }
  return *code;
}

void AddPayloadLocalApiFlags(CLI::App* app, PayloadLocalApiFlags& f) {
  app->add_option("--port", f.port, "the payload's Payload Local API port")
      ->check(CLI::Range(1, 65535));
  app->add_option("--payload-config", f.payload_config, "the mock's payload config file");
  app->add_option("--control-port", f.control_port, "port of the control API (0: a free one)")
      ->check(CLI::Range(0, 65535));
  AddCommonFlags(app, f.common);
}

int ServePayloadLocalApi(const PayloadLocalApiFlags& f, const Context& context) {
  EmulatorOptions options;
  if (Status s = ApplyCommonFlags(f.common, options); !s.ok()) return UsageError(s, context);
  StatusOr<core::Fixture> loaded = codec::LoadMockFixture(f.payload_config);
  if (!loaded.ok()) return UsageError(loaded.status(), context);
  options.fixture = *std::move(loaded);
  options.port = f.control_port;
  options.fixed_payload_port = f.port;
  return ServeUntilStopped(
      std::move(options), context,
      "Payload Local API on 127.0.0.1:" + std::to_string(f.port) +
          " (set ORCHESTRATION_PAYLOAD_API=localhost:" + std::to_string(f.port) + ")");
}

}  // namespace imsemu::cli
