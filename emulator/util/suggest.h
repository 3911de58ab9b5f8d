// "Did you mean": the nearest known name to a typo, for error messages (an
// unknown command, flag, fixture field, step kind or scenario key). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imsemu {

// The Levenshtein distance between `a` and `b`.
size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean 'x'?)" for the nearest of `known` if it is a near miss
// (at most 2 edits), else "".
template <typename Names>
std::string DidYouMean(std::string_view typo, const Names& known) {
  std::string_view best;
  size_t best_distance = 3;
  for (const auto& name : known) {
    const size_t d = EditDistance(typo, name);
    if (d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  if (best.empty()) return "";
  std::string out = " (did you mean '";
  return out.append(best).append("'?)");
}

}  // namespace imsemu
