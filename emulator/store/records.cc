#include "emulator/store/records.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string_view>
#include <utility>

#include "emulator/codec/allocation_json.h"

namespace imsemu::store {
namespace {

using Json = nlohmann::json;

// An integer field, or `fallback` when absent or not an integer (a float
// out of range would be undefined behaviour to convert).
long long Integer(const Json& j, const char* key, long long fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return fallback;
  if (it->is_number_unsigned() && it->get<unsigned long long>() > 0x7fffffffffffffffULL) {
    return fallback;
  }
  return it->get<long long>();
}

int SmallInteger(const Json& j, const char* key) {
  const long long v = Integer(j, key, 0);
  return v < 0 || v > 1000000 ? 0 : static_cast<int>(v);
}
Time FromMs(long long ms) { return Time(Duration(ms)); }

}  // namespace

std::string EncodeAllocationRecord(const core::Allocation& a) {
  Json out = {{"id", a.id},
              {"project_id", a.project_id},
              {"seq", a.seq},
              {"created_ms", UnixMs(a.created)},
              {"deleting", a.deleting},
              {"spec", codec::AllocationSpecToJson(a.spec)}};
  if (a.crash_streak > 0) {
    out["crash_streak"] = a.crash_streak;
    out["last_crash_ms"] = UnixMs(a.last_crash);
  }
  if (a.reserved_by_session_manager) out["reserved_by_session_manager"] = true;
  if (a.reserved_by_orchestration) out["reserved_by_orchestration"] = true;
  if (a.deleted) out["deleted_ms"] = UnixMs(*a.deleted);
  if (a.has_run) out["has_run"] = true;
  if (a.failures > 0) out["failures"] = a.failures;
  out["revision"] = a.revision;
  if (a.updating) out["updating"] = true;
  out["status"] = core::AllocationStatusName(a.status);
  return out.dump();
}

std::optional<core::Allocation> DecodeAllocationRecord(const std::string& text) try {
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("spec")) return std::nullopt;
  StatusOr<core::AllocationSpec> spec = codec::AllocationSpecFromJson(j["spec"]);
  if (!spec.ok()) return std::nullopt;
  core::Allocation a;
  a.id = j.value("id", "");
  a.project_id = j.value("project_id", "");
  a.seq = Integer(j, "seq", 0);
  a.created = FromMs(Integer(j, "created_ms", 0));
  a.deleting = j.value("deleting", false);
  a.crash_streak = SmallInteger(j, "crash_streak");
  a.last_crash = FromMs(Integer(j, "last_crash_ms", 0));
  a.reserved_by_session_manager = j.value("reserved_by_session_manager", false);
  a.reserved_by_orchestration = j.value("reserved_by_orchestration", false);
  if (j.contains("deleted_ms")) a.deleted = FromMs(Integer(j, "deleted_ms", 0));
  a.has_run = j.value("has_run", false);
  a.failures = SmallInteger(j, "failures");
  a.revision = std::max(1, SmallInteger(j, "revision"));
  a.updating = j.value("updating", false);
  // A record from before statuses: what it was doing then is recomputed at
  // its next change; until then Running (or Draining) is the closest.
  const std::optional<core::AllocationStatus> status =
      core::ParseAllocationStatus(j.value("status", ""));
  if (!j.contains("has_run") && !status) a.has_run = true;
  a.status = status.value_or(a.deleting ? core::AllocationStatus::kDraining
                                        : core::AllocationStatus::kRunning);
  a.spec = *std::move(spec);
  return a;
} catch (const Json::exception&) {
  return std::nullopt;  // a record of the wrong shape: only a hand-edited file has one
}

namespace {

// The payload record is written on every change of every payload (a
// reconcile of 10,000 writes 10,000), so it is written by hand rather than
// built as a JSON tree: the same JSON, several times faster.
class RecordWriter {
 public:
  std::string Take() && {
    out_ += '}';
    return std::move(out_);
  }
  RecordWriter& Key(std::string_view key) {
    out_ += out_.size() == 1 ? "" : ",";
    String(key);
    out_ += ':';
    return *this;
  }
  void String(std::string_view s) {
    out_ += '"';
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[u >> 4];
        out_ += kHex[u & 0xf];
      } else {
        out_ += c;  // UTF-8 as it is: every string here was checked to be UTF-8
      }
    }
    out_ += '"';
  }
  void Integer(long long v) { out_ += std::to_string(v); }
  void Map(const core::StringMap& map) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : map) {
      if (!std::exchange(first, false)) out_ += ',';
      String(k);
      out_ += ':';
      String(v);
    }
    out_ += '}';
  }
  void Raw(std::string_view text) { out_ += text; }

 private:
  std::string out_ = "{";
};

}  // namespace

