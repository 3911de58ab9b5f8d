#include "emulator/store/write_behind_store.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/testing/test_emulator.h"

namespace imsemu::store {
namespace {

using core::Payload;
using S = core::PayloadState;

class WriteBehindStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file_ + suffix).c_str());
  }
  std::unique_ptr<WriteBehindStore> Open(size_t events_in_memory = 100000) {
    auto opened = WriteBehindStore::Open(file_, events_in_memory);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? *std::move(opened) : nullptr;
  }
  static Payload Make(const std::string& id, long long seq) {
    Payload p;
    p.id = id;
    p.seq = seq;
    p.state = S::kReady;
    p.allocation_id = "a";
    return p;
  }
  static core::Event Event(const std::string& detail) {
    core::Event e;
    e.detail = detail;
    return e;
  }
  std::string file_ =
      test::TempPath("write-behind-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
};

TEST_F(WriteBehindStoreTest, WhatCommitsIsInTheFileAndUndoneStepsAreNot) {
  {
    auto store = Open();
    store->Begin();
    store->PutProject("p");
    store->PutMeta("next_seq", "3");
    store->PutPayload(Make("kept", 1));
    store->BeginStep();
    store->PutPayload(Make("undone", 2));
    store->AppendEvent(Event("undone"));
    ASSERT_TRUE(store->EndStep(false).ok());
    store->AppendEvent(Event("kept"));
    ASSERT_TRUE(store->Commit().ok());
    store->Begin();
    store->PutPayload(Make("rolled back", 3));
    store->Rollback();
  }
  auto store = Open();
  EXPECT_TRUE(store->HoldsWorld());
  EXPECT_TRUE(store->HasProject("p"));
  EXPECT_TRUE(store->GetPayload("kept").has_value());
  EXPECT_FALSE(store->GetPayload("undone").has_value());
  EXPECT_FALSE(store->GetPayload("rolled back").has_value());
  EXPECT_EQ(store->CountPayloads("a").ready, 1);
  const std::vector<core::Event> journal = store->ListEvents(0, 10);
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0].detail, "kept");
  EXPECT_EQ(journal[0].seq, 1);
  // The journal goes on from the file's.
  store->Begin();
  EXPECT_EQ(store->AppendEvent(Event("after the restart")), 2);
  ASSERT_TRUE(store->Commit().ok());
}

TEST_F(WriteBehindStoreTest, OlderEventsThanMemoryKeepsAreReadFromTheFile) {
  {
    auto store = Open(/*events_in_memory=*/2);
    for (int i = 1; i <= 5; ++i) {
      store->Begin();
      store->AppendEvent(Event("e" + std::to_string(i)));
      ASSERT_TRUE(store->Commit().ok());
    }
    std::vector<core::Event> all = store->ListEvents(0, 100);
    ASSERT_EQ(all.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(store->ListEvents(1, 2).front().detail, "e2");
    EXPECT_EQ(store->ListEvents(1, 2).back().detail, "e3");
    EXPECT_EQ(store->ListEvents(3, 1).front().detail, "e4");
    EXPECT_EQ(store->ListEvents(4, 100).size(), 1u);
  }
  auto store = Open(2);
  store->Begin();
  store->AppendEvent(Event("e6"));
  ASSERT_TRUE(store->Commit().ok());
  const std::vector<core::Event> all = store->ListEvents(0, 100);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.back().detail, "e6");
  EXPECT_EQ(all[4].detail, "e5");
}

TEST_F(WriteBehindStoreTest, ACounterStoredUnchangedIsNotWrittenAgain) {
  auto store = Open();
  store->Begin();
  store->PutMeta("now", "1");
  ASSERT_TRUE(store->Commit().ok());
  store->Begin();
  store->PutMeta("now", "1");
  store->PutProject("p");
  store->PutProject("p");
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(store->GetMeta("now"), "1");
  EXPECT_EQ(store->ListProjects(), std::vector<std::string>{"p"});
}

}  // namespace
}  // namespace imsemu::store
