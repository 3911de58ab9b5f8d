// Reservation: how a Ready payload becomes Reserved (or a Reserved one is
// reserved again for back-fill).
//
// Selectors are tried in order; the first that matches any payload wins and
// exactly one payload (the oldest match) is reserved. No selectors means any
// Ready payload. `payload_metadata` is applied to the chosen payload in the
// same transaction. Value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "emulator/core/allocation.h"
#include "emulator/core/metadata.h"
#include "emulator/core/payload.h"
#include "ims_emulator/status.h"

namespace imsemu::core {

struct Selector {
  StringMap match_labels;
  PayloadState payload_state = PayloadState::kReady;
};

struct ReservationRequest {
  StringMap labels;       // payload_metadata.labels to apply
  StringMap annotations;  // payload_metadata.annotations to apply
  std::vector<Selector> selectors;
  // Set by the Session Manager: the session config stored on the payload.
  std::optional<std::string> session_config;
};

// Returns InvalidArgument naming the field if the request breaks a rule
// (metadata rules; selector states other than Ready or Reserved; a session
// config over 256 kB).
Status ValidateReservation(const ReservationRequest& request);

// True if `payload` satisfies `selector`.
bool Matches(const Selector& selector, const Payload& payload);

// What an allocation's auto_reserve applies, as a request.
ReservationRequest AutoReservation(const AutoReserve& auto_reserve);

// Reserves `payload` at `now`: Reserved, the request's metadata and session
// config applied, a pending auto-reserve disarmed. Returns the state it had.
PayloadState ApplyReservation(Payload& payload, const ReservationRequest& request, Time now);

}  // namespace imsemu::core
