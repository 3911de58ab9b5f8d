// Shared by the fuzz targets: turning libFuzzer's bytes into inputs, and the
// one property every target checks besides "no crash": an answer is valid JSON
// (what a client must be able to parse), and dumping it never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace imsemu::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts (a finding) unless `json` dumps as JSON that parses again.
inline void CheckDumps(const nlohmann::json& json) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  if (nlohmann::json::parse(text, nullptr, false).is_discarded()) std::abort();
}

}  // namespace imsemu::fuzz
