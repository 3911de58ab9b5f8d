#include "emulator/core/reservation.h"

namespace imsemu::core {

inline constexpr size_t kMaxSessionConfigBytes = 256 * 1024;

Status ValidateReservation(const ReservationRequest& request) {
  IMSEMU_RETURN_IF_ERROR(
      ValidateMetadata("payload_metadata.labels", MetadataKind::kLabel, request.labels));
  IMSEMU_RETURN_IF_ERROR(ValidateMetadata("payload_metadata.annotations", MetadataKind::kAnnotation,
                                          request.annotations));
  for (size_t i = 0; i < request.selectors.size(); ++i) {
    const Selector& s = request.selectors[i];
    const std::string field = "selectors[" + std::to_string(i) + "]";
    if (s.payload_state != PayloadState::kReady && s.payload_state != PayloadState::kReserved) {
      return InvalidArgument(field + ".payload_state must be Ready or Reserved");
    }
    IMSEMU_RETURN_IF_ERROR(
        ValidateMetadata(field + ".match_labels", MetadataKind::kLabel, s.match_labels));
  }
  if (request.session_config && request.session_config->size() > kMaxSessionConfigBytes) {
    return InvalidArgument("session_config must be at most 256 kB (got " +
                           std::to_string(request.session_config->size()) + " bytes)");
  }
  return OkStatus();
}

bool Matches(const Selector& selector, const Payload& payload) {
  if (payload.state != selector.payload_state) return false;
  for (const auto& [key, value] : selector.match_labels) {
    auto it = payload.labels.find(key);
    if (it == payload.labels.end() || it->second != value) return false;
  }
  return true;
}

ReservationRequest AutoReservation(const AutoReserve& auto_reserve) {
  ReservationRequest request;
  request.labels = auto_reserve.labels;
  request.annotations = auto_reserve.annotations;
  request.session_config = auto_reserve.session_config;
  return request;
}

PayloadState ApplyReservation(Payload& payload, const ReservationRequest& request, Time now) {
  const PayloadState old_state = payload.state;
  payload.state = PayloadState::kReserved;
  payload.state_since = now;
  payload.last_reserved = now;
  if (payload.timer == TimerKind::kAutoReserve) payload.timer = TimerKind::kNone;
  for (const auto& [k, v] : request.labels) payload.labels[k] = v;
  for (const auto& [k, v] : request.annotations) payload.annotations[k] = v;
  if (request.session_config) payload.session_config = request.session_config;
  return old_state;
}

}  // namespace imsemu::core
