// The scenario loader: any text as a scenario file. Errors name file and line.
#include "emulator/scenario/scenario_loader.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<scenario::Scenario> s =
      scenario::ParseScenario(std::string(fuzz::AsText(data, size)), "fuzz.yaml");
  if (!s.ok() && s.status().message().rfind("fuzz.yaml:", 0) != 0) std::abort();
  return 0;
}
