// Group commit: the changes of concurrent requests share one commit, each
// request is answered only once what it saw is stored, and a failure undoes
// every change of the group it hits, as a failed change always does.
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "tests/testing/test_world.h"

namespace imsemu::core {
namespace {

using test::kProject;
using test::OneAllocation;
using test::TestSpec;
using test::TestWorld;

WorldOptions Grouped() {
  WorldOptions options;
  options.group_commit = true;
  return options;
}

// A request on a thread of its own: DeferCommits(), `change`, then, once
// told to finish (as a request building its answer would be), CommitDeferred().
class Request {
 public:
  Request(World& world, std::function<Status()> change)
      : thread_([this, &world, change = std::move(change)] {
          world.DeferCommits();
          const Status changed = change();
          std::unique_lock lock(mu_);
          changed_ = changed;
          state_ = kChanged;
          cv_.notify_all();
          cv_.wait(lock, [this] { return state_ == kFinishing; });
          lock.unlock();
          const Status committed = world.CommitDeferred();
          lock.lock();
          committed_ = committed;
        }) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return state_ == kChanged; });
  }
  ~Request() { (void)Finish(); }

  Status changed() {
    std::lock_guard lock(mu_);
    return changed_;
  }
  // Lets it commit and waits for it; returns what CommitDeferred() returned.
  Status Finish() {
    if (thread_.joinable()) {
      {
        std::lock_guard lock(mu_);
        state_ = kFinishing;
      }
      cv_.notify_all();
      thread_.join();
    }
    return committed_;
  }

 private:
  enum State { kStarting, kChanged, kFinishing };
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = kStarting;
  Status changed_;
  Status committed_;
  std::thread thread_;
};

std::function<Status()> CreateSession(World& world, const std::string& config) {
  return [&world, config] { return world.CreateSession(kProject, "default", config).status(); };
}

size_t SessionCount(World& world) {
  auto sessions = world.ListSessions(kProject, "default");
  EXPECT_TRUE(sessions.ok());
  return sessions.ok() ? sessions->size() : 0;
}

class CountingObserver : public PayloadObserver {
 public:
  void OnPayloadAdded(const Payload&) override { ++added; }
  int added = 0;
};

