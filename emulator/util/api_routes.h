// The calls of every API the emulator serves, each once: its method and its
// path template ("{name}" stands for one path segment). The HTTP adapters
// mount their handlers on them, the clients and the scenario steps build
// their requests from them, and the recorder reads recorded requests back
// with them. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imsemu::routes {

struct Route {
  const char* method;
  const char* path;  // template
};

// Every call, as X(name, method, path template): one list, from which the
// constants below and kAllRoutes are made.
// clang-format off
#define IMSEMU_API_ROUTES(X) \
  /* --- Payload Local API (a payload's own port, or /payloads/{id} on the main) */ \
  X(kGetPayload, "GET", "/api/v0/payload") \
  X(kReady, "POST", "/api/v0/ready") \
  X(kSetLabel, "PUT", "/api/v0/metadata/label") \
  X(kSetAnnotation, "PUT", "/api/v0/metadata/annotation") \
  X(kGetConfig, "GET", "/api/v0/session-manager/config") \
  X(kGetStatus, "GET", "/api/v0/session-manager/status") \
  X(kSetStatus, "POST", "/api/v0/session-manager/status") \
  /* --- Session Manager (session_type in the query) */ \
  X(kCreateSession, "POST", "/api/v0/projects/{project}/sessions") \
  X(kListSessions, "GET", "/api/v0/projects/{project}/sessions") \
  /* --- Orchestration */ \
  X(kListAllocations, "GET", "/api/v0/projects/{project}/allocations") \
  X(kCreateAllocation, "POST", "/api/v0/projects/{project}/allocations") \
  X(kGetAllocation, "GET", "/api/v0/projects/{project}/allocations/{allocation}") \
  X(kReplaceAllocation, "PUT", "/api/v0/projects/{project}/allocations/{allocation}") \
  X(kDeleteAllocation, "DELETE", "/api/v0/projects/{project}/allocations/{allocation}") \
  X(kListPayloads, "GET", "/api/v0/projects/{project}/allocations/{allocation}/payloads") \
  X(kGetPayloadOf, "GET", "/api/v0/projects/{project}/allocations/{allocation}/payloads/{payload}") \
  X(kDeletePayload, "DELETE", "/api/v0/projects/{project}/allocations/{allocation}/payloads/{payload}") \
  X(kSetPayloadLabel, "PUT", "/api/v0/projects/{project}/allocations/{allocation}/payloads/{payload}/metadata/label") \
  X(kSetPayloadAnnotation, "PUT", "/api/v0/projects/{project}/allocations/{allocation}/payloads/{payload}/metadata/annotation") \
  X(kReserve, "POST", "/api/v0/projects/{project}/allocations/{allocation}/reservations") \
  /* --- Control (the emulator's own) */ \
  X(kHealth, "GET", "/emulator/v0/health") \
  X(kOpenApi, "GET", "/emulator/v0/openapi.json") \
  X(kGetClock, "GET", "/emulator/v0/clock") \
  X(kAdvanceClock, "POST", "/emulator/v0/clock/advance") \
  X(kReset, "POST", "/emulator/v0/reset") \
  X(kGetState, "GET", "/emulator/v0/state") \
  X(kNames, "GET", "/emulator/v0/names") \
  X(kExitPayload, "POST", "/emulator/v0/payloads/{payload}/exit") \
  X(kForceState, "PUT", "/emulator/v0/payloads/{payload}/state") \
  X(kSessionConfig, "GET", "/emulator/v0/payloads/{payload}/session-config") \
  X(kPayloadLog, "GET", "/emulator/v0/payloads/{payload}/log") \
  X(kApiDown, "POST", "/emulator/v0/payloads/{payload}/api-down") \
  X(kAddFault, "POST", "/emulator/v0/faults") \
  X(kListFaults, "GET", "/emulator/v0/faults") \
  X(kClearFaults, "DELETE", "/emulator/v0/faults") \
  X(kEvents, "GET", "/emulator/v0/events") \
  X(kTimeline, "GET", "/emulator/v0/timeline") \
  X(kExport, "GET", "/emulator/v0/export") \
  X(kImport, "POST", "/emulator/v0/import") \
  X(kListSnapshots, "GET", "/emulator/v0/snapshots") \
  X(kTakeSnapshot, "POST", "/emulator/v0/snapshots/{name}") \
  X(kRestoreSnapshot, "POST", "/emulator/v0/snapshots/{name}/restore") \
  X(kAwaitRollout, "POST", "/emulator/v0/projects/{project}/allocations/{allocation}/await-rollout")
// clang-format on

#define IMSEMU_DECLARE_ROUTE(name, method, path) inline constexpr Route name{method, path};
IMSEMU_API_ROUTES(IMSEMU_DECLARE_ROUTE)
#undef IMSEMU_DECLARE_ROUTE

#define IMSEMU_LIST_ROUTE(name, method, path) name,
inline constexpr Route kAllRoutes[] = {IMSEMU_API_ROUTES(IMSEMU_LIST_ROUTE)};
#undef IMSEMU_LIST_ROUTE

// The shared port's prefix of a payload's Payload Local API.
inline constexpr const char* kSharedPayloadPrefix = "/payloads/{payload}";
// Where the control API's paths begin.
inline constexpr const char* kControlApiPrefix = "/emulator/v0/";

// Whether `route` is a Payload Local API call (served on a payload's port).
bool IsPayloadLocalApi(const Route& route);
// A path under the shared port's prefix as {payload id, the rest}
// ("/payloads/p1/api/v0/ready" -> {"p1", "/api/v0/ready"}); nullopt for
// another path.
std::optional<std::pair<std::string, std::string>> SplitSharedPayloadPath(std::string_view path);

// Whether a request's path is one of the Payload Local API's, on a payload's
// port or under the shared port's prefix.
bool IsPayloadLocalPath(std::string_view path);

// The path with each {name} replaced by its value, percent-encoded. A name
// without a value stays as it is (a bug the tests see).
std::string Expand(std::string_view path_template,
                   const std::map<std::string, std::string>& values);

// The values of a path that matches the template, by name (segments as they
// are: the server has decoded them); nullopt when it does not match.
std::optional<std::map<std::string, std::string>> Match(std::string_view path_template,
                                                        std::string_view path);

// Which listener answers a path: the main port serves every route but the
// Payload Local API's, which it serves under kSharedPayloadPrefix; a
// payload's own port serves the Payload Local API alone.
enum class Listener { kMain, kPayload };

// The methods `listener` serves `path` with, in the list's order (empty for
// a path it serves with none): a request with another method is a 405 with
// these in its Allow header.
std::vector<std::string_view> MethodsAt(std::string_view path, Listener listener);

// The template as the regular expression cpp-httplib mounts a handler on:
// each {name} a capture of one segment, in order.
std::string Pattern(std::string_view path_template);

}  // namespace imsemu::routes
