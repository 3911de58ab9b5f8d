// Snapshot files: any text as a file given to `serve --import` or the
// control API's import. Whatever decodes must encode and decode to the same
// world, and every fault record the emulator accepts must do the same.
#include "emulator/http/control_json.h"
#include "emulator/store/snapshot_file.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<store::Snapshot> s = store::DecodeSnapshot(fuzz::AsText(data, size));
  if (!s.ok()) return 0;
  const std::string text = store::EncodeSnapshot(*s);
  StatusOr<store::Snapshot> again = store::DecodeSnapshot(text);
  if (!again.ok() || store::EncodeSnapshot(*again) != text) std::abort();
  for (size_t i = 0; i < s->faults.size(); ++i) {
    StatusOr<http::Fault> fault = http::FaultRecordFromJson(s->faults[i], "faults[0]");
    if (!fault.ok()) continue;
    const nlohmann::json record = http::FaultRecordToJson(*fault);
    StatusOr<http::Fault> back = http::FaultRecordFromJson(record, "faults[0]");
    if (!back.ok() || http::FaultRecordToJson(*back) != record) std::abort();
  }
  return 0;
}
