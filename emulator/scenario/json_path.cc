#include "emulator/scenario/json_path.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace imsemu::scenario {

const nlohmann::json* FindPath(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* at = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string::npos) return nullptr;
      std::string inside = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (inside.size() >= 2 && inside.front() == '"' && inside.back() == '"') {
        inside = inside.substr(1, inside.size() - 2);
        if (!at->is_object() || !at->contains(inside)) return nullptr;
        at = &(*at)[inside];
        continue;
      }
      if (inside.empty() || !std::all_of(inside.begin(), inside.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return nullptr;
      }
      size_t index = 0;
      const auto [end, error] =
          std::from_chars(inside.data(), inside.data() + inside.size(), index);
      if (error != std::errc() || end != inside.data() + inside.size()) return nullptr;  // too big
      if (!at->is_array() || index >= at->size()) return nullptr;
      at = &(*at)[index];
      continue;
    }
    const size_t end = path.find_first_of(".[", i);
    const std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    i = end == std::string::npos ? path.size() : end;
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
  }
  return at;
}

}  // namespace imsemu::scenario
