#include "emulator/http/session_auth.h"

#include <fstream>

namespace imsemu::http {
namespace {

constexpr const char* kExpected =
    "expected 'Authorization: Bearer secret-token:<provider>/<token>' or "
    "'Authorization: Bearer <provider>/<token>'";

bool IsCredentialChar(char c) { return c > ' ' && c != '/' && c != 0x7f; }

// "<provider>/<token>" with a non-empty provider and token and no spaces.
bool IsWellFormed(const std::string& credential) {
  const size_t slash = credential.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == credential.size()) return false;
  for (size_t i = 0; i < credential.size(); ++i) {
    if (i == slash) continue;
    const char c = credential[i];
    if (!IsCredentialChar(c) && !(i > slash && c == '/')) return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

StatusOr<SessionAuth> SessionAuth::FromSpec(const std::string& spec) {
  SessionAuth auth;
  if (spec == "any") return auth;
  if (spec == "off") {
    auth.mode_ = Mode::kOff;
    return auth;
  }
  const std::string prefix = "tokens:";
  if (spec.rfind(prefix, 0) != 0) {
    return InvalidArgument("--auth must be 'any', 'off' or 'tokens:FILE', got '" + spec + "'");
  }
  const std::string path = spec.substr(prefix.size());
  std::ifstream in(path);
  if (!in) return InvalidArgument("--auth: cannot read token file '" + path + "'");
  auth.mode_ = Mode::kTokens;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (!IsWellFormed(line)) {
      return InvalidArgument("--auth: " + path + ":" + std::to_string(n) +
                             ": expected '<provider>/<token>'");
    }
    auth.tokens_.insert(line);
  }
  return auth;
}

Status SessionAuth::Check(const std::string& authorization) const {
  if (mode_ == Mode::kOff) return OkStatus();
  if (authorization.empty()) {
    return Unauthenticated(std::string("missing Authorization header; ") + kExpected);
  }
  const std::string bearer = "Bearer ";
  if (authorization.rfind(bearer, 0) != 0) {
    return Unauthenticated(std::string("Authorization header is not a Bearer token; ") + kExpected);
  }
  std::string credential = Trim(authorization.substr(bearer.size()));
  const std::string secret = "secret-token:";
  if (credential.rfind(secret, 0) == 0) credential = credential.substr(secret.size());
  if (!IsWellFormed(credential)) {
    return Unauthenticated(std::string("malformed Bearer token; ") + kExpected);
  }
  if (mode_ == Mode::kTokens && tokens_.count(credential) == 0) {
    return Unauthenticated("token for provider '" + credential.substr(0, credential.find('/')) +
                           "' is not in the token file");
  }
  return OkStatus();
}

}  // namespace imsemu::http
