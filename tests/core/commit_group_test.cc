// CommitGroup alone, on a real store: what a step costs the store, what an
// undone step undoes, when deliveries run, and what a failed commit undoes.
#include "emulator/core/commit_group.h"

#include <gtest/gtest.h>

#include "emulator/store/sqlite_world_store.h"
#include "tests/testing/failing_store.h"

namespace imsemu::core {
namespace {

// Counts what reaches the store.
class CountingStore : public test::FailingWorldStore {
 public:
  using FailingWorldStore::FailingWorldStore;
  void Begin() override {
    ++begins;
    FailingWorldStore::Begin();
  }
  void BeginStep() override {
    ++savepoints;
    FailingWorldStore::BeginStep();
  }
  void Rollback() override {
    ++rollbacks;
    FailingWorldStore::Rollback();
  }
  int begins = 0;
  int savepoints = 0;
  int rollbacks = 0;
};

class CommitGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteWorldStore::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    sqlite_ = *std::move(opened);
    store_ = std::make_unique<CountingStore>(*sqlite_);
  }
  std::unique_ptr<CommitGroup> Group(bool enabled) {
    return std::make_unique<CommitGroup>(*store_, mu_, enabled, [this] { ++undone_; });
  }
  // One step that writes `key` = `value`, kept or not; what it delivers is
  // appended to `delivered_`.
  Status Step(CommitGroup& group, const std::string& key, const std::string& value, bool keep) {
    group.BeginStep();
    store_->PutMeta(key, value);
    return group.EndStep(keep, [this, key] { delivered_.push_back(key); });
  }
  std::string Stored(const std::string& key) { return store_->GetMeta(key).value_or("(none)"); }
  // A group commit whose request has written a = 1, not yet committed.
  std::unique_ptr<CommitGroup> DeferredWithA() {
    auto group = Group(true);
    group->Defer();
    EXPECT_TRUE(Step(*group, "a", "1", true).ok());
    return group;
  }

  Mutex mu_;
  std::unique_ptr<store::SqliteWorldStore> sqlite_;
  std::unique_ptr<CountingStore> store_;
  std::vector<std::string> delivered_;
  int undone_ = 0;
};

TEST_F(CommitGroupTest, ALoneStepNeedsNoSavepointAndDeliversOnceCommitted) {
  MutexLock lock(mu_);
  auto group = Group(false);
  ASSERT_TRUE(Step(*group, "a", "1", true).ok());
  EXPECT_TRUE(delivered_.empty()) << "delivered before its commit";
  ASSERT_TRUE(group->CommitUnlessDeferred().ok());
  EXPECT_EQ(delivered_, std::vector<std::string>{"a"});
  EXPECT_EQ(store_->begins, 1);
  EXPECT_EQ(store_->savepoints, 0);
  EXPECT_EQ(store_->commits(), 1);
  EXPECT_EQ(Stored("a"), "1");
}

TEST_F(CommitGroupTest, AnUndoneLoneStepIsRolledBackAndDeliversNothing) {
  MutexLock lock(mu_);
  auto group = Group(false);
  ASSERT_TRUE(Step(*group, "a", "1", false).ok());
  ASSERT_TRUE(group->CommitUnlessDeferred().ok());
  EXPECT_EQ(store_->rollbacks, 1);
  EXPECT_EQ(store_->commits(), 0) << "nothing was left to commit";
  EXPECT_TRUE(delivered_.empty());
  EXPECT_EQ(Stored("a"), "(none)");
}

TEST_F(CommitGroupTest, ADeferredRequestsStepsShareOneCommitAndAnUndoneOneUndoesItself) {
  MutexLock lock(mu_);
  auto group = Group(true);
  group->Defer();
  ASSERT_TRUE(Step(*group, "a", "1", true).ok());
  ASSERT_TRUE(group->CommitUnlessDeferred().ok());
  ASSERT_TRUE(Step(*group, "b", "2", false).ok());  // refused: undoes only itself
  ASSERT_TRUE(Step(*group, "c", "3", true).ok());
  EXPECT_EQ(store_->commits(), 0) << "deferred until the request is answered";
  EXPECT_EQ(store_->savepoints, 2) << "the steps that joined the open transaction";
  ASSERT_TRUE(group->CommitJoined().ok());
  EXPECT_EQ(store_->commits(), 1);
  EXPECT_EQ(delivered_, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Stored("a"), "1");
  EXPECT_EQ(Stored("b"), "(none)");
  EXPECT_EQ(Stored("c"), "3");
}

TEST_F(CommitGroupTest, AFailedCommitUndoesTheGroupAndTellsTheRequestThatJoinedIt) {
  MutexLock lock(mu_);
  auto group = DeferredWithA();
  store_->FailCommits(1);
  const Status joined = group->CommitJoined();
  EXPECT_EQ(joined.code(), StatusCode::kInternal);
  EXPECT_EQ(undone_, 1) << "the world puts back what it handed out";
  EXPECT_TRUE(delivered_.empty());
  EXPECT_EQ(Stored("a"), "(none)");
  // The next request starts a new group, untouched by the failed one.
  group->Defer();
  ASSERT_TRUE(Step(*group, "b", "2", true).ok());
  EXPECT_TRUE(group->CommitJoined().ok());
  EXPECT_EQ(Stored("b"), "2");
}

TEST_F(CommitGroupTest, AFailedWriteOfAJoinedStepUndoesTheWholeGroup) {
  MutexLock lock(mu_);
  auto group = DeferredWithA();
  store_->FailSteps(1);
  EXPECT_FALSE(Step(*group, "b", "2", true).ok());
  EXPECT_EQ(undone_, 1);
  EXPECT_EQ(group->CommitJoined().code(), StatusCode::kInternal);
  EXPECT_EQ(Stored("a"), "(none)");
  EXPECT_TRUE(delivered_.empty());
}

TEST_F(CommitGroupTest, CloseCommitsWhatIsOpenWithoutTellingAnyone) {
  MutexLock lock(mu_);
  auto group = DeferredWithA();
  group->Close();
  EXPECT_EQ(store_->commits(), 1);
  EXPECT_TRUE(delivered_.empty());
  EXPECT_EQ(Stored("a"), "1");
  EXPECT_TRUE(group->CommitJoined().ok()) << "nothing was left open";
  EXPECT_TRUE(delivered_.empty());
}

}  // namespace
}  // namespace imsemu::core
