#include "emulator/http/request_checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace imsemu::http {
namespace {

struct Authority {
  std::string host;  // lower case; IPv6 without brackets
  int port = -1;     // -1 when absent
  bool ipv6 = false;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// host[:port] or [v6][:port]; nullopt when it is neither.
std::optional<Authority> ParseAuthority(std::string_view text) {
  Authority a;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    a.host = Lower(text.substr(1, close - 1));
    a.ipv6 = true;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      text = text.substr(0, colon);
      if (port.empty()) return std::nullopt;
    }
    a.host = Lower(text);
    if (!a.host.empty() && a.host.back() == '.') a.host.pop_back();  // "localhost."
  }
  if (a.host.empty()) return std::nullopt;
  for (char c : a.host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                    c == '_' || (a.ipv6 && (c == ':' || c == '%'));
    if (!ok) return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    a.port = std::stoi(std::string(port));
    if (a.port > 65535) return std::nullopt;
  }
  return a;
}

bool IsIpLiteral(const Authority& a) {
  unsigned char buf[16];
  if (a.ipv6) return inet_pton(AF_INET6, a.host.c_str(), buf) == 1;
  return inet_pton(AF_INET, a.host.c_str(), buf) == 1;
}

bool IsLoopback(const Authority& a) {
  if (a.host == "localhost" || (a.host.size() > 10 && a.host.ends_with(".localhost"))) return true;
  if (a.ipv6) return a.host == "::1";
  unsigned char buf[4];
  return inet_pton(AF_INET, a.host.c_str(), buf) == 1 && buf[0] == 127;
}

bool IsAllowed(const Authority& a, const AccessPolicy& policy) {
  return std::find(policy.allowed_hosts.begin(), policy.allowed_hosts.end(), a.host) !=
         policy.allowed_hosts.end();
}

}  // namespace

bool IsLoopbackAddress(std::string_view address) {
  std::string bracketed(address);
  if (address.find(':') != std::string_view::npos && !address.starts_with("[")) {
    bracketed.insert(bracketed.begin(), '[');
    bracketed.push_back(']');
  }
  std::optional<Authority> a = ParseAuthority(bracketed);
  return a && IsLoopback(*a);
}

Status CheckHost(std::string_view host, const AccessPolicy& policy) {
  if (host.empty()) return OkStatus();
  std::optional<Authority> a = ParseAuthority(host);
  if (!a) return InvalidArgument("Host header is not a host[:port]");
  if (IsLoopback(*a) || IsIpLiteral(*a) || IsAllowed(*a, policy)) return OkStatus();
  return PermissionDenied("Host '" + a->host +
                          "' is not a loopback name, an IP address or an allowed host "
                          "(a web page may be trying DNS rebinding); start the emulator with "
                          "--allowed-host " +
                          a->host + " to trust it");
}

Status CheckOrigin(std::string_view origin, std::string_view host, const AccessPolicy& policy) {
  if (origin.empty()) return OkStatus();
  const std::string lower = Lower(origin);
  int default_port = 0;
  std::string_view rest = lower;
  if (rest.starts_with("http://")) {
    default_port = 80;
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    default_port = 443;
    rest.remove_prefix(8);
  }
  std::optional<Authority> from;
  if (default_port != 0 && rest.find('/') == std::string_view::npos) from = ParseAuthority(rest);
  if (from) {
    if (from->port < 0) from->port = default_port;
    std::optional<Authority> to = ParseAuthority(host);
    if (to && to->port < 0) to->port = 80;
    const bool same_origin = to && to->host == from->host && to->port == from->port;
    const bool own = IsLoopback(*from) && from->port == policy.main_port.load();
    if (same_origin || own || IsAllowed(*from, policy)) return OkStatus();
  }
  std::string shown(origin.substr(0, 200));
  if (!IsValidUtf8(shown)) shown = "(not UTF-8)";
  return PermissionDenied("Origin '" + shown +
                          "' is not the emulator's own origin or an allowed host's: a web page "
                          "may not drive the emulator");
}

StatusOr<BodyLength> ParseContentLength(const std::vector<std::string_view>& values) {
  BodyLength length;
  for (std::string_view v : values) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.empty() || v.size() > 19 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return InvalidArgument("Content-Length must be a decimal number of bytes, got '" +
                             std::string(v.substr(0, 40)) + "'");
    }
    const unsigned long long bytes = std::stoull(std::string(v));
    if (length.present && bytes != length.bytes) {
      return InvalidArgument("Content-Length is given twice with different values");
    }
    length = {true, bytes};
  }
  return length;
}

}  // namespace imsemu::http
