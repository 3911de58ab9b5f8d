// Plan: what `ims-emulator rehearse` simulates, as the plan file says it.
//
// Players arrive (a Poisson process whose rate may follow a curve, a daily
// shape and spikes), each asks the Session Manager for a session and retries
// a refusal a few times; simulated game servers become Ready after a
// start-up time, play a match of a sampled length and exit 0 (or crash). One
// allocation serves them; the sweep lists the allocation settings to compare.
// Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/clock/clock.h"

namespace imsemu::rehearse {

// A random duration. Samples are whole milliseconds.
struct Distribution {
  enum class Kind { kFixed, kExponential, kLognormal, kUniform, kEmpirical };
  Kind kind = Kind::kFixed;
  Duration value{0};  // fixed: the value; exponential, lognormal: the mean
  Duration sd{0};     // lognormal: the standard deviation
  Duration min{0};    // uniform
  Duration max{0};
  std::vector<Duration> samples;  // empirical: drawn from uniformly
  // The mean, for reports and the theory's offered load.
  double MeanMs() const;
};

// A burst of extra players: `per_minute` more from `at` for `length`.
struct Spike {
  Duration at{0};
  Duration length{0};
  double per_minute = 0;
};

// The arrival rate over time, in players a minute: exactly one base shape,
// plus spikes.
struct Arrivals {
  enum class Shape { kPoisson, kCurve, kDaily };
  Shape shape = Shape::kPoisson;
  double per_minute = 0;      // kPoisson: constant
  std::vector<double> curve;  // kCurve: minute i's rate (repeats when the plan is longer)
  double min_per_minute = 0;  // kDaily: a cosine from min at peak_at + 12 h
  double max_per_minute = 0;  //   to max at peak_at, every 24 h
  Duration peak_at{0};
  std::vector<Spike> spikes;

  // The rate at `t` after the start, players a minute.
  double RateAt(Duration t) const;
  // An upper bound of RateAt over the whole plan (for thinning).
  double MaxRate() const;
};

// A refused player asks again `retries` times, `every` apart, then gives up.
struct Patience {
  int retries = 0;
  Duration every{5000};
};

// A new build shipped at `at`: an edit of the allocation's payload_spec,
// rolled out as `serve` rolls one out (README "An edit rolls out"). The new
// build's game servers start in `ready_after` when given, else as the last
// build's did.
struct Rollout {
  Duration at{0};
  std::optional<Distribution> ready_after;
};

// The allocation fields a sweep may set.
struct Settings {
  int buffer_size = 1;
  int min_payloads = 0;
  int max_payloads = 100000;
  bool operator==(const Settings&) const = default;
};

// Names of the fields of Settings, as the plan and the report write them.
const std::vector<std::string>& SettingNames();
int& SettingField(Settings& settings, const std::string& name);
int SettingField(const Settings& settings, const std::string& name);

struct Plan {
  std::string file;  // where it was read from (names it in errors)
  std::string name;
  uint64_t seed = 1;
  Duration duration{0};
  std::string session_type = "default";
  Settings allocation;
  Arrivals arrivals;
  Distribution match_length;
  Patience patience;
  // Players come from this long after the start, when the allocation has had
  // time to fill its buffer (0: at once, as at a launch).
  Duration demand_starts_after{0};
  Distribution ready_after;
  double crash_probability = 0;
  // Status-cache lag the Session Manager shows (the emulator's default: a
  // cache refreshed every 12 s).
  Duration status_cache_ttl{12000};
  // New builds shipped during the day, in time order.
  std::vector<Rollout> rollouts;
  // Each field to sweep with its values, in the plan's order; the runs are
  // their product, the last field changing fastest.
  std::vector<std::pair<std::string, std::vector<int>>> sweep;

  // Every setting the sweep makes (the plan's allocation alone without one).
  std::vector<Settings> SweptSettings() const;
};

}  // namespace imsemu::rehearse
