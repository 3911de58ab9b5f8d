// SessionAuth: who may call the Session Manager.
//
// Game clients send `Authorization: Bearer secret-token:<provider>/<token>`
// (providers seen: playfab, accelbyte); the Unreal demo sends the short
// `Bearer <provider>/<token>`. Both are accepted. Modes: `any` (any
// well-formed header), `off` (no check), `tokens:FILE` (only the listed
// `<provider>/<token>` pairs, one a line, `#` comments). Immutable after
// construction; thread-safe.
#pragma once

#include <set>
#include <string>

#include "ims_emulator/status.h"

namespace imsemu::http {

class SessionAuth {
 public:
  enum class Mode { kAny, kOff, kTokens };

  SessionAuth() = default;
  // Parses `any`, `off` or `tokens:FILE` (reading FILE). InvalidArgument if
  // the spec is unknown or the file cannot be read or holds a malformed line.
  static StatusOr<SessionAuth> FromSpec(const std::string& spec);

  // OK if `authorization` (the header's value, "" when absent) may call;
  // Unauthenticated saying which form is expected otherwise.
  Status Check(const std::string& authorization) const;

  Mode mode() const { return mode_; }

 private:
  Mode mode_ = Mode::kAny;
  std::set<std::string> tokens_;  // "<provider>/<token>"
};

}  // namespace imsemu::http
