// EmulatorImpl: the whole emulated IMS in one object — world, store, clock, the
// main HTTP listener (orchestration, Session Manager, control API and the
// shared-port Payload Local API) and one listener per payload.
//
// The implementation of the public Emulator (ims_emulator/emulator.h), as
// leveldb's DBImpl is of DB: what main.cc runs and what our own tests and the
// scenario runner embed, with the internals they reach into. Start()
// returns a running emulator; Stop() (idempotent, also run by the destructor)
// closes every listener. Under the real clock a ticker applies due timers;
// under the virtual clock time moves only through AdvanceClock(). Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/lifecycle.h"
#include "emulator/core/world.h"
#include "emulator/http/faults.h"
#include "emulator/http/observers.h"
#include "emulator/http/session_auth.h"
#include "emulator/util/mutex.h"
#include "ims_emulator/emulator.h"
#include "ims_emulator/status.h"

namespace imsemu::http {
class ExchangeObserver;
}  // namespace imsemu::http

namespace imsemu {

namespace store {
class SqliteWorldStore;
struct Snapshot;
}  // namespace store
namespace scenario {
class Recorder;
}
namespace process {
class GameServerSupervisor;
class PortPicker;
}  // namespace process
namespace http {
class Faults;
class HttpServer;
struct AccessPolicy;
class ExchangeLog;
class GroupCommit;
class PayloadApiOutages;
class PayloadListeners;
class RequestIds;
}  // namespace http

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  core::Fixture fixture;
  // The fixture was chosen by the user (not the built-in default): resuming a
  // --state world, which ignores it, says so.
  bool fixture_given = false;
  bool virtual_clock = true;
  // Resuming a --state world: run on the clock it ran on, whatever
  // `virtual_clock` says (the CLI sets this when --clock is not given).
  bool keep_saved_clock = false;
  Time virtual_start = kDefaultVirtualStart;
  std::string state_path = ":memory:";
  // With a state file: each change is written to it after it is answered,
  // by a writer of its own (serve --state-writes behind), instead of before.
  bool state_writes_behind = false;
  // A snapshot file to start from instead of the fixture (serve --import);
  // its clock mode too, unless `keep_saved_clock` is false.
  std::string import_path;
  // Where `serve --record` writes the scenario of this session ("" = none).
  std::string record_path;
  bool record_overwrite = false;  // replace an existing record_path file
  // See every game-server and game-client call from the first one (before
  // any process starts); each must outlive the emulator. `ims-emulator
  // check` and the gtest harness watch here.
  std::vector<GameServerObserver*> game_server_observers;
  std::vector<GameClientObserver*> game_client_observers;
  // Told of each game-server process's end as the supervisor learns of it,
  // before the world is (`check` times exits with it). Any thread.
  std::function<void(const std::string& payload_id, const core::ProcessExit& exit)>
      on_game_server_exit;
  // See every request to every listener and its answer, refused ones
  // included (`check` keeps a game server's refused calls as evidence);
  // each must outlive the emulator.
  std::vector<http::ExchangeObserver*> exchange_observers;
  bool payload_listeners = true;  // each payload's own Payload Local API port
  // Binds every payload's listener to this port (the drop-in mode, whose
  // allocation has one payload at a time).
  std::optional<int> fixed_payload_port;
  http::SessionAuth auth;
  // Host names trusted besides loopback names and IP literals (--allowed-host).
  std::vector<std::string> allowed_hosts;
  // Whether an allocation created or replaced over HTTP may name a command
  // (a game server to start). Off: only the fixture's commands run.
  bool allow_http_commands = false;
  core::WorldOptions world;
  // Real game servers (allocations with payload_spec.command or .image):
  std::string log_dir;  // one log file per payload; "" = a folder under the temp dir
  Duration kill_grace = core::kSigtermGrace;      // SIGTERM -> SIGKILL, on the emulator's clock
  std::optional<std::pair<int, int>> game_ports;  // host port range; none: the OS picks
  // What runs payload_spec.image: "podman", "docker" or a path to either;
  // "" finds podman, then docker, on PATH.
  std::string container_runtime;
  // A file every request and answer is appended to, one JSON object a line
  // (http/exchange_log.h); "" = $IMSEMU_EXCHANGE_LOG, if set.
  std::string exchange_log;
};

class EmulatorImpl final : public Emulator {
 public:
  // Opens the store (resuming a --state world), loads the fixture into an
  // empty one and starts listening. Unavailable if a port cannot be bound;
  // InvalidArgument for a bad fixture; Internal for a bad state file.
  static StatusOr<std::unique_ptr<EmulatorImpl>> Start(EmulatorOptions options);
  ~EmulatorImpl() override;

  void Stop() override;
  // While Stop() waits for game servers to leave after SIGTERM, kills them
  // at once (a second Ctrl-C). Any thread.
  void KillGameServersNow();

  int port() const override;
  // "http://HOST:PORT"
  std::string base_url() const override;
  core::World& world() { return *world_; }
  // What resuming a --state world could not keep as it was, or ignored, in
  // words for the user (empty for a fresh world).
  const std::vector<std::string>& resume_notes() const { return resume_notes_; }
  const Clock& clock() const { return *clock_; }

