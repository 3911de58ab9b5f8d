#include "emulator/rehearse/plan_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "emulator/codec/json_fields.h"
#include "emulator/codec/yaml_json.h"
#include "emulator/core/metadata.h"
#include "emulator/util/file_problem.h"
#include "emulator/util/suggest.h"
#include "emulator/util/utf8.h"

namespace imsemu::rehearse {
namespace {

using Json = nlohmann::json;

struct LoadError {
  int line;
  std::string message;
};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

std::string Listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The reader of one plan: its path, its file reader, and the map walkers.
class Loader {
 public:
  Loader(std::string path, PlanFileReader read) : path_(std::move(path)), read_(std::move(read)) {}

  Plan Load(const YAML::Node& root) {
    Plan plan;
    plan.file = path_;
    Map(root, "", "the plan",
        {"name", "seed", "duration", "allocation", "demand", "servers", "session_manager", "sweep",
         "rollouts"},
        [&](const std::string& key, const YAML::Node& v, const std::string& field) {
          if (key == "name") {
            plan.name = String(v, field);
          } else if (key == "seed") {
            const double seed = Number(v, field, 0, 1e15, "an integer >= 0");
            if (seed != std::floor(seed)) Fail(v, field + " must be an integer >= 0");
            plan.seed = static_cast<uint64_t>(seed);
          } else if (key == "duration") {
            plan.duration = ReadDuration(v, field);
            if (plan.duration.count() <= 0) Fail(v, field + " must be longer than 0s");
          } else if (key == "allocation") {
            ReadAllocation(v, field, plan);
          } else if (key == "demand") {
            ReadDemand(v, field, plan);
          } else if (key == "servers") {
            ReadServers(v, field, plan);
          } else if (key == "session_manager") {
            Map(v, field, field, {"status_cache_ttl"},
                [&](const std::string&, const YAML::Node& ttl, const std::string& f) {
                  plan.status_cache_ttl = ReadDuration(ttl, f);
                  if (plan.status_cache_ttl.count() <= 0) Fail(ttl, f + " must be longer than 0s");
                });
          } else if (key == "rollouts") {
            ReadRollouts(v, field, plan);
          } else {
            ReadSweep(v, field, plan);
          }
        });
    if (plan.name.empty()) throw LoadError{1, "a plan needs a name"};
    if (plan.duration.count() == 0) throw LoadError{1, "a plan needs a duration (like 24h)"};
    if (!has_demand_) throw LoadError{1, "a plan needs a demand (arrivals and match_length)"};
    Check(plan, root);
    return plan;
  }

 private:
  using Visit = std::function<void(const std::string& key, const YAML::Node& value,
                                   const std::string& field)>;

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& message) {
    throw LoadError{LineOf(at), message};
  }

