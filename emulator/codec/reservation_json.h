// ReservationJson: the orchestration API's reservation request body.
//
// {"payload_metadata": {"labels": {...}, "annotations": {...}},
//  "selectors": [{"match_labels": {...} | [], "payload_state": "Ready"|"Reserved"}]}
// Every field is optional; `match_labels` may be `[]` (a documented example
// sends it) and means no constraint. Pure function; never throws.
#pragma once

#include <nlohmann/json.hpp>

#include "emulator/core/reservation.h"
#include "ims_emulator/status.h"

namespace imsemu::codec {

StatusOr<core::ReservationRequest> ReservationFromJson(const nlohmann::json& json);

}  // namespace imsemu::codec
