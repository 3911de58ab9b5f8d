#include "emulator/util/rfc3339.h"

#include <cstdio>
#include <string_view>

namespace imsemu {

std::string FormatRfc3339(Time t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  // Room for what the compiler cannot rule out (a MinSizeRel build warns
  // with -Wformat-truncation below 86), not only for what a time prints.
  char buf[96];
  const long long ms = hms.subseconds().count();
  if (ms == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                  static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                  static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()), ms);
  }
  return buf;
}

std::optional<Time> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS exactly: digits where digits go (no signs, no
  // spaces), then a fraction and the zone.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size()) return std::nullopt;
  for (size_t i = 0; i < kShape.size(); ++i) {
    const char c = text[i];
    const bool ok = kShape[i] == 'd' ? (c >= '0' && c <= '9')
                                     : (c == kShape[i] || (kShape[i] == 'T' && c == 't'));
    if (!ok) return std::nullopt;
  }
  auto number = [&](size_t at, size_t n) {
    unsigned v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + static_cast<unsigned>(text[i] - '0');
    return v;
  };
  const int y = static_cast<int>(number(0, 4));
  const unsigned mo = number(5, 2), d = number(8, 2), h = number(11, 2), mi = number(14, 2),
                 s = number(17, 2);
  std::string_view rest = text.substr(19);
  long long ms = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) ms = ms * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00") return std::nullopt;
  const year_month_day ymd{year(y), month(mo), day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const Time t = Time(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(s) + milliseconds(ms);
  // A leap second on the last one of 9999 would read as year 10000.
  if (t >= Time(sys_days(year(10000) / January / 1))) return std::nullopt;
  return t;
}

}  // namespace imsemu
