#include "emulator/emulator.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/http/control_api.h"
#include "emulator/http/dashboard.h"
#include "emulator/http/exchange_log.h"
#include "emulator/http/faults.h"
#include "emulator/http/group_commit.h"
#include "emulator/http/http_server.h"
#include "emulator/http/orchestration_api.h"
#include "emulator/http/payload_api_outages.h"
#include "emulator/http/payload_listeners.h"
#include "emulator/http/payload_local_api.h"
#include "emulator/http/request_checks.h"
#include "emulator/http/session_manager_api.h"
#include "emulator/http/snapshot_api.h"
#include "emulator/process/game_server_supervisor.h"
#include "emulator/process/port_picker.h"
#include "emulator/process/startable.h"
#include "emulator/scenario/recorder.h"
#include "emulator/store/memory_world_store.h"
#include "emulator/store/snapshot_file.h"
#include "emulator/store/write_behind_store.h"
#include "emulator/util/api_routes.h"
#include "emulator/util/rfc3339.h"

namespace imsemu {
namespace {

// The main port serves many clients at once (32 concurrent game clients in
// the benchmarks); idle workers cost little.
// Requests the main port serves at once. Idle keep-alive connections hold no
// worker; a request that starts and stalls holds one for the read timeout.
constexpr size_t kMainThreads = 256;
// Where a process on this machine reaches a listener on every address.
constexpr const char* kLoopback = "127.0.0.1";

// The address game servers are given for a listener on `host`.
std::string ReachableHost(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host.empty() ? kLoopback : host;
}
// Under the real clock, how often due timers are applied without a request.
constexpr std::chrono::milliseconds kTickInterval{20};

}  // namespace

Emulator::~Emulator() = default;

StatusOr<std::unique_ptr<Emulator>> Emulator::Start(const EmulatorConfig& config) {
  EmulatorOptions options;
  StatusOr<core::Fixture> fixture = codec::DefaultFixture();
  if (!config.fixture_json.empty() && !config.fixture_file.empty()) {
    return InvalidArgument("give fixture_json or fixture_file, not both");
  }
  if (!config.fixture_json.empty()) {
    StatusOr<nlohmann::json> json =
        codec::ParseJson(config.fixture_json, nlohmann::json(), "fixture_json");
    fixture = json.ok() ? codec::FixtureFromJson(*json) : StatusOr<core::Fixture>(json.status());
  } else if (!config.fixture_file.empty()) {
    fixture = codec::LoadFixtureFile(config.fixture_file);
  }
  if (!fixture.ok()) return InvalidArgument("fixture: " + fixture.status().message());
  std::optional<core::StatusCacheMode> mode = core::ParseStatusCacheMode(config.status_cache);
  if (!mode) return InvalidArgument("status_cache must be periodic, delay or off");
  if (config.status_cache_ttl.count() < 0) return InvalidArgument("status_cache_ttl must be >= 0");
  options.fixture = *std::move(fixture);
  options.virtual_clock = config.virtual_clock;
  options.world.seed = config.seed;
  options.world.status_cache.mode = *mode;
  options.world.status_cache.ttl = config.status_cache_ttl;
  options.payload_listeners = !config.shared_port;
  options.state_path = config.state_path;
  options.host = config.host;
  options.port = config.port;
  options.game_server_observers = config.game_server_observers;
  options.game_client_observers = config.game_client_observers;
  IMSEMU_ASSIGN_OR_RETURN(std::unique_ptr<EmulatorImpl> started,
                          EmulatorImpl::Start(std::move(options)));
  return std::unique_ptr<Emulator>(std::move(started));
}

EmulatorImpl::EmulatorImpl(EmulatorOptions options) : options_(std::move(options)) {}

EmulatorImpl::~EmulatorImpl() { Stop(); }

StatusOr<std::unique_ptr<EmulatorImpl>> EmulatorImpl::Start(EmulatorOptions options) {
  std::unique_ptr<EmulatorImpl> emulator(new EmulatorImpl(std::move(options)));
  Status s = emulator->Open();
  if (!s.ok()) {
    emulator->Stop();
    return s;
  }
  return emulator;
}

Status EmulatorImpl::ChooseClock(const store::Snapshot* import) {
  const bool resumed = store_->HoldsWorld();
  if (import && resumed) {
    return FailedPrecondition("--import: the state file '" + options_.state_path +
                              "' already holds a world; import into a new --state file or "
                              ":memory:");
  }
  std::optional<std::string> saved_mode = store_->GetMeta("clock");
  std::optional<std::string> saved_now = store_->GetMeta("now");
  if (import) {  // an imported world is resumed from its file
    saved_mode = import->virtual_clock ? "virtual" : "real";
    saved_now = std::to_string(import->image.now.time_since_epoch().count());
  }
  const Time saved_time = saved_now ? Time(Duration(std::stoll(*saved_now))) : Time();
  bool virtual_clock = options_.virtual_clock;
  if ((resumed || import) && saved_mode) {
    const bool saved_virtual = *saved_mode == "virtual";
    if (options_.keep_saved_clock) {
      virtual_clock = saved_virtual;
    } else if (saved_virtual && !virtual_clock) {
      resume_notes_.push_back("the saved world ran on the virtual clock at " +
                              FormatRfc3339(saved_time) +
                              "; --clock real moves it to the present (its timers fall due now)");
    } else if (!saved_virtual && virtual_clock) {
      resume_notes_.push_back(
          "the saved world ran on the real clock; --clock virtual stops time at the saved "
          "moment, moved only by POST /emulator/v0/clock/advance");
    }
  }
  if ((resumed || import) && options_.fixture_given) {
    resume_notes_.push_back(std::string("--fixture is ignored: ") +
                            (import ? "--import gives the world" : "the state file holds a world") +
                            " (POST /emulator/v0/reset loads the fixture)");
  }
  if (virtual_clock) {
    // A resumed world goes on from the time it was left at.
    const Time start =
        saved_now ? std::max(options_.virtual_start, saved_time) : options_.virtual_start;
    clock_ = std::make_unique<VirtualClock>(start);
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
  store_->Begin();
  store_->PutMeta("clock", virtual_clock ? "virtual" : "real");
  IMSEMU_RETURN_IF_ERROR(store_->Commit());
  for (const std::string& note : resume_notes_) spdlog::warn("resume: {}", note);
  return OkStatus();
}

Status EmulatorImpl::Open() {
  // spdlog builds its registry on first use; build it here, before any of
  // our threads starts, so that every thread sees it built (ThreadSanitizer
  // cannot see the library's own guard).
  (void)spdlog::default_logger_raw();
  // Without a state file the world lives in memory alone, indexed for its
  // queries; with one, in memory too, written behind to SQLite at each commit
  // (a file that a restart resumes).
  const bool in_memory = options_.state_path == ":memory:" || options_.state_path.empty();
  if (in_memory) {
    store_ = std::make_unique<store::MemoryWorldStore>();
  } else {
    IMSEMU_ASSIGN_OR_RETURN(
        store_, store::WriteBehindStore::Open(options_.state_path, /*events_in_memory=*/100000,
                                              options_.state_writes_behind
                                                  ? store::FileWrites::kBehind
                                                  : store::FileWrites::kBeforeAnswer));
  }

  std::optional<store::Snapshot> import;
  if (!options_.import_path.empty()) {
    IMSEMU_ASSIGN_OR_RETURN(import, store::ReadSnapshotFile(options_.import_path));
  }
  IMSEMU_RETURN_IF_ERROR(ChooseClock(import ? &*import : nullptr));

  port_picker_ = std::make_unique<process::PortPicker>(options_.game_ports);
  options_.world.pick_game_port = [picker = port_picker_.get()] { return picker->Pick(); };
  if (options_.payload_listeners && !options_.fixed_payload_port) {
    options_.world.pick_api_port = [] { return process::PortPicker::FreeTcpPort(); };
  }
  // A commit to a file is a write: concurrent requests' changes share one
  // (written behind, a commit only queues its writes: the writer batches them).
  options_.world.group_commit = !in_memory && !options_.state_writes_behind;
  world_ = std::make_unique<core::World>(*store_, *clock_, options_.world);
  world_->SetEventSink([](const core::Event& e) {
    if (e.level == core::EventLevel::kWarning) {
      spdlog::warn("{}: {}", core::EventKindName(e.kind), e.detail);
    } else if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("{} {} {}{}{} {}", core::EventKindName(e.kind),
                    e.payload_id.empty() ? e.allocation_id : e.payload_id, e.old_state,
                    e.old_state.empty() ? "" : " -> ", e.new_state, e.detail);
    }
  });
  request_ids_ = std::make_unique<http::RequestIds>();
  game_server_calls_ = std::make_unique<http::GameServerCalls>();
  for (GameServerObserver* o : options_.game_server_observers) game_server_calls_->Add(o);
  game_client_calls_ = std::make_unique<http::GameClientCalls>();
  for (GameClientObserver* o : options_.game_client_observers) game_client_calls_->Add(o);
  faults_ = std::make_unique<http::Faults>(options_.world.seed);
  access_ = std::make_unique<http::AccessPolicy>();
  for (const std::string& name : options_.allowed_hosts) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    access_->allowed_hosts.push_back(lower);
  }
  outages_ = std::make_unique<http::PayloadApiOutages>(*faults_);
  world_->AddObserver(outages_.get());
  if (options_.payload_listeners) {
    listeners_ = std::make_unique<http::PayloadListeners>(
        *world_, *request_ids_, *game_server_calls_, *access_, faults_.get(), options_.host,
        options_.fixed_payload_port);
    world_->AddObserver(listeners_.get());
  }

