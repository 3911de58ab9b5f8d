#include "emulator/store/write_behind_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
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
  std::unique_ptr<WriteBehindStore> Open(size_t events_in_memory = 100000,
                                         FileWrites writes = FileWrites::kBeforeAnswer) {
    auto opened = WriteBehindStore::Open(file_, events_in_memory, writes);
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

// --- FileWrites::kBehind: written after the commit returns ---------------

std::vector<std::string> PayloadIds(WriteBehindStore& store) {
  std::vector<std::string> ids;
  store.VisitPayloads("a", std::nullopt, [&](const Payload& p) {
    ids.push_back(p.id);
    return true;
  });
  return ids;
}

TEST_F(WriteBehindStoreTest, WrittenBehindEveryCommitIsInTheFileOnceTheStoreCloses) {
  std::vector<std::string> committed;
  {
    auto store = Open(100000, FileWrites::kBehind);
    for (int i = 1; i <= 500; ++i) {
      store->Begin();
      store->PutPayload(Make("p" + std::to_string(i), i));
      store->AppendEvent(Event("e" + std::to_string(i)));
      ASSERT_TRUE(store->Commit().ok());
      committed.push_back("p" + std::to_string(i));
    }
    store->Begin();
    store->PutPayload(Make("rolled back", 501));
    store->Rollback();
  }  // closing writes what is still queued
  auto store = Open();
  EXPECT_EQ(PayloadIds(*store), committed);
  const std::vector<core::Event> journal = store->ListEvents(0, 1000);
  ASSERT_EQ(journal.size(), 500u);
  EXPECT_EQ(journal.front().detail, "e1");
  EXPECT_EQ(journal.back().detail, "e500");
  EXPECT_EQ(journal.back().seq, 500);
}

TEST_F(WriteBehindStoreTest, WrittenBehindOlderEventsAreReadFromTheFileOnceWritten) {
  auto store = Open(/*events_in_memory=*/2, FileWrites::kBehind);
  for (int i = 1; i <= 5; ++i) {
    store->Begin();
    store->AppendEvent(Event("e" + std::to_string(i)));
    ASSERT_TRUE(store->Commit().ok());
  }
  const std::vector<core::Event> all = store->ListEvents(0, 100);
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(all[i].detail, "e" + std::to_string(i + 1));
}

off_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

TEST_F(WriteBehindStoreTest, WrittenBehindAFailedWriteRefusesEveryLaterChange) {
  {
    auto store = Open(100000, FileWrites::kBehind);
    store->Begin();
    store->PutPayload(Make("written", 1));
    ASSERT_TRUE(store->Commit().ok());
    ASSERT_TRUE(store->Flush().ok());

    // The disk fills up: no file of this process may grow past its size now
    // (the kernel's file size limit; the signal it sends is ignored).
    const off_t size = std::max(FileSize(file_), FileSize(file_ + "-wal"));
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit was{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &was), 0);
    rlimit full = was;
    full.rlim_cur = static_cast<rlim_t>(size) + 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &full), 0);
    Payload big = Make("too big", 2);
    big.session_config = std::string(1 << 20, 'x');
    store->Begin();
    store->PutPayload(big);
    EXPECT_TRUE(store->Commit().ok()) << "answered before it is written";
    const Status flushed = store->Flush();
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &was), 0);
    ASSERT_FALSE(flushed.ok()) << "the write past the limit failed";

    // Every later change is refused with that error and undone; reading is not.
    store->Begin();
    store->PutPayload(Make("refused", 3));
    const Status refused = store->Commit();
    EXPECT_EQ(refused.code(), flushed.code());
    EXPECT_EQ(refused.message(), flushed.message());
    EXPECT_FALSE(store->GetPayload("refused").has_value());
    store->Begin();
    EXPECT_TRUE(store->Commit().ok()) << "a transaction that changed nothing";
  }
  auto store = Open();
  EXPECT_EQ(PayloadIds(*store), std::vector<std::string>{"written"})
      << "the file holds the world as of its last write";
}

}  // namespace
}  // namespace imsemu::store