std::string EncodePayloadRecord(const core::Payload& p) {
  RecordWriter w;
  w.Key("id").String(p.id);
  w.Key("project_id").String(p.project_id);
  w.Key("allocation_id").String(p.allocation_id);
  w.Key("seq").Integer(p.seq);
  w.Key("state").String(core::PayloadStateName(p.state));
  w.Key("details").String(p.details);
  w.Key("address").String(p.address);
  w.Key("ports").Raw("[");
  for (size_t i = 0; i < p.ports.size(); ++i) {
    w.Raw(i == 0 ? "[" : ",[");
    w.String(p.ports[i].name);
    w.Raw(",");
    w.Integer(p.ports[i].port);
    w.Raw("]");
  }
  w.Raw("]");
  w.Key("created").Integer(UnixMs(p.created));
  w.Key("state_since").Integer(UnixMs(p.state_since));
  w.Key("labels").Map(p.labels);
  w.Key("annotations").Map(p.annotations);
  w.Key("status_updates").Raw("[");
  for (size_t i = 0; i < p.status_updates.size(); ++i) {
    w.Raw(i == 0 ? "{\"at\":" : ",{\"at\":");
    w.Integer(UnixMs(p.status_updates[i].set_at));
    w.Raw(",\"status\":");
    w.Map(p.status_updates[i].status);
    w.Raw("}");
  }
  w.Raw("]");
  w.Key("timer").String(core::TimerKindName(p.timer));
  w.Key("timer_at").Integer(UnixMs(p.timer_at));
  w.Key("restarts").Integer(p.restarts);
  if (p.revision != 1) w.Key("revision").Integer(p.revision);
  if (p.started) w.Key("started").Integer(UnixMs(*p.started));
  if (p.last_reserved) w.Key("last_reserved").Integer(UnixMs(*p.last_reserved));
  if (p.session_config) w.Key("session_config").String(*p.session_config);
  if (p.forced) w.Key("forced").Raw("true");
  if (p.api_down_until) w.Key("api_down_until").Integer(UnixMs(*p.api_down_until));
  if (p.api_port != 0) w.Key("api_port").Integer(p.api_port);
  return std::move(w).Take();
}

std::optional<core::Payload> DecodePayloadRecord(const std::string& text) try {
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  core::Payload p;
  p.id = j.value("id", "");
  p.project_id = j.value("project_id", "");
  p.allocation_id = j.value("allocation_id", "");
  p.seq = Integer(j, "seq", 0);
  p.state =
      core::ParsePayloadState(j.value("state", "Unknown")).value_or(core::PayloadState::kUnknown);
  p.details = j.value("details", "");
  p.address = j.value("address", "");
  for (const Json& port : j.value("ports", Json::array())) {
    if (port.is_array() && port.size() == 2 && port[0].is_string() && port[1].is_number_integer()) {
      p.ports.push_back({port[0].get<std::string>(), port[1].get<int>()});
    }
  }
  p.created = FromMs(Integer(j, "created", 0));
  p.state_since = FromMs(Integer(j, "state_since", Integer(j, "created", 0)));
  if (j.contains("started")) p.started = FromMs(Integer(j, "started", 0));
  if (j.contains("last_reserved")) p.last_reserved = FromMs(Integer(j, "last_reserved", 0));
  p.labels = j.value("labels", core::StringMap{});
  p.annotations = j.value("annotations", core::StringMap{});
  if (j.contains("session_config") && j["session_config"].is_string()) {
    p.session_config = j["session_config"].get<std::string>();
  }
  for (const Json& u : j.value("status_updates", Json::array())) {
    if (!u.is_object()) continue;
    p.status_updates.push_back({FromMs(Integer(u, "at", 0)), u.value("status", core::StringMap{})});
  }
  p.timer = core::ParseTimerKind(j.value("timer", "none")).value_or(core::TimerKind::kNone);
  p.timer_at = FromMs(Integer(j, "timer_at", 0));
  p.restarts = SmallInteger(j, "restarts");
  p.revision = std::max(1, SmallInteger(j, "revision"));
  p.forced = j.value("forced", false);
  if (j.contains("api_down_until")) p.api_down_until = FromMs(Integer(j, "api_down_until", 0));
  const long long api_port = Integer(j, "api_port", 0);
  p.api_port = api_port > 0 && api_port <= 65535 ? static_cast<int>(api_port) : 0;
  return p;
} catch (const Json::exception&) {
  return std::nullopt;  // a record of the wrong shape: only a hand-edited file has one
}

}  // namespace imsemu::store