  if (options_.log_dir.empty()) {
    options_.log_dir =
        (std::filesystem::temp_directory_path() / ("ims-emulator-" + std::to_string(getpid())))
            .string();
  }
  process::SupervisorOptions supervisor;
  supervisor.log_dir = options_.log_dir;
  supervisor.grace = options_.kill_grace;
  supervisor.container_runtime = options_.container_runtime;
  supervisor.publish_address = options_.host.empty() ? kLoopback : options_.host;
  supervisor.pass_on_exit = [this](const std::string& payload_id, const core::ProcessExit& exit,
                                   const std::function<bool()>& apply) {
    if (options_.on_game_server_exit) options_.on_game_server_exit(payload_id, exit);
    if (!recorder_) {
      apply();
      return;
    }
    recorder_->Hold();
    // A replay exits through the control API, which takes a shell's code.
    if (apply()) recorder_->RecordExit(payload_id, exit.ShellCode(), clock_->Now());
    recorder_->Release();
  };
  supervisor_ = std::make_unique<process::GameServerSupervisor>(
      *world_, *clock_, supervisor, [this](const std::string& id) { return PayloadApiOf(id); });
  world_->AddObserver(supervisor_.get());

  server_ =
      std::make_unique<http::HttpServer>(*request_ids_, kMainThreads, *access_, faults_.get());
  if (options_.world.group_commit) {
    group_commit_ = std::make_unique<http::GroupCommit>(*world_);
    server_->BracketRequests(group_commit_.get());
  }
  if (options_.exchange_log.empty()) {
    if (const char* env = std::getenv("IMSEMU_EXCHANGE_LOG")) options_.exchange_log = env;
  }
  if (!options_.exchange_log.empty()) {
    IMSEMU_ASSIGN_OR_RETURN(exchange_log_, http::ExchangeLog::Open(options_.exchange_log));
    ObserveExchanges(exchange_log_.get());
  }
  for (http::ExchangeObserver* observer : options_.exchange_observers) ObserveExchanges(observer);
  httplib::Server& routes = server_->routes();
  http::ProcessPolicy processes;
  processes.allow_commands = options_.allow_http_commands;
  processes.can_start = [runtime = options_.container_runtime](const core::AllocationSpec& spec) {
    return process::CheckStartable(spec, runtime);
  };
  http::MountOrchestrationApi(routes, *world_, *request_ids_, std::move(processes));
  http::MountSessionManagerApi(routes, *world_, *request_ids_, options_.auth, *game_client_calls_);
  http::MountPayloadLocalApi(routes, *world_, *request_ids_, *game_server_calls_,
                             routes::Pattern(routes::kSharedPayloadPrefix),
                             [](const httplib::Request& req) { return req.matches[1].str(); });
  http::ControlHooks hooks;
  hooks.clock = clock_.get();
  hooks.advance_clock = [this](Duration d) { return AdvanceClock(d); };
  hooks.reset = [this] { return Reset(); };
  hooks.payload_api_of = [this](const std::string& id) { return PayloadApiOf(id); };
  hooks.payload_api_down = [this](const std::string& id, Duration d) {
    return world_->TakePayloadApiDown(id, d);
  };
  hooks.faults = faults_.get();
  hooks.log_file_of = [this](const std::string& id) { return LogFileOf(id); };
  hooks.pid_of = [this](const std::string& id) { return PidOf(id); };
  hooks.stopping = [this] {
    MutexLock lock(ticker_mu_);
    return stopping_;
  };
  http::MountControlApi(routes, *world_, *request_ids_, std::move(hooks));
  http::SnapshotHooks snapshots;
  snapshots.clock = clock_.get();
  snapshots.export_world = [this] { return ExportWorld(); };
  snapshots.import_world = [this](const std::string& path) { return ImportWorld(path); };
  snapshots.take_snapshot = [this](const std::string& name) { return TakeSnapshot(name); };
  snapshots.restore_snapshot = [this](const std::string& name) { return RestoreSnapshot(name); };
  snapshots.snapshots = [this] { return SnapshotList(); };
  http::MountSnapshotApi(routes, *request_ids_, std::move(snapshots));
  http::MountDashboard(routes);

