// Raw bytes to the main port's routing and every handler, in-process: one
// emulator (virtual clock, :memory:, no listeners of its own per payload, no
// processes), fed each input as one connection's bytes. Every answer must be
// a well-formed HTTP response; faults are cleared after each input and the
// world is reset now and then so that it stays small.
#include <memory>
#include <string>

#include "emulator/emulator.h"
#include "emulator/http/faults.h"
#include "fuzz/fuzz_input.h"

namespace {

imsemu::EmulatorImpl& TheEmulator() {
  static std::unique_ptr<imsemu::EmulatorImpl> emulator = [] {
    imsemu::EmulatorOptions options;
    options.port = 0;
    options.payload_listeners = false;
    imsemu::core::AllocationSpec spec;
    spec.name = "fuzz";
    spec.annotations["session_type"] = "default";
    spec.buffer_size = 2;
    spec.auto_ready = true;
    spec.payload_spec.ports.push_back({"GamePort", 7777, "UDP"});
    imsemu::core::Fixture fixture;
    fixture.projects.push_back({"local-project", {{std::string("a"), spec}}});
    options.fixture = fixture;
    auto started = imsemu::EmulatorImpl::Start(std::move(options));
    if (!started.ok()) std::abort();
    return *std::move(started);
  }();
  return *emulator;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int runs = 0;
  imsemu::EmulatorImpl& e = TheEmulator();
  const std::string out = e.TEST_ServeBytes(imsemu::fuzz::AsText(data, size));
  if (!out.empty() && out.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  e.faults().Clear();
  if (++runs % 500 == 0) (void)e.Reset();
  return 0;
}
