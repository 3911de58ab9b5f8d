// Clients: what a game client, a game server and a test say to the emulator
// (or to the real services), typed, returning status-or-value results.
//
// - SessionManagerClient: a game client's Create and List Sessions.
// - PayloadClient: a game server's Payload Local API, built from the value of
//   ORCHESTRATION_PAYLOAD_API ("host:port", or "host:port/payloads/ID" on the
//   emulator's shared port).
// - ControlClient: the emulator's control API (clock, faults, forced states).
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsemu
