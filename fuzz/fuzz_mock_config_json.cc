// The IMS mock's payload config codec: any JSON document as a config file.
#include "emulator/codec/json_fields.h"
#include "emulator/codec/mock_config_json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<nlohmann::json> json = codec::ParseJson(fuzz::AsText(data, size), nlohmann::json());
  if (!json.ok()) return 0;
  (void)codec::MockFixtureFromJson(*json);
  return 0;
}
