// Status and StatusOr: how every layer below HTTP reports failure.
//
// A Status carries a machine-readable code (absl-style names) and a human
// message that names the field and the rule. Nothing below the adapters
// throws; callers branch on ok() and the adapters map codes to wire statuses.
// Reading the value of an error is the one exception, as in abseil: it throws
// BadStatusOrAccess, so a test that does it fails at its line and the run
// goes on (the emulator's own code never does). Value types; safe to copy
// between threads.
#pragma once

#include <exception>
#include <iosfwd>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace imsemu {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,
  kUnauthenticated,
  kPermissionDenied,
  kUnavailable,
  kInternal,
};

// Returns the absl-style name of `code`, e.g. "INVALID_ARGUMENT".
const char* StatusCodeName(StatusCode code);

// [[nodiscard]]: a Status dropped on the floor is a compile error (-Werror);
// `(void)` it where ignoring is the decision, and say why.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return {}; }
inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Writes ToString(): "NOT_FOUND: no payload 'x'", or "OK" (so GoogleTest
// prints a Status as that, not as bytes).
std::ostream& operator<<(std::ostream& os, const Status& status);

// What reading the value of an error StatusOr throws: a bug in the caller
// (check ok() first), reported with the error it read.
class BadStatusOrAccess : public std::exception {
 public:
  explicit BadStatusOrAccess(Status status);
  const Status& status() const { return status_; }
  // "the value of an error was read: NOT_FOUND: no payload 'x'"
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Status status_;
  std::string what_;
};

namespace internal {
// Throws BadStatusOrAccess(status): reading the value of an error is a bug,
// never a recoverable condition (a test framework reports it as a failure).
[[noreturn]] void ValueOfError(const Status& status);
Status OkStatusGivenToStatusOr();
}  // namespace internal

// Either a value or a non-OK Status. Built from an OK Status it holds
// INTERNAL instead (there is no value to give); reading the value of an
// error throws BadStatusOrAccess with the error's message.
template <typename T>
class [[nodiscard]] StatusOr {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "StatusOr<Status> makes no sense");

 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status)                          // NOLINT
      : status_(status.ok() ? internal::OkStatusGivenToStatusOr() : std::move(status)) {}

  using value_type = T;

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return Checked(), *value_; }
  const T& value() const& { return Checked(), *value_; }
  T&& value() && { return Checked(), std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  void Checked() const {
    if (!value_) internal::ValueOfError(status_);
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace imsemu

#define IMSEMU_CONCAT_INNER(a, b) a##b
#define IMSEMU_CONCAT(a, b) IMSEMU_CONCAT_INNER(a, b)
#define IMSEMU_RETURN_IF_ERROR_IMPL(var, expr) \
  do {                                         \
    ::imsemu::Status var = (expr);             \
    if (!var.ok()) return var;                 \
  } while (0)
// Returns the Status of `expr` from the enclosing function if it is not OK.
#define IMSEMU_RETURN_IF_ERROR(expr) \
  IMSEMU_RETURN_IF_ERROR_IMPL(IMSEMU_CONCAT(imsemu_status_, __COUNTER__), expr)

#define IMSEMU_ASSIGN_OR_RETURN_IMPL(var, lhs, expr) \
  auto var = (expr);                                 \
  if (!var.ok()) return var.status();                \
  lhs = *std::move(var)
// Evaluates `expr` (a StatusOr); returns its Status from the enclosing
// function if it is an error, else assigns or declares `lhs` with its value:
//   IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayload(id));
// It is several statements: under an `if`, use braces.
#define IMSEMU_ASSIGN_OR_RETURN(lhs, expr) \
  IMSEMU_ASSIGN_OR_RETURN_IMPL(IMSEMU_CONCAT(imsemu_statusor_, __COUNTER__), lhs, expr)
