// Status and StatusOr keep their own discipline: an OK status is no value,
// the value of an error is never read, errors return in one line.
#include "ims_emulator/status.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(StatusDeathTest, ReadingTheValueOfAnErrorEndsTheProcess) {
  StatusOr<std::string> s = NotFound("no such payload");
  EXPECT_DEATH((void)s.value(), "the value of an error was read: NOT_FOUND: no such payload");
  EXPECT_DEATH((void)s->size(), "NOT_FOUND");
  EXPECT_DEATH((void)*std::move(s), "NOT_FOUND");
}

}  // namespace
}  // namespace imsemu