  if (!options_.record_path.empty()) IMSEMU_RETURN_IF_ERROR(StartRecording());

  // The main port is bound first: shared-port ORCHESTRATION_PAYLOAD_API values
  // handed to the fixture's game servers name it.
  IMSEMU_RETURN_IF_ERROR(server_->Bind(options_.host, options_.port));
  access_->main_port = server_->port();
  if (import) IMSEMU_RETURN_IF_ERROR(ImportFaults(*import));
  IMSEMU_RETURN_IF_ERROR(import ? world_->OpenFrom(import->image, import->journal)
                                : world_->Open(options_.fixture));
  if (listeners_) {
    for (std::string& moved : listeners_->TakeMoved()) {
      resume_notes_.push_back(std::move(moved));
    }
  }
  if (options_.fixed_payload_port) {
    core::WorldSnapshot snapshot = world_->Snapshot();
    if (snapshot.payloads.empty() || !listeners_ ||
        !listeners_->PortOf(snapshot.payloads.front().id)) {
      return {StatusCode::kUnavailable, "cannot serve the Payload Local API on port " +
                                            std::to_string(*options_.fixed_payload_port) +
                                            " (address in use?)"};
    }
  }
  server_->Serve();
  if (!clock_->IsVirtual()) ticker_ = std::thread([this] { Tick(); });
  return OkStatus();
}

