#include "emulator/util/id_source.h"

#include <cstdio>

namespace imsemu {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t IdSource::Next() { return SplitMix64(seed_ * 0x2545f4914f6cdd1dULL + ++draws_); }

std::string IdSource::NextPayloadId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t bits = Next();
  std::string id(11, '-');
  for (int i = 0; i < 11; ++i) {
    if (i == 5) continue;
    id[i] = kAlphabet[bits % 36];
    bits /= 36;
  }
  return id;
}

std::string IdSource::NextUuid() {
  const uint64_t hi = Next();
  const uint64_t lo = Next();
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0x0fff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

int IdSource::NextInRange(int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(Next() % span);
}

double IdSource::NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

}  // namespace imsemu
