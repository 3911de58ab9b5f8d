#include "emulator/rehearse/plan.h"

#include <algorithm>
#include <cmath>

namespace imsemu::rehearse {
namespace {

constexpr double kDayMs = 86400000;
constexpr double kPi = 3.141592653589793;

}  // namespace

double Distribution::MeanMs() const {
  switch (kind) {
    case Kind::kFixed:
    case Kind::kExponential:
    case Kind::kLognormal:
      return static_cast<double>(value.count());
    case Kind::kUniform:
      return static_cast<double>((min + max).count()) / 2;
    case Kind::kEmpirical: {
      if (samples.empty()) return 0;
      long double sum = 0;
      for (Duration d : samples) sum += static_cast<long double>(d.count());
      return static_cast<double>(sum / static_cast<long double>(samples.size()));
    }
  }
  return 0;
}

double Arrivals::RateAt(Duration t) const {
  const double ms = static_cast<double>(t.count());
  double rate = 0;
  switch (shape) {
    case Shape::kPoisson:
      rate = per_minute;
      break;
    case Shape::kCurve: {
      if (curve.empty()) break;
      const auto minute = static_cast<size_t>(t.count() / 60000);
      rate = curve[minute % curve.size()];
      break;
    }
    case Shape::kDaily: {
      const double phase = (ms - static_cast<double>(peak_at.count())) / kDayMs;
      const double wave = (1 + std::cos(2 * kPi * phase)) / 2;  // 1 at the peak
      rate = min_per_minute + (max_per_minute - min_per_minute) * wave;
      break;
    }
  }
  for (const Spike& s : spikes) {
    if (t >= s.at && t < s.at + s.length) rate += s.per_minute;
  }
  return rate;
}

double Arrivals::MaxRate() const {
  double base = per_minute;
  if (shape == Shape::kCurve && !curve.empty())
    base = *std::max_element(curve.begin(), curve.end());
  if (shape == Shape::kDaily) base = std::max(min_per_minute, max_per_minute);
  double spikes_sum = 0;
  for (const Spike& s : spikes) spikes_sum += s.per_minute;
  return base + spikes_sum;
}

const std::vector<std::string>& SettingNames() {
  static const std::vector<std::string> names = {"buffer_size", "min_payloads", "max_payloads"};
  return names;
}

int& SettingField(Settings& s, const std::string& name) {
  if (name == "buffer_size") return s.buffer_size;
  if (name == "min_payloads") return s.min_payloads;
  return s.max_payloads;
}

int SettingField(const Settings& s, const std::string& name) {
  Settings copy = s;
  return SettingField(copy, name);
}

std::vector<Settings> Plan::SweptSettings() const {
  std::vector<Settings> out = {allocation};
  for (const auto& [field, values] : sweep) {
    std::vector<Settings> next;
    for (const Settings& base : out) {
      for (int v : values) {
        Settings s = base;
        SettingField(s, field) = v;
        next.push_back(s);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace imsemu::rehearse
