// The reservation codec: any JSON document as a reservation request body.
#include "emulator/codec/json_fields.h"
#include "emulator/codec/reservation_json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<nlohmann::json> json = codec::ParseJson(fuzz::AsText(data, size));
  if (!json.ok()) return 0;
  StatusOr<core::ReservationRequest> request = codec::ReservationFromJson(*json);
  if (!request.ok() && request.status().message().empty()) std::abort();  // errors say why
  return 0;
}
