#include "ims_emulator/status.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace imsemu {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

std::ostream& operator<<(std::ostream& os, const Status& status) { return os << status.ToString(); }

std::string Status::ToString() const {
  return ok() ? "OK" : std::string(StatusCodeName(code_)) + ": " + message_;
}

BadStatusOrAccess::BadStatusOrAccess(Status status)
    : status_(std::move(status)), what_("the value of an error was read: " + status_.ToString()) {}

namespace internal {

void ValueOfError(const Status& status) { throw BadStatusOrAccess(status); }

Status OkStatusGivenToStatusOr() {
  return Status(StatusCode::kInternal, "a StatusOr was given an OK status and no value");
}

}  // namespace internal
}  // namespace imsemu
