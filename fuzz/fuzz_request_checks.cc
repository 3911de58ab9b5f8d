// Request checks: any bytes as Host, Origin, Content-Length and UTF-8 text.
#include "emulator/http/request_checks.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  static http::AccessPolicy* policy = [] {
    auto* p = new http::AccessPolicy;
    p->allowed_hosts = {"devbox.lan"};
    p->main_port = 9350;
    return p;
  }();
  const std::string_view text = fuzz::AsText(data, size);
  const size_t cut = text.find('\n');
  const std::string_view first = text.substr(0, cut);
  const std::string_view second = cut == std::string_view::npos ? "" : text.substr(cut + 1);
  (void)IsValidUtf8(text);
  (void)http::CheckHost(first, *policy);
  (void)http::CheckOrigin(first, second, *policy);
  (void)http::IsLoopbackAddress(first);
  (void)http::ParseContentLength({first, second});
  return 0;
}
