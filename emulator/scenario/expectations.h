// Expectations: whether an answer is what a step's `expect` says, and the
// difference when it is not. Pure functions.
#pragma once

#include <optional>
#include <string>

#include "emulator/scenario/scenario.h"
#include "emulator/scenario/variables.h"

namespace imsemu::scenario {

// nullopt when the answer (`status`, 0 for none, and `body`) meets `expect`
// (no status given: 200); else "expected: ...\n  actual: ..." for the first
// difference. Expected values may use variables; expected scalars match
// strings that spell them (`players: 0` matches "0").
std::optional<std::string> Mismatch(const Expectation& expect, int status, const Json& body,
                                    const Variables& vars);

// `s`, cut to `n` bytes with a note of its length.
std::string Truncate(const std::string& s, size_t n = 600);

}  // namespace imsemu::scenario
