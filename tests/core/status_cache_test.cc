#include "emulator/core/status_cache.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

const Time kOrigin = kDefaultVirtualStart;
Time At(long long ms) { return kOrigin + Duration(ms); }

std::vector<StatusUpdate> Updates() {
  return {{At(1000), {{"phase", "lobby"}}}, {At(5000), {{"phase", "match"}}}};
}

TEST(StatusCacheTest, OffShowsTheLatestAtOnce) {
  StatusCache c{StatusCacheMode::kOff, Duration(12000), kOrigin};
  EXPECT_TRUE(c.Visible(Updates(), At(999)).empty());
  EXPECT_EQ(c.Visible(Updates(), At(1000)).at("phase"), "lobby");
  EXPECT_EQ(c.Visible(Updates(), At(5000)).at("phase"), "match");
}

TEST(StatusCacheTest, DelayShowsEachUpdateExactlyTtlLater) {
  StatusCache c{StatusCacheMode::kDelay, Duration(12000), kOrigin};
  EXPECT_TRUE(c.Visible(Updates(), At(12999)).empty());
  EXPECT_EQ(c.Visible(Updates(), At(13000)).at("phase"), "lobby");
  EXPECT_EQ(c.Visible(Updates(), At(16999)).at("phase"), "lobby");
  EXPECT_EQ(c.Visible(Updates(), At(17000)).at("phase"), "match");
}

TEST(StatusCacheTest, PeriodicShowsUpdatesAtTheNextRefresh) {
  StatusCache c{StatusCacheMode::kPeriodic, Duration(12000), kOrigin};
  EXPECT_TRUE(c.Visible(Updates(), At(11999)).empty());
  EXPECT_EQ(c.Visible(Updates(), At(12000)).at("phase"), "match");
  std::vector<StatusUpdate> late = {{At(12000), {{"phase", "end"}}}};
  EXPECT_TRUE(c.Visible(late, At(23999)).empty());
  EXPECT_EQ(c.Visible(late, At(24000)).at("phase"), "end");
}

// VisibleFrom names the first millisecond at which Visible shows an update,
// in every mode, for updates set before, at and after refresh boundaries.
TEST(StatusCacheTest, VisibleFromIsTheFirstMomentTheUpdateShows) {
  for (StatusCacheMode mode :
       {StatusCacheMode::kOff, StatusCacheMode::kDelay, StatusCacheMode::kPeriodic}) {
    const StatusCache c{mode, Duration(3000), kOrigin};
    for (long long set_ms : {-4000LL, -1LL, 0LL, 1LL, 2999LL, 3000LL, 4500LL}) {
      const std::vector<StatusUpdate> one = {{At(set_ms), {{"k", "v"}}}};
      long long first = set_ms;
      while (c.Visible(one, At(first)).empty()) ++first;
      EXPECT_EQ(c.VisibleFrom(At(set_ms)), At(first))
          << StatusCacheModeName(mode) << ", set at " << set_ms << " ms";
    }
  }
}

TEST(StatusCacheTest, PruneKeepsWhatCanStillBeShown) {
  StatusCache c{StatusCacheMode::kDelay, Duration(12000), kOrigin};
  std::vector<StatusUpdate> u = Updates();
  c.Prune(u, At(14000));  // "lobby" visible, "match" pending: both kept
  EXPECT_EQ(u.size(), 2u);
  c.Prune(u, At(17000));  // "match" visible: "lobby" can never show again
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status.at("phase"), "match");
}

}  // namespace
}  // namespace imsemu::core
