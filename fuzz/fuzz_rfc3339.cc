// RFC 3339 times: any text; a time that parses formats and parses back to itself.
#include "emulator/util/rfc3339.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  std::optional<Time> t = ParseRfc3339(fuzz::AsText(data, size));
  if (!t) return 0;
  std::optional<Time> again = ParseRfc3339(FormatRfc3339(*t));
  if (!again || *again != *t) std::abort();
  return 0;
}
