#include "emulator/http/control_api.h"

#include <charconv>
#include <fstream>

#include "emulator/clock/stopwatch.h"
#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/codec/timeline_json.h"
#include "emulator/http/control_json.h"
#include "emulator/util/api_routes.h"
#include "emulator/util/utf8.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;
constexpr int kMaxEventsPerPage = 1000;
// The longest a GET /events?wait= holds its request (a long poll).
constexpr long long kMaxWaitSeconds = 30;
// How often a long poll looks whether the emulator is stopping.
constexpr std::chrono::milliseconds kWaitSlice{100};
constexpr long long kMaxLogLines = 1000;
// How much of a log file's end GET /payloads/{id}/log reads at most.
constexpr std::streamoff kMaxLogTailBytes = 256 * 1024;

// Parses a non-negative integer query parameter; `fallback` when absent.
StatusOr<long long> IntParam(const httplib::Request& req, const char* name, long long fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return InvalidArgument(std::string(name) + " must be a non-negative integer, got '" + text +
                           "'");
  }
  return value;
}

// A required number of seconds (0..1e9) in `body`.
StatusOr<Duration> RequiredSeconds(const Json& body) {
  IMSEMU_RETURN_IF_ERROR(codec::Require(body, "seconds", ""));
  long long ms = 0;
  IMSEMU_RETURN_IF_ERROR(codec::ReadSeconds(body, "seconds", "", ms));
  return Duration(ms);
}

// A required number of seconds (0..1e9) in the request body.
StatusOr<Duration> ReadRequiredSeconds(const httplib::Request& req) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ReadObjectBody(req, {"seconds"}));
  return RequiredSeconds(body);
}

// How far POST /clock/advance moves: {"seconds": n}, or {"to": "next_timer"}
// for up to the earliest armed deadline.
StatusOr<Duration> ReadAdvance(const httplib::Request& req, core::World& world, Time now) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ReadObjectBody(req, {"seconds", "to"}));
  if (!body.contains("to")) return RequiredSeconds(body);
  if (body.contains("seconds")) return InvalidArgument("give seconds or to, not both");
  std::string to;
  IMSEMU_RETURN_IF_ERROR(codec::ReadString(body, "to", "", to));
  if (to != "next_timer") return InvalidArgument("to must be 'next_timer'; got '" + to + "'");
  std::optional<Time> next = world.NextTimer();
  if (!next) return FailedPrecondition("no timer is armed: nothing happens by itself");
  return std::max(Duration(0), *next - now);
}

// Waits until the allocation is no longer Updating, for `within` at most
// (real time): under the virtual clock by moving it to each next timer due by
// `within` of its own time (a game server's auto-ready, a restart), and
// otherwise by waiting for the world to change (a real game server calling
// ready).
StatusOr<core::Allocation> AwaitRollout(core::World& world, const ControlHooks& hooks,
                                        const std::string& project, const std::string& id,
                                        Duration within) {
  const Stopwatch waited;
  const Time deadline = hooks.clock->Now() + within;
  for (;;) {
    IMSEMU_ASSIGN_OR_RETURN(core::Allocation a, world.GetAllocation(project, id));
    if (a.status != core::AllocationStatus::kUpdating) return a;
    const std::optional<Time> next = hooks.clock->IsVirtual() ? world.NextTimer() : std::nullopt;
    if (next && *next <= deadline) {
      IMSEMU_RETURN_IF_ERROR(
          hooks.advance_clock(std::max(Duration(0), *next - hooks.clock->Now())));
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(within) -
                      std::chrono::duration_cast<std::chrono::milliseconds>(waited.Elapsed());
    if (left.count() <= 0 || hooks.stopping()) {
      return FailedPrecondition(
          "allocation '" + id + "' is still Updating after " +
          std::to_string(within.count() / 1000.0) +
          " s: its new game servers have not all called ready (GET its payloads)");
    }
    world.AwaitEvents(world.JournalEnd(), std::min(left, std::chrono::milliseconds(1000)));
  }
}

// GET /events: from where (after=N, or last=N for the newest N), how many,
// and how long to wait for the first one (wait=S, a long poll).
struct EventsQuery {
  long long after = 0;
  int limit = kMaxEventsPerPage;
  std::chrono::milliseconds wait{0};
};

StatusOr<EventsQuery> ReadEventsQuery(const httplib::Request& req, core::World& world) {
  EventsQuery query;
  IMSEMU_ASSIGN_OR_RETURN(query.after, IntParam(req, "after", 0));
  IMSEMU_ASSIGN_OR_RETURN(long long last, IntParam(req, "last", -1));
  if (last >= 0) {
    if (req.has_param("after")) return InvalidArgument("give after or last, not both");
    query.after = std::max(0LL, world.JournalEnd() - last);
  }
  IMSEMU_ASSIGN_OR_RETURN(long long limit, IntParam(req, "limit", kMaxEventsPerPage));
  query.limit = static_cast<int>(std::min<long long>(limit, kMaxEventsPerPage));
  IMSEMU_ASSIGN_OR_RETURN(long long wait, IntParam(req, "wait", 0));
  if (wait > kMaxWaitSeconds) {
    return InvalidArgument("wait must be at most " + std::to_string(kMaxWaitSeconds) +
                           " seconds, got " + std::to_string(wait));
  }
  query.wait = std::chrono::seconds(wait);
  return query;
}

// The last `lines` lines of a text file (a game server's log).
StatusOr<std::vector<std::string>> TailLines(const std::string& path, long long lines) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFound("cannot read the log file '" + path + "'");
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - kMaxLogTailBytes);
  in.seekg(start);
  std::vector<std::string> out;
  std::string line;
  if (start > 0) std::getline(in, line);  // a partial first line
  while (std::getline(in, line)) {
    out.push_back(std::move(line));
    if (static_cast<long long>(out.size()) > lines) out.erase(out.begin());
  }
  for (std::string& l : out) {
    if (!IsValidUtf8(l)) l = "(not UTF-8: " + std::to_string(l.size()) + " bytes)";
  }
  return out;
}

}  // namespace

