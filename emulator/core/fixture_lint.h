// FixtureLint: what in a world's allocations goes against IMS's integration
// guide, in words. Run by `ims-emulator lint`, as warnings at `serve`, and as
// a case of `ims-emulator check`. Pure function.
//
// The guide: give each session type its own allocation, used by the Session
// Manager alone, with a sensible maximum payload count.
#pragma once

#include <string>
#include <vector>

#include "emulator/core/world.h"

namespace imsemu::core {

struct LintFinding {
  std::string where;  // e.g. "projects[0].allocations[1] (arena)"
  std::string message;
};

// Above this many payloads an allocation's cap is no cap: a client bug that
// creates sessions in a loop starts that many game servers.
inline constexpr int kLintMaxPayloads = 1000;

std::vector<LintFinding> LintFixture(const Fixture& fixture);

}  // namespace imsemu::core