// Shows the recorder every call it replays, one at a time.
class EmulatorImpl::RecordingObserver final : public http::ExchangeObserver {
 public:
  RecordingObserver(scenario::Recorder& recorder, const Clock& clock)
      : recorder_(recorder), clock_(clock) {}

  // Holds the recorder's turn from here to OnAnswer (on this thread).
  bool OnRequest(const std::string& payload_id,
                 const httplib::Request& req) override IMSEMU_NO_THREAD_SAFETY_ANALYSIS {
    if (!scenario::Recorder::Replays(req.method, req.path, !payload_id.empty())) return false;
    recorder_.Hold();
    return true;
  }

  void OnAnswer(const std::string& payload_id, const httplib::Request& req,
                const httplib::Response& res,
                bool refused) override IMSEMU_NO_THREAD_SAFETY_ANALYSIS {
    // Released however this ends: a turn held forever stops every later call.
    struct Turn {
      scenario::Recorder& recorder;
      ~Turn() IMSEMU_NO_THREAD_SAFETY_ANALYSIS { recorder.Release(); }
    } turn{recorder_};
    if (!refused) {  // refused by the request checks: nobody's call to replay
      scenario::RecordedCall call;
      call.payload_id = payload_id;
      call.method = req.method;
      call.path = req.path;
      for (const auto& [key, value] : req.params) call.query.emplace(key, value);
      call.has_authorization = req.has_header("Authorization");
      call.body = req.body;
      call.status = res.status;
      call.response_body = res.body;
      recorder_.Record(call, clock_.Now());
    }
  }

 private:
  scenario::Recorder& recorder_;
  const Clock& clock_;
};

Status EmulatorImpl::StartRecording() {
  if (store_->HoldsWorld() || !options_.import_path.empty()) {
    return FailedPrecondition(
        "--record starts from the fixture: it cannot record a world resumed from --state or "
        "--import");
  }
  scenario::RecordingWorld world;
  world.fixture = options_.fixture;
  world.seed = options_.world.seed;
  world.virtual_clock = clock_->IsVirtual();
  world.status_cache = options_.world.status_cache;
  for (const core::ProjectFixture& project : options_.fixture.projects) {
    for (const core::AllocationFixture& a : project.allocations) {
      world.real_game_servers |= a.spec.payload_spec.RunsGameServer();
    }
  }
  IMSEMU_ASSIGN_OR_RETURN(recorder_,
                          scenario::Recorder::Open(options_.record_path, options_.record_overwrite,
                                                   std::move(world), clock_->Now()));
  recording_ = std::make_unique<RecordingObserver>(*recorder_, *clock_);
  ObserveExchanges(recording_.get());
  return OkStatus();
}