  // Moves the virtual clock and applies everything due; FailedPrecondition
  // under the real clock, InvalidArgument for a negative duration.
  Status AdvanceClock(Duration d) override;
  // Back to the fixture.
  Status Reset() override;
  // The ORCHESTRATION_PAYLOAD_API value for `payload_id` (host:port, or
  // host:port/payloads/ID when it has no listener of its own).
  std::string PayloadApiOf(const std::string& payload_id) const override;
  std::vector<std::string> PayloadIds() override;
  std::vector<std::string> ProjectIds() override;
  void AddObserver(GameServerObserver* observer) override;
  void RemoveObserver(GameServerObserver* observer) override;
  void AddObserver(GameClientObserver* observer) override;
  void RemoveObserver(GameClientObserver* observer) override;
  http::Faults& faults() { return *faults_; }
  // The log file of a payload that runs a real game server.
  std::optional<std::string> LogFileOf(const std::string& payload_id) const;
  // Where real game servers' log files go.
  const std::string& log_dir() const { return options_.log_dir; }
  // Serves `bytes` as one connection's requests to the main port, in-process
  // and without a socket, and returns the bytes answered (the HTTP fuzzer).
  std::string TEST_ServeBytes(std::string_view bytes);
  // The pid of a payload's running game-server process.
  std::optional<int> PidOf(const std::string& payload_id) const;
  // SIGTERM to a payload's game server, the payload left as it is (see
  // GameServerSupervisor::AskToLeave).
  void AskGameServerToLeave(const std::string& payload_id);

  // --- Snapshots (emulator_snapshots.cc) ------------------------------------
  // The whole world, its clock and its journal as a snapshot file's text.
  std::string ExportWorld();
  // Replaces the world with the one in a snapshot file; the virtual clock
  // moves to its time. The journal is history: it goes on. Game servers of
  // the old world are stopped; processes are not started for the new one.
  Status ImportWorld(const std::string& path);
  // Named in-memory snapshots (for tests): taking one replaces one of the
  // same name; restoring is an import from memory. NotFound for an unknown
  // name; InvalidArgument for an empty or over-long one.
  Status TakeSnapshot(const std::string& name);
  Status RestoreSnapshot(const std::string& name);
  // {name, the world's time when taken}, by name.
  std::vector<std::pair<std::string, Time>> SnapshotList();

 private:
  explicit EmulatorImpl(EmulatorOptions options);
  Status Open();
  void Tick();
  // Reconciles the world and brings up the Payload Local APIs that are due.
  void Reconcile(bool save_clock);
  // Picks the clock (a resumed or imported world's own unless the options
  // choose), saves the choice, and notes what a resume could not keep.
  Status ChooseClock(const store::Snapshot* import);
  // Opens the recorder of --record and shows it every exchange.
  Status StartRecording();
  // `observer` sees every exchange of the main port and of each payload's.
  void ObserveExchanges(http::ExchangeObserver* observer);
  // Puts a snapshot file's faults in force (at start, with --import).
  Status ImportFaults(const store::Snapshot& snapshot);
  // A world as a snapshot keeps it: the world's image and the faults in force.
  struct SavedWorld {
    core::WorldImage image;
    std::vector<http::Fault> faults;
  };
  // Puts the faults back, sets the virtual clock to the image's time and
  // restores the world; a refusal changes nothing.
  Status RestoreImage(const SavedWorld& saved, const std::string& detail);

  EmulatorOptions options_;
  std::vector<std::string> resume_notes_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<core::WorldStore> store_;
  std::unique_ptr<core::World> world_;
  std::unique_ptr<http::RequestIds> request_ids_;
  std::unique_ptr<http::GameServerCalls> game_server_calls_;
  std::unique_ptr<http::GameClientCalls> game_client_calls_;
  std::unique_ptr<http::AccessPolicy> access_;
  std::unique_ptr<http::Faults> faults_;
  // Sees every exchange of the listeners below, so it outlives them.
  std::unique_ptr<http::ExchangeLog> exchange_log_;
  // Follow World::TakePayloadApiDown: the shared port answers 503, and an
  // own listener closes.
  std::unique_ptr<http::PayloadApiOutages> outages_;
  std::unique_ptr<http::PayloadListeners> listeners_;
  std::unique_ptr<process::PortPicker> port_picker_;
  std::unique_ptr<process::GameServerSupervisor> supervisor_;
  // Brackets the main port's requests when the state is in a file.
  std::unique_ptr<http::GroupCommit> group_commit_;
  std::unique_ptr<http::HttpServer> server_;
  std::unique_ptr<scenario::Recorder> recorder_;
  class RecordingObserver;
  std::unique_ptr<RecordingObserver> recording_;
  Mutex ticker_mu_;
  CondVar ticker_wake_{ticker_mu_};
  bool stopping_ IMSEMU_GUARDED_BY(ticker_mu_) = false;
  std::thread ticker_;
  Mutex snapshots_mu_;
  std::map<std::string, SavedWorld> snapshots_ IMSEMU_GUARDED_BY(snapshots_mu_);
};

}  // namespace imsemu
