#include "emulator/scenario/expectations.h"

#include "emulator/scenario/json_path.h"

namespace imsemu::scenario {
namespace {

bool Matches(const Json& expected, const Json& actual) {
  if (expected == actual) return true;
  return actual.is_string() && !expected.is_string() && expected.is_primitive() &&
         actual.get<std::string>() == expected.dump();
}

}  // namespace

std::string Truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::optional<std::string> Mismatch(const Expectation& expect, int status, const Json& body,
                                    const Variables& vars) {
  const int want = expect.status.value_or(200);
  if (status != want) {
    return "expected: status " + std::to_string(want) + "\n  actual:   status " +
           (status == 0 ? std::string("none (nothing answered)") : std::to_string(status));
  }
  for (const auto& [path, raw_expected] : expect.body) {
    StatusOr<Json> expected = Substitute(raw_expected, vars);
    if (!expected.ok()) return "expect." + path + ": " + expected.status().message();
    const Json* actual = FindPath(body, path);
    if (actual == nullptr || !Matches(*expected, *actual)) {
      return "expected: " + path + " = " + expected->dump() + "\n  actual:   " + path +
             (actual == nullptr ? " is absent" : " = " + Truncate(actual->dump(), 300));
    }
  }
  for (const std::string& path : expect.absent) {
    if (const Json* actual = FindPath(body, path)) {
      return "expected: " + path + " absent\n  actual:   " + path + " = " +
             Truncate(actual->dump(), 300);
    }
  }
  return std::nullopt;
}

}  // namespace imsemu::scenario