  // Walks a map whose keys must be among `known`; `what` names it in errors.
  void Map(const YAML::Node& node, const std::string& path, const std::string& what,
           const std::vector<std::string>& known, const Visit& visit) {
    if (!node.IsMap()) Fail(node, what + " must be a map (" + Listed(known) + ")");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) Fail(kv.first, what + ": each key must be a name");
      const std::string key = kv.first.Scalar();
      const std::string field = codec::FieldPath(path, key);
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Fail(kv.first, "unknown field '" + field + "'" + DidYouMean(key, known) + "; " + what +
                           " takes " + Listed(known));
      }
      if (!seen.insert(key).second) Fail(kv.first, field + " is given twice");
      visit(key, kv.second, field);
    }
  }

  // The one key of a map that says which form it takes.
  std::string OneOf(const YAML::Node& node, const std::string& field,
                    const std::vector<std::string>& forms, const std::set<std::string>& beside) {
    if (!node.IsMap()) Fail(node, field + " must be a map with one of " + Listed(forms));
    std::string form;
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (beside.count(key) > 0) continue;
      if (std::find(forms.begin(), forms.end(), key) == forms.end()) {
        std::vector<std::string> all = forms;
        all.insert(all.end(), beside.begin(), beside.end());
        Fail(kv.first, "unknown field '" + codec::FieldPath(field, key) + "'" +
                           DidYouMean(key, all) + "; " + field + " takes one of " + Listed(forms));
      }
      if (!form.empty()) {
        Fail(kv.first, field + " takes one of " + Listed(forms) + ", not both '" + form +
                           "' and '" + key + "'");
      }
      form = key;
    }
    if (form.empty()) Fail(node, field + " needs one of " + Listed(forms));
    return form;
  }

  std::string String(const YAML::Node& v, const std::string& field) {
    if (!v.IsScalar() || v.Scalar().empty()) Fail(v, field + " must be a non-empty string");
    return v.Scalar();
  }

  double Number(const YAML::Node& v, const std::string& field, double min, double max,
                const std::string& rule) {
    const Json j = v.IsScalar() ? codec::YamlToJson(v) : Json();
    if (!j.is_number()) Fail(v, field + " must be " + rule);
    const double x = j.get<double>();
    if (!std::isfinite(x) || x < min || x > max) Fail(v, field + " must be " + rule);
    return x;
  }

  int Int(const YAML::Node& v, const std::string& field, int min, int max) {
    const std::string rule =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const double x = Number(v, field, min, max, rule);
    if (x != std::floor(x)) Fail(v, field + " must be " + rule);
    return static_cast<int>(x);
  }

  Duration ReadDuration(const YAML::Node& v, const std::string& field) {
    if (!v.IsScalar()) Fail(v, field + " must be a duration like 30s, 20m or 24h");
    StatusOr<Duration> d = codec::ParseDuration(codec::YamlToJson(v));
    if (!d.ok()) Fail(v, field + ": " + d.status().message());
    if (d->count() > kMaxPlanDurationMs) Fail(v, field + " must be at most 31 days");
    return *d;
  }

  void ReadAllocation(const YAML::Node& node, const std::string& path, Plan& plan) {
    Map(node, path, path, {"session_type", "buffer_size", "min_payloads", "max_payloads"},
        [&](const std::string& key, const YAML::Node& v, const std::string& field) {
          if (key == "session_type") {
            plan.session_type = String(v, field);
            const Status rule =
                core::ValidateMetadataValue("allocation.annotations.session_type",
                                            core::MetadataKind::kAnnotation, plan.session_type);
            if (!rule.ok()) Fail(v, field + ": " + rule.message());
          } else {
            SettingField(plan.allocation, key) = Int(v, field, 0, kMaxPayloads);
          }
        });
  }

  void ReadDemand(const YAML::Node& node, const std::string& path, Plan& plan) {
    bool has_arrivals = false;
    bool has_length = false;
    Map(node, path, path, {"arrivals", "match_length", "patience", "starts_after"},
        [&](const std::string& key, const YAML::Node& v, const std::string& field) {
          if (key == "arrivals") {
            has_arrivals = true;
            ReadArrivals(v, field, plan.arrivals);
          } else if (key == "match_length") {
            has_length = true;
            plan.match_length = ReadDistribution(v, field);
          } else if (key == "starts_after") {
            plan.demand_starts_after = ReadDuration(v, field);
          } else {
            Map(v, field, field, {"retries", "every"},
                [&](const std::string& k, const YAML::Node& x, const std::string& f) {
                  if (k == "retries") {
                    plan.patience.retries = Int(x, f, 0, kMaxRetries);
                  } else {
                    plan.patience.every = ReadDuration(x, f);
                    if (plan.patience.every.count() <= 0) Fail(x, f + " must be longer than 0s");
                  }
                });
          }
        });
    if (!has_arrivals) Fail(node, path + " needs arrivals");
    if (!has_length) Fail(node, path + " needs a match_length");
    has_demand_ = true;
  }

  double Rate(const YAML::Node& v, const std::string& field) {
    return Number(v, field, 0, 1e6, "a number of players a minute from 0 to 1000000");
  }

  void ReadArrivals(const YAML::Node& node, const std::string& path, rehearse::Arrivals& out) {
    const std::string form = OneOf(node, path, {"poisson", "curve", "daily"}, {"spikes"});
    const YAML::Node v = node[form];
    const std::string field = codec::FieldPath(path, form);
    if (form == "poisson") {
      out.shape = rehearse::Arrivals::Shape::kPoisson;
      Map(v, field, field, {"per_minute"},
          [&](const std::string&, const YAML::Node& x, const std::string& f) {
            out.per_minute = Rate(x, f);
          });
      if (!v["per_minute"]) Fail(v, field + " needs per_minute");
    } else if (form == "curve") {
      out.shape = rehearse::Arrivals::Shape::kCurve;
      Map(v, field, field, {"csv"},
          [&](const std::string&, const YAML::Node& x, const std::string& f) {
            out.curve = Curve(x, f);
          });
      if (!v["csv"]) Fail(v, field + " needs csv (a file of minute,per_minute rows)");
    } else {
      out.shape = rehearse::Arrivals::Shape::kDaily;
      bool has_min = false;
      bool has_max = false;
      Map(v, field, field, {"min_per_minute", "max_per_minute", "peak_at"},
          [&](const std::string& k, const YAML::Node& x, const std::string& f) {
            if (k == "min_per_minute") {
              has_min = true;
              out.min_per_minute = Rate(x, f);
            } else if (k == "max_per_minute") {
              has_max = true;
              out.max_per_minute = Rate(x, f);
            } else {
              out.peak_at = ReadDuration(x, f);
            }
          });
      if (!has_min || !has_max) Fail(v, field + " needs min_per_minute and max_per_minute");
      if (out.min_per_minute > out.max_per_minute) {
        Fail(v, field + ".min_per_minute must be at most max_per_minute");
      }
    }
    if (const YAML::Node spikes = node["spikes"]) {
      const std::string f = codec::FieldPath(path, "spikes");
      if (!spikes.IsSequence()) Fail(spikes, f + " must be a list of {at, for, per_minute}");
      int i = 0;
      for (const YAML::Node& s : spikes) {
        const std::string item = f + "[" + std::to_string(i++) + "]";
        Spike spike;
        Map(s, item, item, {"at", "for", "per_minute"},
            [&](const std::string& k, const YAML::Node& x, const std::string& ff) {
              if (k == "at") spike.at = ReadDuration(x, ff);
              if (k == "for") spike.length = ReadDuration(x, ff);
              if (k == "per_minute") spike.per_minute = Rate(x, ff);
            });
        if (!s["at"] || !s["for"] || !s["per_minute"]) {
          Fail(s, item + " needs at, for and per_minute");
        }
        out.spikes.push_back(spike);
      }
    }
  }

  rehearse::Distribution ReadDistribution(const YAML::Node& node, const std::string& path) {
    using Kind = rehearse::Distribution::Kind;
    rehearse::Distribution d;
    if (node.IsScalar()) {  // a bare duration is a fixed one
      d.value = ReadDuration(node, path);
      return d;
    }
    const std::string form =
        OneOf(node, path, {"fixed", "exponential", "lognormal", "uniform", "empirical"}, {});
    const YAML::Node v = node[form];
    const std::string field = codec::FieldPath(path, form);
    auto need = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys) {
        if (!v[k]) Fail(v, field + " needs " + k);
      }
    };
    if (form == "fixed") {
      d.kind = Kind::kFixed;
      d.value = ReadDuration(v, field);
    } else if (form == "exponential") {
      d.kind = Kind::kExponential;
      Map(v, field, field, {"mean"},
          [&](const std::string&, const YAML::Node& x, const std::string& f) {
            d.value = ReadDuration(x, f);
          });
      need({"mean"});
      if (d.value.count() <= 0) Fail(v, field + ".mean must be longer than 0s");
    } else if (form == "lognormal") {
      d.kind = Kind::kLognormal;
      Map(v, field, field, {"mean", "sd"},
          [&](const std::string& k, const YAML::Node& x, const std::string& f) {
            (k == "mean" ? d.value : d.sd) = ReadDuration(x, f);
          });
      need({"mean", "sd"});
      if (d.value.count() <= 0) Fail(v, field + ".mean must be longer than 0s");
    } else if (form == "uniform") {
      d.kind = Kind::kUniform;
      Map(v, field, field, {"min", "max"},
          [&](const std::string& k, const YAML::Node& x, const std::string& f) {
            (k == "min" ? d.min : d.max) = ReadDuration(x, f);
          });
      need({"min", "max"});
      if (d.min > d.max) Fail(v, field + ".min must be at most max");
    } else {
      d.kind = Kind::kEmpirical;
      Map(v, field, field, {"csv"},
          [&](const std::string&, const YAML::Node& x, const std::string& f) {
            d.samples = Samples(x, f);
          });
      need({"csv"});
    }
    return d;
  }

  void ReadServers(const YAML::Node& node, const std::string& path, Plan& plan) {
    Map(node, path, path, {"ready_after", "crash_probability"},
        [&](const std::string& key, const YAML::Node& v, const std::string& field) {
          if (key == "ready_after") {
            plan.ready_after = ReadDistribution(v, field);
          } else {
            plan.crash_probability = Number(v, field, 0, 1, "a probability from 0 to 1");
          }
        });
  }

  void ReadRollouts(const YAML::Node& node, const std::string& path, Plan& plan) {
    if (!node.IsSequence() || node.size() == 0) {
      Fail(node, path + " must be a non-empty list of new builds, like [{at: 14h}]");
    }
    if (node.size() > kMaxRollouts) {
      Fail(node, path + " may list at most " + std::to_string(kMaxRollouts) + " new builds");
    }
    int i = 0;
    for (const YAML::Node& item : node) {
      const std::string at = path + "[" + std::to_string(i++) + "]";
      Rollout rollout;
      bool has_at = false;
      Map(item, at, at, {"at", "ready_after"},
          [&](const std::string& key, const YAML::Node& v, const std::string& field) {
            if (key == "at") {
              rollout.at = ReadDuration(v, field);
              has_at = true;
            } else {
              rollout.ready_after = ReadDistribution(v, field);
            }
          });
      if (!has_at) Fail(item, at + " needs at (when the new build ships, like 14h)");
      if (!plan.rollouts.empty() && rollout.at <= plan.rollouts.back().at) {
        Fail(item, at + ".at must be later than the build before it");
      }
      plan.rollouts.push_back(std::move(rollout));
    }
  }

  void ReadSweep(const YAML::Node& node, const std::string& path, Plan& plan) {
    Map(node, path, path, SettingNames(),
        [&](const std::string& key, const YAML::Node& v, const std::string& field) {
          if (!v.IsSequence() || v.size() == 0) {
            Fail(v, field + " must be a non-empty list of values");
          }
          std::vector<int> values;
          int i = 0;
          for (const YAML::Node& x : v) {
            values.push_back(Int(x, field + "[" + std::to_string(i++) + "]", 0, kMaxPayloads));
          }
          plan.sweep.emplace_back(key, std::move(values));
        });
  }

  // The text of a file the plan names, relative to the plan's folder.
  std::string File(const YAML::Node& v, const std::string& field) {
    const std::string name = String(v, field);
    const std::filesystem::path base = std::filesystem::path(path_).parent_path();
    const std::string resolved = std::filesystem::path(name).is_absolute()
                                     ? name
                                     : (base / name).lexically_normal().string();
    StatusOr<std::string> text = read_(resolved);
    if (!text.ok()) Fail(v, field + ": " + text.status().message());
    return *text;
  }

  // Each data row of a CSV file as its cells; a first row that is not
  // numbers is a header, blank lines and lines starting with # are skipped.
  std::vector<std::pair<int, std::vector<double>>> Rows(const YAML::Node& v,
                                                        const std::string& field) {
    const std::string text = File(v, field);
    const std::string file = v.Scalar();
    std::vector<std::pair<int, std::vector<double>>> rows;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      std::vector<double> cells;
      std::istringstream cells_in(line);
      std::string cell;
      bool numeric = true;
      while (std::getline(cells_in, cell, ',')) {
        size_t end = 0;
        double x = 0;
        try {
          x = std::stod(cell, &end);
        } catch (const std::exception&) {
          numeric = false;
          break;
        }
        while (end < cell.size() && std::isspace(static_cast<unsigned char>(cell[end]))) ++end;
        if (end != cell.size() || !std::isfinite(x)) {
          numeric = false;
          break;
        }
        cells.push_back(x);
      }
      if (!numeric) {
        if (rows.empty() && number == 1) continue;  // a header
        Fail(v, field + ": " + file + ":" + std::to_string(number) + ": '" + line +
                    "' is not a row of numbers");
      }
      if (rows.size() >= kMaxCsvRows) Fail(v, field + ": " + file + " has over 1000000 rows");
      rows.emplace_back(number, std::move(cells));
    }
    if (rows.empty()) Fail(v, field + ": " + file + " has no rows");
    return rows;
  }

  // minute,per_minute rows from minute 0 ascending; a rate holds until the
  // next row's minute.
  std::vector<double> Curve(const YAML::Node& v, const std::string& field) {
    std::vector<double> curve;
    const std::string file = v.Scalar();
    for (const auto& [line, cells] : Rows(v, field)) {
      const std::string at = field + ": " + file + ":" + std::to_string(line) + ": ";
      if (cells.size() != 2) Fail(v, at + "a row is minute,per_minute");
      const double minute = cells[0];
      const double rate = cells[1];
      if (minute != std::floor(minute) || minute < 0 || minute > 44640) {
        Fail(v, at + "the minute must be a whole number from 0 to 44640 (31 days)");
      }
      if (rate < 0 || rate > 1e6) Fail(v, at + "per_minute must be from 0 to 1000000");
      const auto m = static_cast<size_t>(minute);
      if (curve.empty() && m != 0) Fail(v, at + "the first row must be minute 0");
      if (!curve.empty() && m < curve.size()) Fail(v, at + "minutes must ascend");
      while (!curve.empty() && curve.size() < m) curve.push_back(curve.back());
      curve.push_back(rate);
    }
    return curve;
  }

  // One duration in seconds a row.
  std::vector<Duration> Samples(const YAML::Node& v, const std::string& field) {
    std::vector<Duration> samples;
    const std::string file = v.Scalar();
    for (const auto& [line, cells] : Rows(v, field)) {
      if (cells.size() != 1 || cells[0] < 0 || cells[0] * 1000 > kMaxPlanDurationMs) {
        Fail(v, field + ": " + file + ":" + std::to_string(line) +
                    ": a row is one duration in seconds, from 0 to 31 days");
      }
      samples.push_back(Duration(std::llround(cells[0] * 1000)));
    }
    return samples;
  }

  // The rules across fields.
  void Check(const Plan& plan, const YAML::Node& root) {
    for (const Settings& s : plan.SweptSettings()) {
      if (s.min_payloads > s.max_payloads) {
        Fail(root, "allocation: min_payloads (" + std::to_string(s.min_payloads) +
                       ") must be at most max_payloads (" + std::to_string(s.max_payloads) +
                       ") in every setting of the sweep");
      }
      if (s.buffer_size > s.max_payloads) {
        Fail(root, "allocation: buffer_size (" + std::to_string(s.buffer_size) +
                       ") must be at most max_payloads (" + std::to_string(s.max_payloads) +
                       ") in every setting of the sweep");
      }
    }
    size_t settings = 1;
    for (const auto& [field, values] : plan.sweep) {
      settings *= values.size();
      if (settings > kMaxSweepSettings) {
        Fail(root, "the sweep makes over " + std::to_string(kMaxSweepSettings) + " settings");
      }
    }
    const double players =
        plan.arrivals.MaxRate() * static_cast<double>(plan.duration.count()) / 60000;
    if (!plan.rollouts.empty() && plan.rollouts.back().at >= plan.duration) {
      Fail(root, "rollouts: each at must be within the plan's duration");
    }
    if (plan.demand_starts_after >= plan.duration) {
      Fail(root, "demand.starts_after must be shorter than the plan's duration");
    }
    if (players > kMaxArrivalsPerPlan) {
      Fail(root, "the plan's demand could bring up to " + std::to_string(std::llround(players)) +
                     " players; a plan may bring at most 20000000 (shorten it or split it)");
    }
  }

  std::string path_;
  PlanFileReader read_;
  bool has_demand_ = false;
};

StatusOr<std::string> ReadFromDisk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = FileProblem(path, FileUse::kRead);
    return InvalidArgument("cannot read '" + path + "'" + (why.empty() ? "" : ": " + why));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

StatusOr<Plan> ParsePlan(const std::string& text, const std::string& path,
                         const PlanFileReader& read) {
  if (const size_t bad = FirstInvalidUtf8(text); bad != text.size()) {
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    return InvalidArgument(path + ":" + std::to_string(line) + ": the file is not valid UTF-8");
  }
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return InvalidArgument(path + ":1: a plan is a map (name, duration, ...)");
    return Loader(path, read ? read : ReadFromDisk).Load(root);
  } catch (const LoadError& e) {
    return InvalidArgument(path + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

StatusOr<Plan> LoadPlan(const std::string& path) {
  IMSEMU_ASSIGN_OR_RETURN(std::string text, ReadFromDisk(path));
  return ParsePlan(text, path);
}

}  // namespace imsemu::rehearse