void MountControlApi(httplib::Server& server, core::World& world, RequestIds& ids,
                     ControlHooks hooks) {
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, Surface::kControl, s, ids);
  };

  server.Get(routes::Pattern(routes::kHealth.path),
             [](const httplib::Request&, httplib::Response& res) {
               WriteJson(res, {{"status", "ok"}});
             });

  // docs/openapi.json, built in: what any language generates a client from.
  server.Get(routes::Pattern(routes::kOpenApi.path),
             [](const httplib::Request&, httplib::Response& res) {
               static constexpr const char kDocument[] =
#include "openapi.inc"
                   ;
               res.set_content(kDocument, sizeof kDocument - 1, "application/json");
             });

  // The names the journal and the state use, for the dashboard's filters.
  server.Get(routes::Pattern(routes::kNames.path),
             [](const httplib::Request&, httplib::Response& res) {
               WriteJson(res, {{"payload_states", core::PayloadStateNameList()},
                               {"allocation_statuses", core::AllocationStatusNameList()},
                               {"event_kinds", core::EventKindNameList()},
                               {"actors", core::ActorNameList()},
                               {"levels", core::EventLevelNameList()}});
             });

  server.Get(routes::Pattern(routes::kGetClock.path),
             [&world, hooks](const httplib::Request&, httplib::Response& res) {
               WriteJson(res, ClockToJson(*hooks.clock, world.NextTimer()));
             });

  server.Post(routes::Pattern(routes::kAdvanceClock.path),
              [&world, hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Duration> d = ReadAdvance(req, world, hooks.clock->Now());
                Status s = d.ok() ? hooks.advance_clock(*d) : d.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, ClockToJson(*hooks.clock, world.NextTimer()));
              });

  server.Post(routes::Pattern(routes::kAwaitRollout.path),
              [&world, hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ReadObjectBody(req, {"within"});
                long long ms = 60000;
                Status s = body.ok() ? OkStatus() : body.status();
                if (s.ok() && body->contains("within")) {
                  s = codec::ReadSeconds(*body, "within", "", ms);
                }
                if (!s.ok()) return fail(res, s);
                auto a = AwaitRollout(world, hooks, req.matches[1], req.matches[2], Duration(ms));
                if (!a.ok()) return fail(res, a.status());
                WriteJson(res, {{"result", codec::AllocationToJson(*a)},
                                {"clock", ClockToJson(*hooks.clock, world.NextTimer())}});
              });

  server.Post(routes::Pattern(routes::kReset.path),
              [hooks, fail](const httplib::Request&, httplib::Response& res) {
                Status s = hooks.reset();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, Json::object());
              });

  server.Get(routes::Pattern(routes::kGetState.path), [&world, hooks](const httplib::Request&,
                                                                      httplib::Response& res) {
    WriteJson(
        res, StateToJson(world.Snapshot(), *hooks.clock, [&](const std::string& id) {
          return PayloadProcess{hooks.payload_api_of(id), hooks.log_file_of(id), hooks.pid_of(id)};
        }));
  });

  server.Post(routes::Pattern(routes::kExitPayload.path),
              [&world, fail](const httplib::Request& req, httplib::Response& res) {
                // An exit status, as a process reports it.
                StatusOr<Json> body = ReadObjectBody(req, {"code"});
                Status s = body.ok() ? codec::Require(*body, "code", "") : body.status();
                int code = 0;
                if (s.ok()) s = codec::ReadIntInRange(*body, "code", "", 0, 255, code);
                if (!s.ok()) return fail(res, s);
                auto p = world.ExitPayload(req.matches[1], core::ProcessExit::Exited(code));
                if (!p.ok()) return fail(res, p.status());
                WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
              });

  server.Put(routes::Pattern(routes::kForceState.path),
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               StatusOr<Json> body = ReadObjectBody(req, {"state"});
               Status s = body.ok() ? codec::Require(*body, "state", "") : body.status();
               std::string name;
               if (s.ok()) s = codec::ReadString(*body, "state", "", name);
               std::optional<core::PayloadState> state = core::ParsePayloadState(name);
               if (s.ok() && !state) {
                 s = InvalidArgument("state must be one of " + core::PayloadStateNames() +
                                     "; got '" + name + "'");
               }
               if (!s.ok()) return fail(res, s);
               auto p = world.ForceState(req.matches[1], *state);
               if (!p.ok()) return fail(res, p.status());
               WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
             });

  server.Get(routes::Pattern(routes::kSessionConfig.path),
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               auto config = world.GetSessionConfig(req.matches[1]);
               if (!config.ok()) return fail(res, config.status());
               WriteJson(res, SessionConfigToJson(*config));
             });

  server.Post(routes::Pattern(routes::kAddFault.path),
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ParseBody(req);
                if (!body.ok()) return fail(res, body.status());
                StatusOr<FaultSpec> spec = FaultSpecFromJson(*body);
                if (!spec.ok()) return fail(res, spec.status());
                StatusOr<Fault> fault = hooks.faults->Add(*std::move(spec));
                if (!fault.ok()) return fail(res, fault.status());
                WriteJson(res, {{"result", FaultToJson(*fault)}});
              });

  server.Get(routes::Pattern(routes::kListFaults.path),
             [hooks](const httplib::Request&, httplib::Response& res) {
               Json list = Json::array();
               for (const Fault& f : hooks.faults->List()) list.push_back(FaultToJson(f));
               WriteJson(res, {{"faults", std::move(list)}});
             });

  server.Delete(routes::Pattern(routes::kClearFaults.path),
                [hooks](const httplib::Request&, httplib::Response& res) {
                  hooks.faults->Clear();
                  WriteJson(res, Json::object());
                });

  server.Get(routes::Pattern(routes::kPayloadLog.path),
             [&world, hooks, fail](const httplib::Request& req, httplib::Response& res) {
               StatusOr<long long> lines = IntParam(req, "lines", 50);
               if (lines.ok() && (*lines < 1 || *lines > kMaxLogLines)) {
                 lines = InvalidArgument("lines must be 1.." + std::to_string(kMaxLogLines) +
                                         ", got " + std::to_string(*lines));
               }
               if (!lines.ok()) return fail(res, lines.status());
               const std::string id = req.matches[1];
               auto payload = world.GetPayload(id);
               if (!payload.ok()) return fail(res, payload.status());
               std::optional<std::string> file = hooks.log_file_of(id);
               if (!file) {
                 return fail(res, NotFound("payload " + id +
                                           " runs no game-server process (its allocation has "
                                           "no payload_spec.command or .image), so it has no log"));
               }
               StatusOr<std::vector<std::string>> tail = TailLines(*file, *lines);
               if (!tail.ok()) return fail(res, tail.status());
               WriteJson(res, {{"file", *file}, {"lines", *tail}});
             });

  server.Post(routes::Pattern(routes::kApiDown.path),
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Duration> d = ReadRequiredSeconds(req);
                Status s = d.ok() ? hooks.payload_api_down(req.matches[1], *d) : d.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, Json::object());
              });

  server.Get(
      routes::Pattern(routes::kEvents.path),
      [&world, hooks, fail](const httplib::Request& req, httplib::Response& res) {
        StatusOr<EventsQuery> query = ReadEventsQuery(req, world);
        if (!query.ok()) return fail(res, query.status());
        // A long poll waits in real time, in slices, so that stopping ends it.
        const Stopwatch waited;
        while (world.AwaitEvents(query->after, std::min(kWaitSlice, query->wait)) <= query->after) {
          if (waited.Elapsed() >= query->wait || hooks.stopping()) break;
        }
        Json events = Json::array();
        long long next_after = query->after;
        for (const core::Event& e : world.Events(query->after, query->limit)) {
          next_after = e.seq;
          events.push_back(EventToJson(e));
        }
        WriteJson(res, {{"events", std::move(events)}, {"next_after", next_after}});
      });

  // The whole journal as a Chrome trace (open it in ui.perfetto.dev).
  server.Get(routes::Pattern(routes::kTimeline.path),
             [&world, hooks](const httplib::Request&, httplib::Response& res) {
               WriteJson(res, codec::TimelineToTraceJson(world.Journal(), world.status_cache(),
                                                         hooks.clock->Now()));
             });
}

}  // namespace imsemu::http
