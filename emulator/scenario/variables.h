// Variables: `${name}` in a step's parameters and expectations, replaced by
// what an earlier step saved (or the scenario's `vars`). Pure functions.
#pragma once

#include <map>
#include <string>

#include "emulator/scenario/scenario.h"
#include "ims_emulator/status.h"

namespace imsemu::scenario {

using Variables = std::map<std::string, Json>;

// `value` with every `${name}` replaced; a string that is exactly one
// `${name}` takes the saved value's type. InvalidArgument for an unclosed
// `${` or a variable nothing saved.
StatusOr<Json> Substitute(const Json& value, const Variables& vars);

// The text of a value: a string as it is, anything else as JSON.
std::string Text(const Json& value);

}  // namespace imsemu::scenario
