#include "emulator/rehearse/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "emulator/rehearse/report.h"
#include "emulator/util/markup.h"

namespace imsemu::rehearse {
namespace {

using Json = nlohmann::json;

constexpr int kWidth = 640;
constexpr int kHeight = 160;
constexpr int kLeft = 48;  // room for the y labels
constexpr int kBottom = 20;

std::string Number(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string Hours(double seconds) {
  if (seconds >= 3600) return Number(seconds / 3600, seconds >= 36000 ? 0 : 1) + "h";
  if (seconds >= 60) return Number(seconds / 60, 0) + "m";
  return Number(seconds, 0) + "s";
}

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

// A plot's opening: its svg element, axes, the y maximum and the x labels.
std::string Frame(const std::string& id, double y_max, double end_s, const std::string& unit) {
  std::ostringstream svg;
  const int plot_h = kHeight - kBottom;
  svg << "<svg id='" << id << "' viewBox='0 0 " << kWidth << " " << kHeight
      << "' role='img' aria-label='" << EscapeMarkup(unit) << "'>"
      << "<line x1='" << kLeft << "' y1='" << plot_h << "' x2='" << kWidth << "' y2='" << plot_h
      << "' class='axis'/>"
      << "<line x1='" << kLeft << "' y1='0' x2='" << kLeft << "' y2='" << plot_h
      << "' class='axis'/>"
      << "<text x='" << kLeft - 4 << "' y='10' class='ylabel'>" << Number(y_max, 0) << "</text>"
      << "<text x='" << kLeft - 4 << "' y='" << plot_h << "' class='ylabel'>0</text>"
      << "<text x='" << kLeft + 4 << "' y='10' class='unit'>" << EscapeMarkup(unit) << "</text>";
  for (int i = 0; i <= 4; ++i) {
    const double s = end_s * i / 4;
    const double x = kLeft + (kWidth - kLeft) * (i / 4.0);
    svg << "<text x='" << Number(x, 1) << "' y='" << kHeight - 4 << "' class='xlabel"
        << (i == 4 ? " last" : "") << "'>" << Hours(s) << "</text>";
  }
  return svg.str();
}

double XOf(double s, double end_s) {
  return kLeft + (kWidth - kLeft) * (end_s > 0 ? s / end_s : 0);
}
double YOf(double v, double y_max) {
  const int plot_h = kHeight - kBottom;
  return plot_h - plot_h * (y_max > 0 ? v / y_max : 0);
}

// A step line per series.
std::string Lines(const std::vector<Series>& series, const std::vector<double>& start_s,
                  double bucket_s, const std::string& unit, const std::string& id) {
  const double end_s = start_s.empty() ? 0 : start_s.back() + bucket_s;
  double y_max = 1;
  for (const Series& s : series) {
    for (double v : s.values) y_max = std::max(y_max, v);
  }
  y_max = std::ceil(y_max);
  std::ostringstream svg;
  svg << Frame(id, y_max, end_s, unit);
  for (const Series& s : series) {
    svg << "<polyline class='series' data-series='" << s.name << "' fill='none' stroke='" << s.color
        << "' points='";
    for (size_t i = 0; i < s.values.size(); ++i) {
      const double y = YOf(s.values[i], y_max);
      svg << Number(XOf(start_s[i], end_s), 1) << "," << Number(y, 1) << " "
          << Number(XOf(start_s[i] + bucket_s, end_s), 1) << "," << Number(y, 1) << " ";
    }
    svg << "'/>";
  }
  svg << "</svg>";
  return svg.str();
}

// Stacked areas, the first series at the bottom.
std::string Stacked(const std::vector<Series>& series, const std::vector<double>& start_s,
                    double bucket_s, const std::string& unit, const std::string& id) {
  const double end_s = start_s.empty() ? 0 : start_s.back() + bucket_s;
  const size_t n = start_s.size();
  std::vector<double> top(n, 0);
  double y_max = 1;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (const Series& s : series) sum += s.values[i];
    y_max = std::max(y_max, sum);
  }
  y_max = std::ceil(y_max);
  std::ostringstream svg;
  svg << Frame(id, y_max, end_s, unit);
  for (const Series& s : series) {
    std::vector<double> bottom = top;
    for (size_t i = 0; i < n; ++i) top[i] += s.values[i];
    svg << "<polygon class='series' data-series='" << s.name << "' fill='" << s.color
        << "' points='";
    for (size_t i = 0; i < n; ++i) {
      svg << Number(XOf(start_s[i], end_s), 1) << "," << Number(YOf(top[i], y_max), 1) << " "
          << Number(XOf(start_s[i] + bucket_s, end_s), 1) << "," << Number(YOf(top[i], y_max), 1)
          << " ";
    }
    for (size_t i = n; i-- > 0;) {
      svg << Number(XOf(start_s[i] + bucket_s, end_s), 1) << "," << Number(YOf(bottom[i], y_max), 1)
          << " " << Number(XOf(start_s[i], end_s), 1) << "," << Number(YOf(bottom[i], y_max), 1)
          << " ";
    }
    svg << "'/>";
  }
  svg << "</svg>";
  return svg.str();
}

std::vector<double> PerMinute(const Json& counts, double bucket_s) {
  std::vector<double> out;
  for (const Json& c : counts) out.push_back(bucket_s > 0 ? c.get<double>() * 60 / bucket_s : 0);
  return out;
}

constexpr const char* kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d232a; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.plan { color: #55606b; margin: 0 0 16px; }
table { border-collapse: collapse; margin-bottom: 24px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #dde2e6; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.cheapest { background: #e3f6e8; font-weight: 600; }
tr.misses td.verdict { color: #b3261e; }
td.verdict { text-align: left; }
section.setting { margin-bottom: 20px; }
section.setting h2 { font-size: 15px; margin: 0 0 4px; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
svg { width: 640px; max-width: 100%; height: auto; background: #fafbfc; border: 1px solid #e4e8eb; }
svg .axis { stroke: #8a949d; stroke-width: 1; }
svg text { font-size: 10px; fill: #55606b; }
svg .ylabel { text-anchor: end; }
svg .xlabel { text-anchor: middle; }
svg .xlabel.last { text-anchor: end; }
svg polyline { stroke-width: 1.5; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
)css";

// "2:30 h" for a time into the run, "-" for null (not reached).
std::string At(const Json& seconds) {
  if (!seconds.is_number()) return "-";
  const long long s = std::llround(seconds.get<double>());
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld h", s / 3600, s / 60 % 60);
  return text;
}

// The setting's new builds and what their rollouts cost.
std::string RolloutsTable(const Json& result, size_t index) {
  if (!result.contains("rollouts")) return "";
  std::string out = "<table class='rollouts' id='rollouts-" + std::to_string(index) +
                    "'><thead><tr><th>new build at</th><th>Running again</th>"
                    "<th>first new server Ready</th><th>requests</th><th>refused</th></tr>"
                    "</thead><tbody>";
  for (const Json& r : result["rollouts"]) {
    out += "<tr><td>" + At(r["at_s"]) + "</td><td>" +
           (r["superseded"].get<bool>() ? "superseded" : At(r["running_s"])) + "</td><td>" +
           At(r["new_build_ready_s"]) + "</td><td>" +
           std::to_string(r["requests"].get<long long>()) + "</td><td>" +
           std::to_string(r["refused"].get<long long>()) + " (" +
           Number(r["refused_fraction"].get<double>() * 100, 2) + "%)</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string Legend(const std::vector<Series>& series) {
  std::string out = "<div class='legend'>";
  for (const Series& s : series) {
    out += "<span><i style='background:" + s.color + "'></i>" + s.name + "</span>";
  }
  return out + "</div>";
}

}  // namespace

std::string ReportHtml(const Json& report) {
  const Json& plan = report["plan"];
  const Json& results = report["results"];
  const bool judged = report.contains("targets");
  const long long cheapest = CheapestIndex(report);
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
       << "<title>Rehearsal: " << EscapeMarkup(plan["name"].get<std::string>()) << "</title><style>"
       << kStyle
       << "</style></head><body>\n<h1>Rehearsal: " << EscapeMarkup(plan["name"].get<std::string>())
       << "</h1><p class='plan'>" << Hours(plan["duration_s"].get<double>()) << " simulated, seed "
       << plan["seed"].get<uint64_t>() << ", session_type "
       << EscapeMarkup(plan["session_type"].get<std::string>()) << ", " << results.size()
       << (results.size() == 1 ? " setting" : " settings");
  if (judged) {
    std::string targets;
    for (const Json& t : report["targets"])
      targets += (targets.empty() ? "" : ", ") + t.get<std::string>();
    html << "; target " << EscapeMarkup(targets) << ": "
         << (cheapest >= 0 ? "the cheapest setting meeting it is marked"
                           : "<strong id='no-setting'>no setting meets it</strong>");
  }
  html << "</p>\n<table id='settings'><thead><tr><th>setting</th><th>players</th>"
       << "<th>refused</th><th>gave up</th><th>time to session p99</th><th>peak payloads</th>"
       << "<th>idle Ready h</th><th>Reserved h</th><th>payload h</th>"
       << "<th>List staleness p99</th>" << (judged ? "<th>target</th>" : "")
       << "</tr></thead><tbody>\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& r = results[i];
    std::string cls;
    if (cheapest == static_cast<long long>(i)) cls = "cheapest";
    if (judged && !r["meets_targets"].get<bool>()) cls = "misses";
    html << "<tr id='setting-" << i << "'" << (cls.empty() ? "" : " class='" + cls + "'") << ">"
         << "<td>" << SettingsText(r["settings"]) << "</td>"
         << "<td>" << r["sessions_requested"].get<long long>() << "</td>"
         << "<td>" << Number(r["refused_fraction"].get<double>() * 100, 2) << "%</td>"
         << "<td>" << r["players_gave_up"].get<long long>() << "</td>"
         << "<td>" << Number(r["time_to_session_ms"]["p99"].get<double>() / 1000, 1) << " s</td>"
         << "<td>" << r["peak_payloads"].get<int>() << "</td>"
         << "<td>" << Number(r["idle_ready_payload_hours"].get<double>(), 1) << "</td>"
         << "<td>" << Number(r["reserved_payload_hours"].get<double>(), 1) << "</td>"
         << "<td>" << Number(r["payload_hours"].get<double>(), 1) << "</td>"
         << "<td>" << Number(r["list_staleness_s"]["p99"].get<double>(), 1) << " s</td>";
    if (judged) {
      html << "<td class='verdict'>"
           << (cheapest == static_cast<long long>(i) ? "cheapest meeting the target"
               : r["meets_targets"].get<bool>()      ? "meets"
                                                     : "misses")
           << "</td>";
    }
    html << "</tr>\n";
  }
  html << "</tbody></table>\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& t = results[i]["timeline"];
    const double bucket_s = t["bucket_s"].get<double>();
    const std::vector<double> start_s = t["start_s"].get<std::vector<double>>();
    const std::vector<Series> demand = {
        {"players a minute", "#2f6fdf", PerMinute(t["players"], bucket_s)},
        {"refused a minute", "#d93025", PerMinute(t["refused"], bucket_s)}};
    const std::vector<Series> payloads = {
        {"reserved", "#2f6fdf", t["reserved"].get<std::vector<double>>()},
        {"ready", "#34a853", t["ready"].get<std::vector<double>>()},
        {"starting", "#f9ab00", t["starting"].get<std::vector<double>>()},
        {"leaving", "#9aa0a6", t["leaving"].get<std::vector<double>>()}};
    html << "<section class='setting' id='chart-" << i << "'><h2>"
         << SettingsText(results[i]["settings"]) << "</h2><div class='plots'><div>"
         << Lines(demand, start_s, bucket_s, "players a minute", "demand-" + std::to_string(i))
         << Legend(demand) << "</div><div>"
         << Stacked(payloads, start_s, bucket_s, "payloads by state",
                    "payloads-" + std::to_string(i))
         << Legend(payloads) << "</div></div>" << RolloutsTable(results[i], i) << "</section>\n";
  }
  html << "</body></html>\n";
  return html.str();
}

}  // namespace imsemu::rehearse
