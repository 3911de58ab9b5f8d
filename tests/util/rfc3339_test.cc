#include "emulator/util/rfc3339.h"

#include <gtest/gtest.h>

namespace imsemu {
namespace {

TEST(Rfc3339Test, FormatsUtcWithMillisecondsOnlyWhenNonZero) {
  EXPECT_EQ(FormatRfc3339(kDefaultVirtualStart), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(kDefaultVirtualStart + Duration(86400000 + 3723250)),
            "2026-01-02T01:02:03.250Z");
}

TEST(Rfc3339Test, ParsesWhatItFormats) {
  const Time t = kDefaultVirtualStart + Duration(123456789);
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00+00:00"), kDefaultVirtualStart);
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00"));
}

}  // namespace
}  // namespace imsemu
