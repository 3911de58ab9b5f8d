// EnumNames: the wire name of each value of an enum, from one table.
// Pure functions over a constexpr array of {value, name} pairs.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imsemu {

template <typename Enum, size_t N>
using EnumNameTable = std::array<std::pair<Enum, const char*>, N>;

// The name of `value`, or `fallback` if the table lacks it.
template <typename Enum, size_t N>
const char* NameOf(const EnumNameTable<Enum, N>& table, Enum value, const char* fallback) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return fallback;
}

// The value named `name` (exact case), or nullopt.
template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const EnumNameTable<Enum, N>& table, std::string_view name) {
  for (const auto& [v, text] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

// Every name, in the table's order.
template <typename Enum, size_t N>
std::vector<std::string> NameList(const EnumNameTable<Enum, N>& table) {
  std::vector<std::string> out;
  for (const auto& [v, name] : table) out.emplace_back(name);
  return out;
}

// Every name, "a, b, c", for error messages that list the valid values.
template <typename Enum, size_t N>
std::string NamesOf(const EnumNameTable<Enum, N>& table) {
  std::string out;
  for (const auto& [v, name] : table) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace imsemu
