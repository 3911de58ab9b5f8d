// Scenario JSON paths: any text as a path into a fixed response.
#include "emulator/scenario/json_path.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json kDoc = nlohmann::json::parse(
      R"({"sessions": [{"id": "a", "session_status": {"phase": "lobby"}, "ports": [{"port": 1}]}],
          "labels": {"a.b": "c", "": "empty", "[x]": "y"}, "n": null, "list": [[1, [2]]]})");
  (void)imsemu::scenario::FindPath(kDoc, std::string(imsemu::fuzz::AsText(data, size)));
  return 0;
}
