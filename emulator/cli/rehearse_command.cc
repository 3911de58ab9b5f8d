// `rehearse`: a plan's settings simulated on the virtual clock, reported.
#include <algorithm>
#include <thread>

#include "emulator/cli/tool_commands.h"
#include "emulator/clock/stopwatch.h"
#include "emulator/rehearse/plan_loader.h"
#include "emulator/rehearse/report.h"
#include "emulator/rehearse/report_html.h"
#include "emulator/store/snapshot_file.h"

namespace imsemu::cli {
namespace {

using Json = nlohmann::json;

std::string Fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

// The settings the sweep varies (all of them when it varies none).
std::string Varied(const Json& report, const Json& settings) {
  const Json& sweep = report["plan"]["sweep"];
  if (sweep.empty()) return rehearse::SettingsText(settings);
  Json varied = Json::object();
  for (const auto& [name, values] : sweep.items()) varied[name] = settings[name];
  return rehearse::SettingsText(varied);
}

// A table, a row a setting, for people.
void WriteTable(const Json& report, std::ostream& out) {
  const Json& results = report["results"];
  const long long cheapest = rehearse::CheapestIndex(report);
  size_t width = 7;
  for (const Json& r : results) width = std::max(width, Varied(report, r["settings"]).size());
  const bool rollouts = !results.empty() && results[0].contains("rollouts");
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %9s %8s %12s %6s %10s %13s%s\n", static_cast<int>(width),
                "setting", "refused", "gave up", "session p99", "peak", "payload h", "idle Ready h",
                rollouts ? "  refused in rollouts" : "");
  out << line;
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& r = results[i];
    std::snprintf(line, sizeof line, "%-*s %8.3f%% %8lld %10.1f s %6d %10.1f %13.1f",
                  static_cast<int>(width), Varied(report, r["settings"]).c_str(),
                  r["refused_fraction"].get<double>() * 100, r["players_gave_up"].get<long long>(),
                  r["time_to_session_ms"]["p99"].get<double>() / 1000,
                  r["peak_payloads"].get<int>(), r["payload_hours"].get<double>(),
                  r["idle_ready_payload_hours"].get<double>());
    out << line;
    if (rollouts) {
      std::snprintf(line, sizeof line, "  %8lld (%.3f%%)", r["rollout_refused"].get<long long>(),
                    r["rollout_refused_fraction"].get<double>() * 100);
      out << line;
    }
    if (r.contains("meets_targets")) {
      out << (cheapest == static_cast<long long>(i) ? "  <- cheapest meeting the target"
              : r["meets_targets"].get<bool>()      ? "  meets the target"
                                                    : "  misses the target");
    }
    out << "\n";
  }
}

}  // namespace

void AddRehearseFlags(CLI::App* app, RehearseFlags& f) {
  app->add_option("plan", f.plan, "the plan (YAML): demand, servers, allocation, sweep")
      ->required();
  app->add_option("--json", f.json, "write the report as JSON to FILE (- for standard output)");
  app->add_option("--html", f.html, "write the report as one HTML page to FILE");
  app->add_option("--target", f.targets,
                  "METRIC<NUMBER (or <=, >, >=) every setting is judged by, e.g. "
                  "refused_fraction<0.001; repeatable; exit 1 when no setting meets them");
  app->add_option("--jobs", f.jobs, "settings simulated at once (0: one per core)")
      ->check(CLI::Range(0, 256));
  app->add_flag("--quiet", f.quiet, "no progress on standard error");
}

int RunRehearseCommand(const RehearseFlags& f, const Context& c) {
  std::ostream& err = c.err;
  std::vector<rehearse::Target> targets;
  for (const std::string& text : f.targets) {
    StatusOr<rehearse::Target> t = rehearse::ParseTarget(text);
    if (!t.ok()) {
      err << "ims-emulator rehearse: " << t.status().message() << "\n";
      return 2;
    }
    targets.push_back(*std::move(t));
  }
  StatusOr<rehearse::Plan> plan = rehearse::LoadPlan(f.plan);
  if (!plan.ok()) {
    err << "ims-emulator rehearse: " << plan.status().message() << "\n";
    return 2;
  }
  for (const rehearse::Target& t : targets) {
    if (rehearse::IsRolloutMetric(t.metric) && plan->rollouts.empty()) {
      err << "ims-emulator rehearse: --target '" << t.text << "': " << f.plan
          << " ships no new build (no rollouts:), so it has no " << t.metric << "\n";
      return 2;
    }
  }
  const std::vector<rehearse::Settings> swept = plan->SweptSettings();
  const size_t settings = swept.size();
  const int jobs =
      f.jobs > 0 ? f.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!f.quiet) {
    err << "rehearse: " << plan->name << ": " << settings
        << (settings == 1 ? " setting" : " settings") << ", "
        << std::min<size_t>(static_cast<size_t>(jobs), settings) << " at a time\n";
  }
  const Stopwatch wall;
  size_t finished = 0;
  const std::vector<rehearse::Result> results = rehearse::RunSweep(*plan, jobs, [&](size_t index) {
    ++finished;
    if (f.quiet) return;
    err << "rehearse: [" << finished << "/" << settings << "] "
        << rehearse::SettingsText(rehearse::SettingsJson(swept[index])) << " done ("
        << Fixed(wall.ElapsedMs() / 1000, 1) << " s)\n";
  });
  const Json report = rehearse::ReportJson(*plan, results, targets);
  auto write = [&](const std::string& path, const std::string& text) {
    if (path == "-") {
      c.out << text;
      return true;
    }
    const Status written = store::WriteFileAtomically(path, text);
    if (!written.ok()) err << "ims-emulator rehearse: " << written.message() << "\n";
    return written.ok();
  };
  if (!f.json.empty() && !write(f.json, report.dump(1) + "\n")) return 2;
  if (!f.html.empty() && !write(f.html, rehearse::ReportHtml(report))) return 2;
  std::ostream& table = f.json == "-" ? err : c.out;
  WriteTable(report, table);
  if (targets.empty()) return 0;
  if (rehearse::CheapestIndex(report) < 0) {
    table << "no setting meets the target\n";
    return 1;
  }
  return 0;
}

}  // namespace imsemu::cli