void EmulatorImpl::Tick() {
  while (true) {
    {
      MutexLock lock(ticker_mu_);
      if (!stopping_) ticker_wake_.WaitFor(kTickInterval);
      if (stopping_) return;
    }
    Reconcile(/*save_clock=*/false);
  }
}

void EmulatorImpl::Stop() {
  {
    MutexLock lock(ticker_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  ticker_wake_.SignalAll();
  if (ticker_.joinable()) ticker_.join();
  if (server_) server_->Stop();
  if (world_) world_->ClearObservers();
  // Stopping does not wait on the (possibly virtual) clock: the grace is real
  // time here.
  if (supervisor_) supervisor_->StopAll(options_.kill_grace);
  if (listeners_) listeners_->StopAll();
}

std::string EmulatorImpl::TEST_ServeBytes(std::string_view bytes) {
  return server_->ServeBytes(bytes);
}

void EmulatorImpl::KillGameServersNow() {
  if (supervisor_) supervisor_->KillNow();
}

int EmulatorImpl::port() const { return server_ ? server_->port() : 0; }

std::string EmulatorImpl::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(port());
}

Status EmulatorImpl::AdvanceClock(Duration d) {
  auto* virtual_clock = dynamic_cast<VirtualClock*>(clock_.get());
  if (virtual_clock == nullptr) {
    return FailedPrecondition(
        "the clock is real; start the emulator with --clock virtual "
        "to advance it");
  }
  if (d.count() < 0) return InvalidArgument("seconds must be >= 0");
  virtual_clock->AdvanceBy(d);
  Reconcile(/*save_clock=*/true);
  return OkStatus();
}

void EmulatorImpl::Reconcile(bool save_clock) {
  if (save_clock) {
    world_->ReconcileAndSaveClock();
  } else {
    world_->Reconcile();
  }
}

std::optional<std::string> EmulatorImpl::LogFileOf(const std::string& payload_id) const {
  return supervisor_ ? supervisor_->LogPathOf(payload_id) : std::nullopt;
}

std::optional<int> EmulatorImpl::PidOf(const std::string& payload_id) const {
  if (!supervisor_) return std::nullopt;
  std::optional<pid_t> pid = supervisor_->PidOf(payload_id);
  return pid ? std::optional<int>(*pid) : std::nullopt;
}

void EmulatorImpl::AskGameServerToLeave(const std::string& payload_id) {
  if (supervisor_) supervisor_->AskToLeave(payload_id);
}

void EmulatorImpl::ObserveExchanges(http::ExchangeObserver* observer) {
  server_->ObserveExchanges(observer);
  if (listeners_) listeners_->ObserveExchanges(observer);
}

Status EmulatorImpl::Reset() { return world_->Reset(options_.fixture); }

std::vector<std::string> EmulatorImpl::ProjectIds() { return world_->Snapshot().projects; }

void EmulatorImpl::AddObserver(GameServerObserver* observer) { game_server_calls_->Add(observer); }

void EmulatorImpl::RemoveObserver(GameServerObserver* observer) {
  game_server_calls_->Remove(observer);
}

void EmulatorImpl::AddObserver(GameClientObserver* observer) { game_client_calls_->Add(observer); }

void EmulatorImpl::RemoveObserver(GameClientObserver* observer) {
  game_client_calls_->Remove(observer);
}

std::vector<std::string> EmulatorImpl::PayloadIds() {
  std::vector<std::string> ids;
  for (const core::Payload& p : world_->Snapshot().payloads) ids.push_back(p.id);
  return ids;
}

std::string EmulatorImpl::PayloadApiOf(const std::string& payload_id) const {
  if (listeners_) {
    if (std::optional<int> port = listeners_->PortOf(payload_id)) {
      return ReachableHost(options_.host) + ":" + std::to_string(*port);
    }
  }
  const std::string host = ReachableHost(options_.host);
  return host + ":" + std::to_string(port()) + "/payloads/" + payload_id;
}

}  // namespace imsemu
