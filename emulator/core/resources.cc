#include "emulator/core/resources.h"

#include <cmath>

namespace imsemu::core {
namespace {

struct Suffix {
  std::string_view text;
  double factor;
};

// A decimal number ("12", "0.5", ".5") and what follows it; nullopt when
// `text` does not start with one. Read by hand: strtod follows the locale.
std::optional<double> LeadingNumber(std::string_view text, std::string_view& rest) {
  double value = 0;
  double scale = 1;
  bool digits = false;
  bool fraction = false;
  size_t i = 0;
  for (; i < text.size() && i < 24; ++i) {
    const char c = text[i];
    if (c == '.' && !fraction) {
      fraction = true;
    } else if (c >= '0' && c <= '9') {
      digits = true;
      if (fraction) {
        scale /= 10;
        value += (c - '0') * scale;
      } else {
        value = value * 10 + (c - '0');
      }
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  rest = text.substr(i);
  return value;
}

std::optional<double> Quantity(std::string_view text, std::initializer_list<Suffix> suffixes) {
  std::string_view rest;
  const std::optional<double> number = LeadingNumber(text, rest);
  if (!number || *number <= 0) return std::nullopt;
  if (rest.empty()) return *number;
  for (const Suffix& s : suffixes) {
    if (rest == s.text) return *number * s.factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<long long> MilliCpuOf(std::string_view text) {
  const std::optional<double> cores = Quantity(text, {{"m", 0.001}});
  if (!cores || *cores > 1e6) return std::nullopt;
  const long long milli = std::llround(*cores * 1000);
  if (milli < 1) return std::nullopt;  // under a millicore: no container runtime takes it
  return milli;
}

std::optional<long long> MemoryBytesOf(std::string_view text) {
  constexpr double kKi = 1024.0;
  const std::optional<double> bytes = Quantity(text, {{"k", 1e3},
                                                      {"M", 1e6},
                                                      {"G", 1e9},
                                                      {"T", 1e12},
                                                      {"Ki", kKi},
                                                      {"Mi", kKi * kKi},
                                                      {"Gi", kKi * kKi * kKi},
                                                      {"Ti", kKi * kKi * kKi * kKi}});
  if (!bytes || *bytes > kKi * kKi * kKi * kKi * kKi) return std::nullopt;
  return static_cast<long long>(std::ceil(*bytes));
}

std::string CoresText(long long millicores) {
  std::string out = std::to_string(millicores / 1000);
  if (const long long frac = millicores % 1000; frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace imsemu::core
