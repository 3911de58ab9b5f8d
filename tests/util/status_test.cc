// Status and StatusOr keep their own discipline: an OK status is no value,
// the value of an error is never read, errors return in one line.
#include "ims_emulator/status.h"

#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>
#include <utility>

namespace imsemu {
namespace {

StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("n must be even");
  return n / 2;
}

StatusOr<int> Quarter(int n) {
  IMSEMU_ASSIGN_OR_RETURN(int half, Half(n));
  IMSEMU_ASSIGN_OR_RETURN(half, Half(half));  // assigns an existing variable too
  return half;
}

Status EvenOnly(int n) {
  IMSEMU_RETURN_IF_ERROR(Half(n).status());
  return OkStatus();
}

TEST(StatusTest, TheMacrosReturnTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(6).status().message(), "n must be even");
  EXPECT_TRUE(EvenOnly(4).ok());
  EXPECT_EQ(EvenOnly(3).ToString(), "INVALID_ARGUMENT: n must be even");
  EXPECT_EQ(OkStatus().ToString(), "OK");
}

TEST(StatusTest, AnOkStatusIsNoValue) {
  StatusOr<std::string> s = OkStatus();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
}

TEST(StatusTest, ReadingTheValueOfAnErrorThrowsWithTheError) {
  StatusOr<std::string> s = NotFound("no such payload");
  try {
    (void)s.value();
    ADD_FAILURE() << "value() of an error returned";
  } catch (const BadStatusOrAccess& e) {
    EXPECT_STREQ(e.what(), "the value of an error was read: NOT_FOUND: no such payload");
    EXPECT_EQ(e.status().ToString(), s.status().ToString());
  }
  EXPECT_THROW((void)s->size(), BadStatusOrAccess);
  EXPECT_THROW((void)*std::move(s), BadStatusOrAccess);
}

}  // namespace
}  // namespace imsemu

namespace imsemu {
namespace {

// Every code has its constructor, and a Status prints as ToString().
TEST(StatusConstructorsTest, EveryCodeHasOne) {
  const std::pair<Status, StatusCode> made[] = {
      {InvalidArgument("m"), StatusCode::kInvalidArgument},
      {NotFound("m"), StatusCode::kNotFound},
      {AlreadyExists("m"), StatusCode::kAlreadyExists},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition},
      {ResourceExhausted("m"), StatusCode::kResourceExhausted},
      {Unauthenticated("m"), StatusCode::kUnauthenticated},
      {PermissionDenied("m"), StatusCode::kPermissionDenied},
      {Unavailable("m"), StatusCode::kUnavailable},
      {Internal("m"), StatusCode::kInternal},
  };
  for (const auto& [status, code] : made) {
    EXPECT_EQ(status.code(), code) << StatusCodeName(code);
    EXPECT_EQ(status.message(), "m");
    std::ostringstream printed;
    printed << status;
    EXPECT_EQ(printed.str(), status.ToString());
  }
  EXPECT_EQ(std::size(made), static_cast<size_t>(StatusCode::kInternal))
      << "a code without a constructor";
}

}  // namespace
}  // namespace imsemu
