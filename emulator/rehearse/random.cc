#include "emulator/rehearse/random.h"

#include <algorithm>
#include <cmath>

#include "emulator/util/id_source.h"

namespace imsemu::rehearse {
namespace {

constexpr double kTwoPi = 6.283185307179586;

}  // namespace

Random::Random(uint64_t seed, Stream stream)
    : engine_(SplitMix64(seed ^ SplitMix64(static_cast<uint64_t>(stream)))) {}

double Random::Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Random::Exponential(double mean) { return -mean * std::log1p(-Uniform()); }

double Random::Normal() {
  const double u1 = 1.0 - Uniform();  // (0, 1]
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

Duration Random::Sample(const Distribution& d) {
  using Kind = Distribution::Kind;
  double ms = 0;
  switch (d.kind) {
    case Kind::kFixed:
      return d.value;
    case Kind::kExponential:
      ms = Exponential(static_cast<double>(d.value.count()));
      break;
    case Kind::kLognormal: {
      // Mean m and standard deviation s of the lognormal itself.
      const double m = static_cast<double>(d.value.count());
      const double s = static_cast<double>(d.sd.count());
      const double sigma2 = std::log1p((s * s) / (m * m));
      const double mu = std::log(m) - sigma2 / 2;
      ms = std::exp(mu + std::sqrt(sigma2) * Normal());
      break;
    }
    case Kind::kUniform:
      ms = static_cast<double>(d.min.count()) +
           Uniform() * static_cast<double>((d.max - d.min).count());
      break;
    case Kind::kEmpirical: {
      const auto i = static_cast<size_t>(Uniform() * static_cast<double>(d.samples.size()));
      return d.samples[std::min(i, d.samples.size() - 1)];
    }
  }
  return Duration(std::max(0LL, std::llround(ms)));
}

}  // namespace imsemu::rehearse
