#include "emulator/core/resources.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

TEST(ResourcesTest, CpuInCoresOrMillicores) {
  EXPECT_EQ(MilliCpuOf("2"), 2000);
  EXPECT_EQ(MilliCpuOf("0.5"), 500);
  EXPECT_EQ(MilliCpuOf(".25"), 250);
  EXPECT_EQ(MilliCpuOf("500m"), 500);
  EXPECT_EQ(MilliCpuOf("1m"), 1);
  for (const char* bad : {"", "0", "0m", "0.0001", "-1", "1.5.2", "2 cores", "1k", "m", "1M",
                          "2000000", " 1", "1e3", "nan"}) {
    EXPECT_EQ(MilliCpuOf(bad), std::nullopt) << bad;
  }
}

TEST(ResourcesTest, MemoryInBytesWithDecimalOrBinarySuffixes) {
  EXPECT_EQ(MemoryBytesOf("1048576"), 1048576);
  EXPECT_EQ(MemoryBytesOf("64Mi"), 64LL << 20);
  EXPECT_EQ(MemoryBytesOf("2Gi"), 2LL << 30);
  EXPECT_EQ(MemoryBytesOf("1.5Gi"), 3LL << 29);
  EXPECT_EQ(MemoryBytesOf("512M"), 512000000);
  EXPECT_EQ(MemoryBytesOf("1k"), 1000);
  EXPECT_EQ(MemoryBytesOf("1Ki"), 1024);
  EXPECT_EQ(MemoryBytesOf("1T"), 1000000000000LL);
  EXPECT_EQ(MemoryBytesOf("0.5"), 1) << "rounded up to a whole byte";
  for (const char* bad : {"", "0", "0Mi", "-64Mi", "64 Mi", "64MB", "64mi", "64m", "Mi", "2Pi",
                          "1025Ti", "64Mi ", "1e9", "99999999999999999999999999"}) {
    EXPECT_EQ(MemoryBytesOf(bad), std::nullopt) << bad;
  }
}

TEST(ResourcesTest, CoresAsADecimal) {
  EXPECT_EQ(CoresText(500), "0.5");
  EXPECT_EQ(CoresText(2000), "2");
  EXPECT_EQ(CoresText(1250), "1.25");
  EXPECT_EQ(CoresText(1), "0.001");
}

}  // namespace
}  // namespace imsemu::core
