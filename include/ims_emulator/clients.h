// Clients: what a game client, a game server and a test say to the emulator
// (or to the real services), typed, returning status-or-value results.
//
// - SessionManagerClient: a game client's Create and List Sessions.
// - PayloadClient: a game server's Payload Local API, built from the value of
//   ORCHESTRATION_PAYLOAD_API ("host:port", or "host:port/payloads/ID" on the
//   emulator's shared port).
// - ControlClient: the emulator's whole control API (clock, state, journal,
//   faults, API outages, snapshots, export/import, forced states).
//
// An error answer becomes a Status whose code follows the HTTP status (400
// InvalidArgument, 401 Unauthenticated, 403 PermissionDenied, 404 NotFound,
// 409 and 412 FailedPrecondition, 429 ResourceExhausted, 503 Unavailable,
// others Internal) and whose message is the API's own, followed by
// " (HTTP nnn)"; no answer at all is Unavailable. Each client keeps one
// keep-alive connection; a client is not thread-safe (use one per thread).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ims_emulator/status.h"
#include "ims_emulator/types.h"

namespace imsemu {

struct NamedPort {
  std::string name;
  int port = 0;
};

// What Create Session answers: where the game server is.
struct CreatedSession {
  std::string id;
  std::string address;
  std::vector<NamedPort> ports;
};

// One entry of List Sessions.
struct SessionInfo {
  std::string id;
  std::string address;
  std::vector<NamedPort> ports;
  StringMap session_status;
};

// What Get Payload Details answers.
struct PayloadInfo {
  std::string id;
  std::string allocation_id;
  std::string state;    // "Starting", "Ready", "Reserved", ...
  std::string details;  // e.g. an exit code, in Error
  std::string address;
  std::vector<NamedPort> ports;
  StringMap labels;
  StringMap annotations;
};

// The emulator's clock (GET /emulator/v0/clock).
struct ClockInfo {
  bool is_virtual = false;
  std::string now;  // RFC 3339
  long long unix_ms = 0;
  // The earliest armed deadline (a timer, or the status cache's next refresh
  // that changes what clients see); nullopt when nothing is due.
  std::optional<std::string> next_timer;
};

struct AllocationInfo {
  std::string id;
  std::string project_id;
  std::string name;
  std::string session_type;  // its session_type annotation
  std::string state;         // "active", "disabled", "draining"
  int buffer_size = 0;
  int min_payloads = 0;
  int max_payloads = 0;
  // Its payload_spec names a command or an image: its payloads run as
  // game-server processes, which act on the world by themselves.
  bool runs_game_servers = false;
};

// A payload as the emulator sees it (GET /emulator/v0/state).
struct WorldPayload {
  PayloadInfo info;
  std::string payload_api;  // its ORCHESTRATION_PAYLOAD_API
  std::string state_since;  // RFC 3339
};

// A session (a Reserved payload) and the status cache's view of it.
struct WorldSession {
  std::string id;
  std::string session_type;
  StringMap session_status;  // what the game server set last
  StringMap clients_see;     // what List Sessions shows now
  // While the two differ: when clients will see the latest (RFC 3339).
  std::optional<std::string> clients_see_latest_at;
};

// The whole world now (GET /emulator/v0/state), for assertions and waits.
struct WorldState {
  ClockInfo clock;
  std::vector<std::string> projects;  // their ids
  std::vector<AllocationInfo> allocations;
  std::vector<WorldPayload> payloads;  // oldest first
  std::vector<WorldSession> sessions;

  // nullptr when there is none of that id.
  const WorldPayload* FindPayload(const std::string& id) const;
  const WorldSession* FindSession(const std::string& id) const;
  // How many payloads are in `state` ("Ready", ...).
  int CountInState(const std::string& state) const;
};

// One journal entry (GET /emulator/v0/events): a state change, a session
// created (a payload Reserved by the session-manager actor), a status set.
struct JournalEvent {
  long long seq = 0;
  std::string time;  // RFC 3339
  std::string level;
  std::string actor;  // "game-server", "session-manager", "control", ...
  std::string kind;   // "payload.state", "session.status", ...
  std::string project_id;
  std::string allocation_id;
  std::string payload_id;
  std::string old_state;
  std::string new_state;
  std::string detail;

  // "seq time kind payload old -> new detail", as failure messages show it.
  std::string ToString() const;
};

// A fault to inject into the emulator's APIs (POST /emulator/v0/faults).
struct FaultSpec {
  // "any", "payload-local", "session-manager", "orchestration" or "control".
  std::string api = "any";
  std::string method;  // "" = any
  std::string path;    // a regex over the request path ("" = any)
  int status = 0;      // 400..599; 0 = no error (a delay alone)
  std::chrono::milliseconds delay{0};
  std::optional<int> times;  // how many matching calls; none = every one
  double probability = 1.0;
  std::string message;  // the error's message ("" = a default)
};

struct FaultInfo {
  std::string id;
  FaultSpec spec;
  long long matched = 0;
  long long fired = 0;
};

class SessionManagerClient {
 public:
  // `base_url` like "http://127.0.0.1:9350"; `authorization` is the whole
  // Authorization header value.
  SessionManagerClient(const std::string& base_url, std::string project,
                       std::string authorization = "Bearer secret-token:playfab/player");
  ~SessionManagerClient();
  SessionManagerClient(SessionManagerClient&&) noexcept;
  SessionManagerClient& operator=(SessionManagerClient&&) noexcept;

  // Reserves a Ready payload of the allocation serving `session_type`;
  // `config` is the session config (none: no config).
  StatusOr<CreatedSession> CreateSession(const std::string& session_type,
                                         const std::optional<std::string>& config = {});
  StatusOr<std::vector<SessionInfo>> ListSessions(const std::string& session_type);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PayloadClient {
 public:
  // `payload_api` is an ORCHESTRATION_PAYLOAD_API value.
  explicit PayloadClient(const std::string& payload_api);
  // From the environment variable ORCHESTRATION_PAYLOAD_API; FailedPrecondition
  // if it is not set.
  static StatusOr<PayloadClient> FromEnvironment();
  ~PayloadClient();
  PayloadClient(PayloadClient&&) noexcept;
  PayloadClient& operator=(PayloadClient&&) noexcept;

  StatusOr<PayloadInfo> GetPayload();
  Status Ready();
  Status SetLabel(const std::string& key, const std::string& value);
  Status SetAnnotation(const std::string& key, const std::string& value);
  // The session config a client sent; nullopt when the payload has none.
  StatusOr<std::optional<std::string>> GetConfig();
  StatusOr<StringMap> GetStatus();
  Status SetStatus(const StringMap& status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ControlClient {
 public:
  explicit ControlClient(const std::string& base_url);
  ~ControlClient();
  ControlClient(ControlClient&&) noexcept;
  ControlClient& operator=(ControlClient&&) noexcept;

  // Moves the virtual clock (FailedPrecondition under the real clock).
  Status AdvanceClock(std::chrono::milliseconds d);
  Status Reset();
  // As if the payload's game-server process exited with `code` (0..255).
  Status ExitPayload(const std::string& payload_id, int code);
  // Forces a state ("Ready", "Error", ...), for reproducing a bug.
  Status ForceState(const std::string& payload_id, const std::string& state);
  // The session config a client sent to `payload_id` (nullopt: none).
  StatusOr<std::optional<std::string>> SessionConfigOf(const std::string& payload_id);
  // The journal after event `after`, one line an event ("seq time kind
  // payload old -> new detail"), for failure messages.
  StatusOr<std::vector<std::string>> Journal(long long after = 0);
  // The same, typed: every event after `after`, oldest first.
  StatusOr<std::vector<JournalEvent>> Events(long long after = 0);

  StatusOr<ClockInfo> Clock();
  // Moves the virtual clock exactly to the next armed deadline
  // (FailedPrecondition when none is armed, or under the real clock).
  Status AdvanceToNextTimer();
  StatusOr<WorldState> State();
  // The last `lines` lines of a game-server process's log.
  StatusOr<std::vector<std::string>> PayloadLog(const std::string& payload_id, int lines = 50);

  // Faults: the id of the fault added; every fault now; clear them all.
  StatusOr<std::string> AddFault(const FaultSpec& fault);
  StatusOr<std::vector<FaultInfo>> Faults();
  Status ClearFaults();
  // The payload's Payload Local API answers 503 for `d` (emulator time).
  Status TakePayloadApiDown(const std::string& payload_id, std::chrono::milliseconds d);

  // Named in-memory snapshots of the world and its clock.
  Status TakeSnapshot(const std::string& name);
  Status RestoreSnapshot(const std::string& name);
  StatusOr<std::vector<std::string>> Snapshots();
  // The whole world as a snapshot file's text (`ims-emulator export`), and
  // back: Import() replaces the world with the file at `path`, which the
  // emulator reads (so a path on the emulator's machine).
  StatusOr<std::string> Export();
  Status Import(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsemu
