#include "emulator/rehearse/report.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "emulator/util/suggest.h"

namespace imsemu::rehearse {
namespace {

using Json = nlohmann::json;

// Rounded to a thousandth: plots need no more, and the file stays small.
double Milli(double x) { return std::round(x * 1000) / 1000; }

Json PercentilesJson(const Percentiles& p, double unit) {
  return {{"p50", static_cast<double>(p.p50) / unit}, {"p99", static_cast<double>(p.p99) / unit}};
}

Json TimelineJson(const Result& r) {
  Json t = {
      {"bucket_s", r.timeline.empty() ? 0.0 : static_cast<double>(r.timeline[0].length_ms) / 1000}};
  Json start = Json::array();
  Json players = Json::array();
  Json requests = Json::array();
  Json refused = Json::array();
  std::array<Json, kGroups> groups;
  for (Json& g : groups) g = Json::array();
  for (const Bucket& b : r.timeline) {
    start.push_back(static_cast<double>(b.start_ms) / 1000);
    players.push_back(b.players);
    requests.push_back(b.requests);
    refused.push_back(b.refused);
    for (size_t g = 0; g < kGroups; ++g) {
      groups[g].push_back(
          Milli(static_cast<double>(b.payload_ms[g]) / static_cast<double>(b.length_ms)));
    }
  }
  t["start_s"] = std::move(start);
  t["players"] = std::move(players);
  t["requests"] = std::move(requests);
  t["refused"] = std::move(refused);
  for (size_t g = 0; g < kGroups; ++g) t[GroupName(static_cast<Group>(g))] = std::move(groups[g]);
  return t;
}

// Milliseconds as seconds, or null.
Json Seconds(const std::optional<long long>& ms) {
  return ms ? Json(static_cast<double>(*ms) / 1000) : Json(nullptr);
}

double Fraction(long long part, long long whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// Each rollout, and the metrics over them, into `out` (a plan without
// rollouts has none: a target naming one is refused, never met by default).
void AddRollouts(const Result& r, Json& out) {
  if (r.rollouts.empty()) return;
  Json rollouts = Json::array();
  long long requests = 0;
  long long refused = 0;
  long long longest_ms = 0;
  for (size_t i = 0; i < r.rollouts.size(); ++i) {
    const RolloutResult& x = r.rollouts[i];
    // Until done, the next build, or the end of the run.
    const std::optional<long long> done = x.done_ms();
    const long long until = done                                        ? *done
                            : x.superseded && i + 1 < r.rollouts.size() ? r.rollouts[i + 1].at_ms
                                                                        : r.duration_ms;
    longest_ms = std::max(longest_ms, until - x.at_ms);
    requests += x.requests;
    refused += x.refused;
    rollouts.push_back({{"at_s", static_cast<double>(x.at_ms) / 1000},
                        {"running_s", Seconds(x.running_ms)},
                        {"new_build_ready_s", Seconds(x.first_ready_ms)},
                        {"done_s", Seconds(done)},
                        {"superseded", x.superseded},
                        {"requests", x.requests},
                        {"refused", x.refused},
                        {"refused_fraction", Fraction(x.refused, x.requests)},
                        {"peak_payloads", x.peak_payloads}});
  }
  out["rollouts"] = std::move(rollouts);
  out["rollout_requests"] = requests;
  out["rollout_refused"] = refused;
  out["rollout_refused_fraction"] = Fraction(refused, requests);
  out["rollout_s_max"] = static_cast<double>(longest_ms) / 1000;
}

}  // namespace

bool IsRolloutMetric(const std::string& metric) { return metric.rfind("rollout_", 0) == 0; }

std::vector<std::string> MetricNames() {
  return {"sessions_requested",
          "requests",
          "refused",
          "refused_fraction",
          "sessions_created",
          "players_gave_up",
          "gave_up_fraction",
          "matches_crashed",
          "time_to_session_ms.p50",
          "time_to_session_ms.p99",
          "peak_payloads",
          "idle_ready_payload_hours",
          "reserved_payload_hours",
          "starting_payload_hours",
          "leaving_payload_hours",
          "payload_hours",
          "mean_reserved_payloads",
          "list_staleness_s.p50",
          "list_staleness_s.p99",
          "statuses_never_shown",
          "rollout_requests",
          "rollout_refused",
          "rollout_refused_fraction",
          "rollout_s_max"};
}

StatusOr<Target> ParseTarget(const std::string& text) {
  const size_t at = text.find_first_of("<>");
  if (at == std::string::npos || at == 0) {
    return InvalidArgument("--target '" + text +
                           "' must be METRIC<NUMBER (or <=, >, >=), e.g. refused_fraction<0.001");
  }
  Target t;
  t.text = text;
  t.metric = text.substr(0, at);
  const bool or_equal = at + 1 < text.size() && text[at + 1] == '=';
  t.op = text.substr(at, or_equal ? 2 : 1);
  const std::string number = text.substr(at + t.op.size());
  const std::vector<std::string> names = MetricNames();
  if (std::find(names.begin(), names.end(), t.metric) == names.end()) {
    std::string listed;
    for (const std::string& n : names) listed += (listed.empty() ? "" : ", ") + n;
    return InvalidArgument("--target '" + text + "': unknown metric '" + t.metric + "'" +
                           DidYouMean(t.metric, names) + "; the metrics are " + listed);
  }
  size_t end = 0;
  try {
    t.value = std::stod(number, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (number.empty() || end != number.size() || !std::isfinite(t.value)) {
    return InvalidArgument("--target '" + text + "': '" + number + "' is not a number");
  }
  return t;
}

Json SettingsJson(const Settings& s) {
  Json settings = Json::object();
  for (const std::string& name : SettingNames()) settings[name] = SettingField(s, name);
  return settings;
}

Json ResultJson(const Result& r) {
  const double duration_h = static_cast<double>(r.duration_ms) / 3600000.0;
  const double gave_up = Fraction(r.players_gave_up, r.sessions_requested);
  Json out = {
      {"settings", SettingsJson(r.settings)},
      {"sessions_requested", r.sessions_requested},
      {"requests", r.requests},
      {"refused", r.refused},
      {"refused_fraction", r.refused_fraction()},
      {"sessions_created", r.sessions_created},
      {"players_gave_up", r.players_gave_up},
      {"gave_up_fraction", gave_up},
      {"matches_crashed", r.matches_crashed},
      {"time_to_session_ms", PercentilesJson(r.time_to_session_ms, 1)},
      {"peak_payloads", r.peak_payloads},
      {"idle_ready_payload_hours", r.hours(Group::kReady)},
      {"reserved_payload_hours", r.hours(Group::kReserved)},
      {"starting_payload_hours", r.hours(Group::kStarting)},
      {"leaving_payload_hours", r.hours(Group::kLeaving)},
      {"payload_hours", r.payload_hours()},
      {"mean_reserved_payloads", duration_h > 0 ? r.hours(Group::kReserved) / duration_h : 0.0},
      {"list_staleness_s", PercentilesJson(r.list_staleness_ms, 1000)},
      {"statuses_never_shown", r.statuses_never_shown},
      {"timeline", TimelineJson(r)},
  };
  AddRollouts(r, out);
  return out;
}

std::optional<double> MetricOf(const Json& result, const std::string& metric) {
  const Json* at = &result;
  size_t from = 0;
  while (true) {
    const size_t dot = metric.find('.', from);
    const std::string key = metric.substr(from, dot == std::string::npos ? dot : dot - from);
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

bool Meets(const Json& result, const std::vector<Target>& targets) {
  for (const Target& t : targets) {
    const std::optional<double> v = MetricOf(result, t.metric);
    if (!v) return false;
    const bool ok = t.op == "<"    ? *v < t.value
                    : t.op == "<=" ? *v <= t.value
                    : t.op == ">"  ? *v > t.value
                                   : *v >= t.value;
    if (!ok) return false;
  }
  return true;
}

std::optional<size_t> Cheapest(const Json& results, const std::vector<Target>& targets) {
  std::optional<size_t> best;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!Meets(results[i], targets)) continue;
    if (!best ||
        results[i]["payload_hours"].get<double>() < results[*best]["payload_hours"].get<double>()) {
      best = i;
    }
  }
  return best;
}

std::string SettingsText(const Json& settings) {
  std::string out;
  for (const std::string& name : SettingNames()) {
    if (!settings.contains(name)) continue;
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(settings[name].get<int>());
  }
  return out;
}

long long CheapestIndex(const Json& report) {
  auto it = report.find("cheapest");
  return it != report.end() && it->is_number() ? it->get<long long>() : -1;
}

Json ReportJson(const Plan& plan, const std::vector<Result>& results,
                const std::vector<Target>& targets) {
  Json sweep = Json::object();
  for (const auto& [field, values] : plan.sweep) sweep[field] = values;
  Json report = {
      {"plan",
       {{"name", plan.name},
        {"seed", plan.seed},
        {"duration_s", static_cast<double>(plan.duration.count()) / 1000},
        {"session_type", plan.session_type},
        {"sweep", sweep}}},
  };
  Json out = Json::array();
  for (const Result& r : results) out.push_back(ResultJson(r));
  if (!targets.empty()) {
    Json texts = Json::array();
    for (const Target& t : targets) texts.push_back(t.text);
    report["targets"] = texts;
    for (Json& r : out) r["meets_targets"] = Meets(r, targets);
    const std::optional<size_t> cheapest = Cheapest(out, targets);
    report["cheapest"] = cheapest ? Json(*cheapest) : Json(nullptr);
  }
  report["results"] = std::move(out);
  return report;
}

std::vector<Result> RunSweep(const Plan& plan, int jobs,
                             const std::function<void(size_t index)>& done) {
  const std::vector<Settings> settings = plan.SweptSettings();
  std::vector<Result> results(settings.size());
  std::atomic<size_t> next{0};
  std::mutex tell;
  auto work = [&] {
    for (size_t i = next++; i < settings.size(); i = next++) {
      results[i] = Simulate(plan, settings[i]);
      if (done) {
        std::lock_guard<std::mutex> lock(tell);
        done(i);
      }
    }
  };
  const int threads = std::max(1, std::min<int>(jobs, static_cast<int>(settings.size())));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace imsemu::rehearse