TEST(WorldGroupCommitTest, ConcurrentRequestsShareOneCommit) {
  TestWorld t(OneAllocation(TestSpec(4)), Grouped());
  CountingObserver observer;
  t.world->AddObserver(&observer);
  const int commits = t.failing->commits();

  Request first(*t.world, CreateSession(*t.world, "one"));
  ASSERT_TRUE(first.changed().ok());
  t.world->DeferCommits();
  ASSERT_TRUE(CreateSession(*t.world, "two")().ok());
  EXPECT_EQ(t.failing->commits(), commits) << "both changes wait in the open group";
  EXPECT_EQ(observer.added, 0) << "observers hear of the buffer's refills once committed";
  EXPECT_EQ(SessionCount(*t.world), 2u) << "the open group is what the world reads";

  // The request that gets here first commits the group, for both.
  ASSERT_TRUE(t.world->CommitDeferred().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
  EXPECT_EQ(observer.added, 2);
  EXPECT_TRUE(first.Finish().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1) << "the second finds its change stored";
  t.world->ClearObservers();
}

TEST(WorldGroupCommitTest, AFailedCommitUndoesEveryRequestOfTheGroup) {
  TestWorld failed(OneAllocation(TestSpec(4)), Grouped());
  TestWorld clean(OneAllocation(TestSpec(4)), Grouped());
  CountingObserver observer;
  failed.world->AddObserver(&observer);
  const auto events = failed.world->Journal().size();
  {
    Request first(*failed.world, CreateSession(*failed.world, "one"));
    failed.world->DeferCommits();
    ASSERT_TRUE(CreateSession(*failed.world, "two")().ok());
    failed.failing->FailCommits(1);
    EXPECT_EQ(failed.world->CommitDeferred().code(), StatusCode::kInternal);
    EXPECT_EQ(first.Finish().code(), StatusCode::kInternal) << "its change was in the group";
  }
  EXPECT_EQ(SessionCount(*failed.world), 0u);
  EXPECT_EQ(failed.world->Journal().size(), events);
  EXPECT_EQ(observer.added, 0) << "observers hear only what committed";
  EXPECT_TRUE(failed.InState(PayloadState::kReserved).empty());

  // The ids and ports the group used are handed out again, as by a world
  // where nothing failed.
  auto again = failed.world->CreateSession(kProject, "default", "three");
  auto fresh = clean.world->CreateSession(kProject, "default", "three");
  ASSERT_TRUE(again.ok() && fresh.ok());
  EXPECT_EQ(again->id, fresh->id);
  auto ids = [](TestWorld& w) {
    std::vector<std::string> out;
    for (const Payload& p : w.Payloads()) out.push_back(p.id + ":" + PayloadStateName(p.state));
    return out;
  };
  EXPECT_EQ(ids(failed), ids(clean)) << "the refill's ids too";
  failed.world->ClearObservers();
}

TEST(WorldGroupCommitTest, AFailedWriteUndoesItsGroupAtOnce) {
  TestWorld t(OneAllocation(TestSpec(4)), Grouped());
  Request first(*t.world, CreateSession(*t.world, "one"));
  t.world->DeferCommits();
  t.failing->FailSteps(1);
  EXPECT_EQ(CreateSession(*t.world, "two")().code(), StatusCode::kInternal);
  EXPECT_EQ(SessionCount(*t.world), 0u) << "the open group was rolled back";
  EXPECT_TRUE(t.world->CommitDeferred().ok()) << "this request's group held nothing of its own";
  EXPECT_EQ(first.Finish().code(), StatusCode::kInternal);
  EXPECT_EQ(SessionCount(*t.world), 0u);
}

TEST(WorldGroupCommitTest, ARefusedChangeLeavesTheOthersInItsGroup) {
  TestWorld t(OneAllocation(TestSpec(4)), Grouped());
  Request first(*t.world, CreateSession(*t.world, "one"));
  t.world->DeferCommits();
  EXPECT_EQ(t.world->CreateSession(kProject, "no-such-type", "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.world->CreateSession("no-such-project", "default", "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(t.world->CommitDeferred().ok());
  EXPECT_TRUE(first.Finish().ok());
  EXPECT_EQ(SessionCount(*t.world), 1u);
}

TEST(WorldGroupCommitTest, AReadIsAnsweredOnlyOnceWhatItSawIsStored) {
  TestWorld t(OneAllocation(TestSpec(4)), Grouped());
  const int commits = t.failing->commits();
  Request first(*t.world, CreateSession(*t.world, "one"));
  t.world->DeferCommits();
  EXPECT_EQ(SessionCount(*t.world), 1u);
  EXPECT_TRUE(t.world->CommitDeferred().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1) << "the session it listed is stored";
  EXPECT_TRUE(first.Finish().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
}

TEST(WorldGroupCommitTest, AChangeOutsideARequestCommitsTheOpenGroup) {
  TestWorld t(OneAllocation(TestSpec(4)), Grouped());
  const std::string id = t.Payloads().front().id;
  const int commits = t.failing->commits();
  Request first(*t.world, CreateSession(*t.world, "one"));
  // As the ticker or a game server's exit would: no request to wait for.
  ASSERT_TRUE(t.world->TakePayloadApiDown(id, Duration(5)).ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
  EXPECT_TRUE(first.Finish().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
  EXPECT_EQ(SessionCount(*t.world), 1u);
}

TEST(WorldGroupCommitTest, WithoutGroupCommitEveryChangeCommitsAtOnce) {
  TestWorld t(OneAllocation(TestSpec(4)));
  const int commits = t.failing->commits();
  t.world->DeferCommits();
  ASSERT_TRUE(CreateSession(*t.world, "one")().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
  EXPECT_TRUE(t.world->CommitDeferred().ok());
  EXPECT_EQ(t.failing->commits(), commits + 1);
}

}  // namespace
}  // namespace imsemu::core
