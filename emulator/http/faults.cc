#include "emulator/http/faults.h"

#include <algorithm>

#include "emulator/util/api_routes.h"
#include "emulator/util/enum_names.h"

namespace imsemu::http {
namespace {

// The APIs a fault may name: the control API is how a test sets faults, and
// never answers with one.
constexpr EnumNameTable<Api, 4> kApiNames = {{
    {Api::kAny, "any"},
    {Api::kPayloadLocal, "payload-local"},
    {Api::kSessionManager, "session-manager"},
    {Api::kOrchestration, "orchestration"},
}};

}  // namespace

const char* ApiName(Api api) { return NameOf(kApiNames, api, "any"); }

std::optional<Api> ParseApi(const std::string& name) { return ValueOf(kApiNames, name); }

std::string ApiNames() { return NamesOf(kApiNames); }

Api ApiOfPath(const std::string& path) {
  if (path.starts_with(routes::kControlApiPrefix)) return Api::kControl;
  if (routes::Match(routes::kListSessions.path, path)) return Api::kSessionManager;
  if (routes::IsPayloadLocalPath(path)) return Api::kPayloadLocal;
  return Api::kOrchestration;
}

namespace {

// The spec's rules; `times` may be 0 (used up) only for a fault put back.
Status Validate(const FaultSpec& spec, bool used_up_allowed) {
  if (spec.status != 0 && (spec.status < 400 || spec.status > 599)) {
    return InvalidArgument("status must be an HTTP error status (400..599)");
  }
  if (spec.status == 0 && spec.delay.count() == 0) {
    return InvalidArgument("a fault needs a status, a delay_ms, or both");
  }
  if (spec.delay.count() < 0 || spec.delay.count() > 60000) {
    return InvalidArgument("delay_ms must be between 0 and 60000");
  }
  if (!(spec.probability > 0.0 && spec.probability <= 1.0)) {
    return InvalidArgument("probability must be in (0, 1]");
  }
  if ((spec.times == 0 && !used_up_allowed) || spec.times < -1) {
    return InvalidArgument("times must be a positive number of calls (or absent)");
  }
  return OkStatus();
}

StatusOr<std::regex> PatternOf(const FaultSpec& spec) {
  try {
    return std::regex(spec.path_pattern.empty() ? ".*" : spec.path_pattern);
  } catch (const std::regex_error& e) {
    return InvalidArgument("path '" + spec.path_pattern + "' is not a valid regex: " + e.what());
  }
}

}  // namespace

StatusOr<Fault> Faults::Add(FaultSpec spec) {
  IMSEMU_RETURN_IF_ERROR(Validate(spec, false));
  Rule rule;
  IMSEMU_ASSIGN_OR_RETURN(rule.pattern, PatternOf(spec));
  MutexLock lock(mu_);
  rule.fault.id = next_id_++;
  rule.fault.spec = std::move(spec);
  rules_.push_back(rule);
  return rule.fault;
}

std::vector<Fault> Faults::List() const {
  MutexLock lock(mu_);
  std::vector<Fault> out;
  for (const Rule& r : rules_) out.push_back(r.fault);
  return out;
}

Status Faults::Replace(const std::vector<Fault>& faults) {
  std::vector<Rule> rules;
  long long next = 1;
  for (const Fault& f : faults) {
    Status valid = Validate(f.spec, true);
    StatusOr<std::regex> pattern = valid.ok() ? PatternOf(f.spec) : StatusOr<std::regex>(valid);
    if (!pattern.ok()) {
      return InvalidArgument("fault " + std::to_string(f.id) + ": " + pattern.status().message());
    }
    rules.push_back({f, *std::move(pattern)});
    next = std::max(next, f.id + 1);
  }
  MutexLock lock(mu_);
  rules_ = std::move(rules);
  next_id_ = next;
  return OkStatus();
}

void Faults::Clear() {
  MutexLock lock(mu_);
  rules_.clear();
}

void Faults::Remove(long long id) {
  MutexLock lock(mu_);
  std::erase_if(rules_, [id](const Rule& r) { return r.fault.id == id; });
}

std::optional<Fault> Faults::Fire(const std::string& method, const std::string& path) {
  MutexLock lock(mu_);
  if (rules_.empty()) return std::nullopt;
  const Api api = ApiOfPath(path);
  if (api == Api::kControl) return std::nullopt;
  for (Rule& r : rules_) {
    const FaultSpec& s = r.fault.spec;
    if (s.times == 0) continue;
    if (s.api != Api::kAny && s.api != api) continue;
    if (!s.method.empty() && s.method != method) continue;
    if (!std::regex_match(path, r.pattern)) continue;
    ++r.fault.matched;
    if (s.probability < 1.0 && random_.NextUnit() >= s.probability) continue;
    ++r.fault.fired;
    if (r.fault.spec.times > 0) --r.fault.spec.times;
    return r.fault;
  }
  return std::nullopt;
}

}  // namespace imsemu::http
