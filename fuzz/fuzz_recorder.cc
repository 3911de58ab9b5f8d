// serve --record: any call (method, path, query, body, answer) a client
// could make. The step written for it, after the header, must load as a
// scenario: no byte a client sends can break the file or inject a step.
#include <cstdio>

#include "emulator/scenario/recorder.h"
#include "emulator/scenario/scenario_loader.h"
#include "fuzz/fuzz_input.h"

namespace {

// The next line of `text` (consumed), or the rest.
std::string Take(std::string_view& text) {
  const size_t end = text.find('\n');
  std::string line(text.substr(0, end));
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  std::string_view text = fuzz::AsText(data, size);
  scenario::RecordedCall call;
  call.payload_id = Take(text);
  call.method = Take(text);
  call.path = Take(text);
  call.query["session_type"] = Take(text);
  call.has_authorization = !call.payload_id.empty();
  call.status = 200 + static_cast<int>(Take(text).size() % 400);
  call.body = Take(text);
  call.response_body = std::string(text);
  scenario::RecordingWorld world;
  std::map<std::string, std::string> variables;
  for (int i = 0; i < 2; ++i) {  // twice: the second sees the first's variables
    std::optional<scenario::RecordedStep> step = scenario::StepFor(call, world, variables);
    if (!step) return 0;
    // A step of our own after it: a comment must not swallow or add one.
    const std::string file = scenario::HeaderText(world, "fuzz.yaml") + scenario::StepText(*step) +
                             "  - emulator.advance: 1ms\n";
    StatusOr<scenario::Scenario> loaded = scenario::ParseScenario(file, "fuzz.yaml");
    if (!loaded.ok() || loaded->steps.size() != (step->kind.empty() ? 1u : 2u)) {
      std::fprintf(stderr, "%s\n%s\n", file.c_str(), loaded.status().ToString().c_str());
      std::abort();
    }
  }
  return 0;
}
