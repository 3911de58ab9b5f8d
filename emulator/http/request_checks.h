// RequestChecks: who may ask, and whether the bytes of a request are sane,
// decided before any handler runs.
//
// A server on 127.0.0.1 is reachable from every web page the developer has
// open: a page can send "simple" cross-site requests (no preflight), and DNS
// rebinding lets it send them with its own name in `Host` and read the
// answers. So every listener refuses a `Host` that is not a loopback name, an
// IP literal or an allowed host (a rebinding attack needs a name), and an
// `Origin` that is not the emulator's own or an allowed host's. Requests
// without `Origin` (curl, game clients, game servers) are unaffected. The
// threat model is in docs/security.md.
//
// Pure functions over header values, plus AccessPolicy, which is shared by
// every listener of one emulator (thread-safe once the main port is set).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/util/utf8.h"
#include "ims_emulator/status.h"

namespace imsemu::http {

struct AccessPolicy {
  // Names given with --allowed-host (lower case, no port).
  std::vector<std::string> allowed_hosts;
  // The main port: a page served from a loopback name on it (the dashboard)
  // is the emulator's own origin. Set once the port is bound.
  std::atomic<int> main_port{0};
};

// PermissionDenied unless `host` (a Host header value, possibly with a port)
// names a loopback name (`localhost`, `*.localhost`), an IP literal
// (`127.0.0.1`, `[::1]`, any address) or an allowed host. An empty value (an
// HTTP/1.0 client) passes. InvalidArgument if it is not a host[:port] at all.
Status CheckHost(std::string_view host, const AccessPolicy& policy);

// PermissionDenied unless `origin` (an Origin header value; empty when the
// request has none) is absent, the same origin as `host`, a loopback name or
// address on the main port, or an allowed host's (any port). `null` is
// refused.
Status CheckOrigin(std::string_view origin, std::string_view host, const AccessPolicy& policy);

// True if `address` (as given to --host) is a loopback name or address.
bool IsLoopbackAddress(std::string_view address);

// What the Content-Length header of a request says.
struct BodyLength {
  bool present = false;
  unsigned long long bytes = 0;
};

// InvalidArgument unless every Content-Length value is a decimal number of at
// most 19 digits and all of them agree; `values` holds each header's value.
StatusOr<BodyLength> ParseContentLength(const std::vector<std::string_view>& values);

}  // namespace imsemu::http
