// Allocation: a declarative spec that keeps game-server instances running.
//
// The control loop (control_loop.h) keeps `buffer_size` payloads Ready while
// the total stays within [min_payloads, max_payloads]. A deleted allocation
// drains: its unreserved payloads go at once, and it disappears when its last
// Reserved payload ends. `auto_ready` and `auto_reserve` are emulator options
// that stand in for a game server and for IMS's own local mock. Plain value
// types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/metadata.h"
#include "emulator/core/resources.h"
#include "ims_emulator/status.h"

namespace imsemu::core {

struct PortSpec {
  std::string name;
  int container_port = 0;
  std::string protocol = "UDP";  // UDP, TCP or TCPUDP
  // IMS's port_policy: DYNAMIC, the one policy IMS documents (a free host
  // port per payload, handed out by the emulator).
  std::string port_policy = "DYNAMIC";
  bool operator==(const PortSpec&) const = default;
};

// One of IMS's `environment_variables`.
struct EnvironmentVariable {
  std::string name;
  std::string value;
  bool operator==(const EnvironmentVariable&) const = default;
};

// What runs for each payload: a local `command` (the emulator's own field)
// or a container `image` (IMS's), never both; neither is a stand-in. The
// game server's environment is `env` (the emulator's map) and
// `environment_variables` (IMS's list) together; a name may be in one only.
struct PayloadSpec {
  std::string command;
  std::string image;
  std::vector<std::string> args;
  StringMap env;
  std::vector<EnvironmentVariable> environment_variables;
  std::vector<PortSpec> ports;
  Resources resources;
  // Whether a real game server runs (a process or a container).
  bool RunsGameServer() const { return !command.empty() || !image.empty(); }
  // `env` and `environment_variables` together.
  StringMap Environment() const;
  bool operator==(const PayloadSpec&) const = default;
};

// Makes a Ready payload Reserved by itself, as IMS's local mock does.
struct AutoReserve {
  Duration after{10000};
  StringMap labels;
  StringMap annotations;
  std::optional<std::string> session_config;
  bool operator==(const AutoReserve&) const = default;
};

inline constexpr int kDefaultMaxPayloads = 100000;

struct AllocationSpec {
  std::string name;
  StringMap annotations;
  StringMap labels;
  int buffer_size = 1;
  int min_payloads = 0;
  int max_payloads = kDefaultMaxPayloads;
  bool enabled = true;
  bool auto_ready = false;
  Duration auto_ready_delay{0};
  std::optional<AutoReserve> auto_reserve;
  PayloadSpec payload_spec;

  // The `session_type` annotation, or "" when absent.
  const std::string& SessionType() const;
  bool operator==(const AllocationSpec&) const = default;
};

// Returns InvalidArgument naming the field if `spec` breaks a rule: a name
// (optional) and port names (required) of at most 128 characters without
// control characters, metadata
// rules, non-negative sizes, min <= max, buffer <= max, unique port names,
// ports in 1..65535, protocol UDP|TCP|TCPUDP, port_policy DYNAMIC, no NUL
// in command, args or the environment, environment names non-empty without
// '=' and each given once (in env and environment_variables together),
// resources quantities as resources.h reads them,
// command or image, not both, and an image reference of at most 512
// characters without spaces or control characters that does not start
// with '-'.
Status ValidateAllocationSpec(const AllocationSpec& spec);

// IMS's allocation status: what the control loop is doing with it (the
// rules: StatusOf in control_loop.h; README "Allocation status").
enum class AllocationStatus {
  kNew,       // created; none of its game servers has been Ready yet
  kUpdating,  // reconciling after an edit
  kRunning,   // keeping its buffer
  kDraining,  // disabled or deleted: waiting for its Reserved payloads to end
  kStopped,   // enabled, with nothing to run (max_payloads 0, or no buffer and no floor)
  kDeleted,   // deleted and drained: listed for a while, then gone
  kError,     // its game servers keep failing (to start, or after Ready) and none is Ready
  kDisabled,  // disabled and drained
};
const char* AllocationStatusName(AllocationStatus status);
std::vector<std::string> AllocationStatusNameList();
std::optional<AllocationStatus> ParseAllocationStatus(std::string_view name);

struct Allocation {
  std::string id;
  std::string project_id;
  long long seq = 0;  // creation order across the world
  Time created;
  bool deleting = false;
  // When a deleted allocation's last payload ended: it stays listed, as
  // Deleted, until the world's keep_deleted has passed since.
  std::optional<Time> deleted;
  AllocationSpec spec;
  // One of its game servers has been Ready (New becomes Running).
  bool has_run = false;
  // Its game servers that failed (exited before Ready, or non-zero after
  // it) since one was last Ready.
  int failures = 0;
  // The status last journalled (the world journals each change).
  AllocationStatus status = AllocationStatus::kNew;
  // Its spec's revision: a replacement that changes what runs (the
  // payload_spec) makes the next, and rolls it out (`updating`) until no
  // unreserved payload of an older revision is left.
  int revision = 1;
  bool updating = false;
  // Game servers that exited non-zero after Ready, in a row: new payloads
  // wait in Creating for a back-off, so a crash loop costs little.
  int crash_streak = 0;
  Time last_crash;
  // Who has reserved its payloads: the guide wants a Session Manager
  // allocation used by the Session Manager alone.
  bool reserved_by_session_manager = false;
  bool reserved_by_orchestration = false;

  bool operator==(const Allocation&) const = default;
};

}  // namespace imsemu::core
