#include "emulator/core/payload.h"

#include <array>
#include <utility>

namespace imsemu::core {
namespace {

constexpr std::array<std::pair<PayloadState, const char*>, 8> kStateNames = {{
    {PayloadState::kUnknown, "Unknown"},
    {PayloadState::kCreating, "Creating"},
    {PayloadState::kStarting, "Starting"},
    {PayloadState::kReady, "Ready"},
    {PayloadState::kReserved, "Reserved"},
    {PayloadState::kShutdown, "Shutdown"},
    {PayloadState::kError, "Error"},
    {PayloadState::kUnhealthy, "Unhealthy"},
}};

constexpr std::array<std::pair<TimerKind, const char*>, 6> kTimerNames = {{
    {TimerKind::kNone, "none"},
    {TimerKind::kAutoReady, "auto_ready"},
    {TimerKind::kRestart, "restart"},
    {TimerKind::kShutdown, "shutdown"},
    {TimerKind::kRemove, "remove"},
    {TimerKind::kAutoReserve, "auto_reserve"},
}};

template <typename Enum, size_t N>
const char* NameOf(const std::array<std::pair<Enum, const char*>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "Unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::array<std::pair<Enum, const char*>, N>& table,
                          std::string_view name) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

const char* PayloadStateName(PayloadState state) { return NameOf(kStateNames, state); }

std::optional<PayloadState> ParsePayloadState(std::string_view name) {
  return Parse(kStateNames, name);
}

const char* TimerKindName(TimerKind kind) { return NameOf(kTimerNames, kind); }

std::optional<TimerKind> ParseTimerKind(std::string_view name) { return Parse(kTimerNames, name); }

const StringMap& Payload::LatestSessionStatus() const {
  static const StringMap kEmpty;
  return status_updates.empty() ? kEmpty : status_updates.back().status;
}

}  // namespace imsemu::core
