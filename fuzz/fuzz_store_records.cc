// The store's records and the payload codec: any text as a stored payload or
// allocation record (a hand-edited --state file), then encoded for the wire.
#include "emulator/codec/allocation_json.h"
#include "emulator/codec/payload_json.h"
#include "emulator/store/records.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  const std::string text(fuzz::AsText(data, size));
  if (std::optional<core::Payload> p = store::DecodePayloadRecord(text)) {
    fuzz::CheckDumps(codec::PayloadToJson(*p));
    // What was read is written back exactly (the encoder is hand-written).
    if (store::DecodePayloadRecord(store::EncodePayloadRecord(*p)) != p) std::abort();
  }
  if (std::optional<core::Allocation> a = store::DecodeAllocationRecord(text)) {
    fuzz::CheckDumps(codec::AllocationToJson(*a));
  }
  return 0;
}
