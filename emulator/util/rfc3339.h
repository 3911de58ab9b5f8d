// RFC 3339 timestamps as the IMS APIs write them: UTC with a `Z`, e.g.
// `2026-11-24T10:00:00Z`, and milliseconds only when they are not zero
// (`2026-11-24T10:00:00.250Z`). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "emulator/clock/clock.h"

namespace imsemu {

// Formats `t` as RFC 3339 UTC.
std::string FormatRfc3339(Time t);

// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or a `+00:00` offset); nullopt if it is
// anything else.
std::optional<Time> ParseRfc3339(std::string_view text);

}  // namespace imsemu
