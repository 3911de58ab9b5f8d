#include "emulator/core/payload.h"

#include "emulator/util/enum_names.h"

namespace imsemu::core {
namespace {

constexpr EnumNameTable<PayloadState, 8> kStateNames = {{
    {PayloadState::kUnknown, "Unknown"},
    {PayloadState::kCreating, "Creating"},
    {PayloadState::kStarting, "Starting"},
    {PayloadState::kReady, "Ready"},
    {PayloadState::kReserved, "Reserved"},
    {PayloadState::kShutdown, "Shutdown"},
    {PayloadState::kError, "Error"},
    {PayloadState::kUnhealthy, "Unhealthy"},
}};

constexpr EnumNameTable<TimerKind, 7> kTimerNames = {{
    {TimerKind::kNone, "none"},
    {TimerKind::kAutoReady, "auto_ready"},
    {TimerKind::kRestart, "restart"},
    {TimerKind::kShutdown, "shutdown"},
    {TimerKind::kRemove, "remove"},
    {TimerKind::kStart, "start"},
    {TimerKind::kAutoReserve, "auto_reserve"},
}};

}  // namespace

const char* PayloadStateName(PayloadState state) { return NameOf(kStateNames, state, "Unknown"); }

std::optional<PayloadState> ParsePayloadState(std::string_view name) {
  return ValueOf(kStateNames, name);
}

std::string PayloadStateNames() { return NamesOf(kStateNames); }
std::vector<std::string> PayloadStateNameList() { return NameList(kStateNames); }

const char* TimerKindName(TimerKind kind) { return NameOf(kTimerNames, kind, "none"); }

std::optional<TimerKind> ParseTimerKind(std::string_view name) {
  return ValueOf(kTimerNames, name);
}

const StringMap& Payload::LatestSessionStatus() const {
  static const StringMap kEmpty;
  return status_updates.empty() ? kEmpty : status_updates.back().status;
}

std::optional<Time> Payload::NextDeadline() const {
  std::optional<Time> next = api_down_until;
  if (timer != TimerKind::kNone && (!next || timer_at < *next)) next = timer_at;
  return next;
}

}  // namespace imsemu::core
