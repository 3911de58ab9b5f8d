// The allocation codec and rules: any JSON document as an allocation spec and
// as a fixture. A spec that is accepted must survive a round trip unchanged.
#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<nlohmann::json> json = codec::ParseJson(fuzz::AsText(data, size));
  if (!json.ok()) return 0;
  StatusOr<core::AllocationSpec> spec = codec::AllocationSpecFromJson(*json);
  if (spec.ok()) {
    (void)core::ValidateAllocationSpec(*spec);
    const nlohmann::json out = codec::AllocationSpecToJson(*spec);
    fuzz::CheckDumps(out);
    StatusOr<core::AllocationSpec> again = codec::AllocationSpecFromJson(out);
    if (!again.ok() || codec::AllocationSpecToJson(*again) != out) std::abort();
  }
  StatusOr<core::Fixture> fixture = codec::FixtureFromJson(*json);
  (void)fixture;
  return 0;
}
