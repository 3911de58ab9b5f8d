// The session configs a search draws reservations from: the studio's own
// example configs, each one's mutations (a key dropped, a value of another
// type, empty, null or nested, a string grown long, the text cut short), and
// the hostile configs `check` serves. Pure.
#pragma once

#include <string>
#include <vector>

namespace imsemu::explore {

// The examples first, then their mutations, then `hostile`; each config
// once, in that order (the same inputs, the same list).
std::vector<std::string> ConfigGrammar(const std::vector<std::string>& examples,
                                       const std::vector<std::string>& hostile);

// The mutations of one config: for a JSON object, each top-level key
// dropped and each value replaced; for any text, the text cut in half.
std::vector<std::string> Mutations(const std::string& config);

}  // namespace imsemu::explore
