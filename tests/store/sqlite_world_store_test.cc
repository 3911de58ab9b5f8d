#include "emulator/store/sqlite_world_store.h"

#include "emulator/store/records.h"

#include "tests/testing/test_emulator.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <filesystem>

namespace imsemu::store {
namespace {

std::unique_ptr<SqliteWorldStore> OpenMemory() {
  auto s = SqliteWorldStore::Open(":memory:");
  EXPECT_TRUE(s.ok()) << s.status().message();
  return *std::move(s);
}

core::Payload SamplePayload() {
  core::Payload p;
  p.id = "abcde-12345";
  p.project_id = "p";
  p.allocation_id = "a";
  p.seq = 7;
  p.state = core::PayloadState::kReserved;
  p.details = "d";
  p.address = "127.0.0.1";
  p.ports = {{"GamePort", 30001}};
  p.created = kDefaultVirtualStart;
  p.started = kDefaultVirtualStart + Duration(5);
  p.last_reserved = kDefaultVirtualStart + Duration(10);
  p.labels = {{"l", "v"}};
  p.annotations = {{"a", "{\"json\": true}"}};
  p.session_config = std::string("conf\0ig", 7);
  p.status_updates = {{kDefaultVirtualStart, {{"phase", "lobby"}}}};
  p.timer = core::TimerKind::kShutdown;
  p.timer_at = kDefaultVirtualStart + Duration(99);
  p.restarts = 2;
  return p;
}

TEST(SqliteWorldStoreTest, PayloadRoundTripsEveryField) {
  auto store = OpenMemory();
  const core::Payload p = SamplePayload();
  store->Begin();
  store->PutPayload(p);
  ASSERT_TRUE(store->Commit().ok());
  auto got = store->GetPayload(p.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, p.state);
  EXPECT_EQ(got->ports, p.ports);
  EXPECT_EQ(got->started, p.started);
  EXPECT_EQ(got->last_reserved, p.last_reserved);
  EXPECT_EQ(got->labels, p.labels);
  EXPECT_EQ(got->annotations, p.annotations);
  EXPECT_EQ(got->session_config, p.session_config);
  EXPECT_EQ(got->status_updates, p.status_updates);
  EXPECT_EQ(got->timer, p.timer);
  EXPECT_EQ(got->timer_at, p.timer_at);
  EXPECT_EQ(got->restarts, 2);
  EXPECT_EQ(store->NextTimer(), p.timer_at);
  EXPECT_FALSE(store->NextDuePayload(p.timer_at - Duration(1)).has_value());
  EXPECT_TRUE(store->NextDuePayload(p.timer_at).has_value());
}

// The record is written by hand: every string any client may set survives
// it, and it is JSON any reader takes.
TEST(PayloadRecordTest, EveryFieldAndEveryByteRoundTrips) {
  core::Payload p = SamplePayload();
  const std::string hostile =
      std::string("q\"b\\s/\x01\x1f\n\t\0nul \x7f", 17) + "\xf0\x9f\x8e\xae \xe2\x80\xa8 </script>";
  p.details = hostile;
  p.labels = {{hostile, hostile}, {"", ""}};
  p.annotations = {{"session_type", "default"}};
  p.session_config = hostile;
  p.status_updates = {{kDefaultVirtualStart, {{hostile, "1"}}},
                      {kDefaultVirtualStart + Duration(3), {}}};
  p.ports = {{"GamePort", 30001}, {hostile, 65535}};
  p.forced = true;
  p.api_down_until = kDefaultVirtualStart + Duration(40);
  p.api_port = 40123;
  p.state_since = kDefaultVirtualStart + Duration(9);
  const std::string record = EncodePayloadRecord(p);
  EXPECT_FALSE(test::Json::parse(record, nullptr, false).is_discarded()) << record;
  EXPECT_EQ(DecodePayloadRecord(record), p) << record;

  core::Payload bare;
  bare.id = "x";
  EXPECT_EQ(DecodePayloadRecord(EncodePayloadRecord(bare)), bare);
}

// Every field of an allocation, set away from its default, comes back
// exactly: a field added to Allocation and forgotten in the record fails here.
TEST(AllocationRecordTest, EveryFieldRoundTripsExactly) {
  // No NUL: a spec refuses it in arguments and the environment.
  const std::string hostile = "q\"b\\s/\x01\n\xf0\x9f\x8e\xae \xe2\x80\xa8 </script>";
  core::Allocation a;
  a.id = "alloc-" + hostile;
  a.project_id = "project";
  a.seq = 42;
  a.created = kDefaultVirtualStart + Duration(5);
  a.deleting = true;
  a.crash_streak = 3;
  a.last_crash = kDefaultVirtualStart + Duration(77);
  a.reserved_by_session_manager = true;
  a.reserved_by_orchestration = true;
  core::AllocationSpec& s = a.spec;
  s.name = "ranked-pool";
  s.annotations = {{"session_type", "ranked"}, {"note", "a note"}};
  s.labels = {{"tier", "gold"}};
  s.buffer_size = 4;
  s.min_payloads = 2;
  s.max_payloads = 9;
  s.enabled = false;
  s.auto_ready = true;
  s.auto_ready_delay = Duration(1500);
  s.auto_reserve = core::AutoReserve{Duration(2500), {{"l", "1"}}, {{"a", "2"}}, hostile};
  s.payload_spec.command = "./server";
  s.payload_spec.args = {"--port", "{port:GamePort}", hostile};
  s.payload_spec.env = {{"MODE", hostile}};
  s.payload_spec.environment_variables = {{"MAP", hostile}, {"EMPTY", ""}};
  s.payload_spec.ports = {{"GamePort", 7777, "UDP", "DYNAMIC"}, {"Query", 27015, "TCPUDP"}};
  s.payload_spec.resources = {"500m", "1.5Gi"};
  const std::string record = EncodeAllocationRecord(a);
  EXPECT_EQ(DecodeAllocationRecord(record), a) << record;

  core::Allocation bare;
  bare.id = "x";
  EXPECT_EQ(DecodeAllocationRecord(EncodeAllocationRecord(bare)), bare);
  core::Allocation no_session_config = a;
  no_session_config.spec.auto_reserve->session_config.reset();
  EXPECT_EQ(DecodeAllocationRecord(EncodeAllocationRecord(no_session_config)), no_session_config);
}

TEST(SqliteWorldStoreTest, AnApiOutageIsADeadlineOfThePayload) {
  auto store = OpenMemory();
  core::Payload p = SamplePayload();
  p.api_down_until = p.timer_at - Duration(50);
  store->Begin();
  store->PutPayload(p);
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(store->GetPayload(p.id)->api_down_until, p.api_down_until);
  EXPECT_EQ(store->NextTimer(), p.api_down_until) << "the earlier of the two deadlines";
  EXPECT_TRUE(store->NextDuePayload(*p.api_down_until).has_value());
  p.timer = core::TimerKind::kNone;
  store->Begin();
  store->PutPayload(p);
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(store->NextTimer(), p.api_down_until) << "an outage alone is a deadline too";
}

TEST(SqliteWorldStoreTest, AllocationRoundTripsAndListsInCreationOrder) {
  auto store = OpenMemory();
  store->Begin();
  for (int i = 3; i >= 1; --i) {
    core::Allocation a;
    a.id = "a" + std::to_string(i);
    a.project_id = "p";
    a.seq = i;
    a.spec.buffer_size = i;
    a.spec.annotations["session_type"] = "t";
    a.spec.auto_reserve = core::AutoReserve{};
    store->PutAllocation(a);
  }
  ASSERT_TRUE(store->Commit().ok());
  auto list = store->ListAllocations("p");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, "a1");
  EXPECT_EQ(list[2].spec.buffer_size, 3);
  EXPECT_TRUE(list[0].spec.auto_reserve.has_value());
  EXPECT_EQ(list[0].spec.SessionType(), "t");
  EXPECT_TRUE(store->ListAllocations("other").empty());
}

TEST(SqliteWorldStoreTest, RollbackDiscardsTheTransaction) {
  auto store = OpenMemory();
  store->Begin();
  store->PutPayload(SamplePayload());
  store->AppendEvent({});
  store->Rollback();
  EXPECT_FALSE(store->GetPayload("abcde-12345").has_value());
  EXPECT_TRUE(store->ListEvents(0, 10).empty());
}

TEST(SqliteWorldStoreTest, CountsPayloadsByLifecycleGroup) {
  auto store = OpenMemory();
  store->Begin();
  int n = 0;
  for (auto state :
       {core::PayloadState::kReady, core::PayloadState::kReady, core::PayloadState::kReserved,
        core::PayloadState::kStarting, core::PayloadState::kError, core::PayloadState::kShutdown}) {
    core::Payload p = SamplePayload();
    p.id = "p" + std::to_string(n++);
    p.state = state;
    store->PutPayload(p);
  }
  ASSERT_TRUE(store->Commit().ok());
  core::StateCounts c = store->CountPayloads("a");
  EXPECT_EQ(c.total, 6);
  EXPECT_EQ(c.ready, 2);
  EXPECT_EQ(c.reserved, 1);
  EXPECT_EQ(c.pending, 2);
  store->Begin();
  core::Payload p0 = *store->GetPayload("p0");
  p0.state = core::PayloadState::kReserved;
  store->PutPayload(p0);
  store->DeletePayload("p3");
  ASSERT_TRUE(store->Commit().ok());
  c = store->CountPayloads("a");
  EXPECT_EQ(c.total, 5);
  EXPECT_EQ(c.ready, 1);
  EXPECT_EQ(c.reserved, 2);
  EXPECT_EQ(c.pending, 1);
  store->Begin();
  store->DeletePayload("p4");
  store->Rollback();
  EXPECT_EQ(store->CountPayloads("a").pending, 1);
}

TEST(SqliteWorldStoreTest, MigratesVersionOneForwardAndBackfillsCounts) {
  const std::filesystem::path path = test::TempPath("migrate") + ".db";
  {
    auto store = SqliteWorldStore::Open(path.string());
    ASSERT_TRUE(store.ok());
    (*store)->Begin();
    for (int i = 0; i < 3; ++i) {
      core::Payload p = SamplePayload();
      p.id = "p" + std::to_string(i);
      p.state = i == 0 ? core::PayloadState::kReady : core::PayloadState::kReserved;
      (*store)->PutPayload(p);
    }
    ASSERT_TRUE((*store)->Commit().ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(
                db,
                "DROP TRIGGER payload_counts_insert; DROP TRIGGER payload_counts_delete;"
                "DROP TRIGGER payload_counts_update; DROP TABLE payload_counts;"
                "ALTER TABLE payloads DROP COLUMN forced; ALTER TABLE events DROP COLUMN exit_how;"
                "ALTER TABLE events DROP COLUMN exit_code; PRAGMA user_version = 1;",
                nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = SqliteWorldStore::Open(path.string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  core::StateCounts c = (*store)->CountPayloads("a");
  EXPECT_EQ(c.total, 3);
  EXPECT_EQ(c.ready, 1);
  EXPECT_EQ(c.reserved, 2);
  store->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST(SqliteWorldStoreTest, JournalPagesByAfter) {
  auto store = OpenMemory();
  store->Begin();
  for (int i = 0; i < 5; ++i) {
    core::Event e;
    e.detail = "d" + std::to_string(i);
    e.kind = i == 2 ? core::EventKind::kWorldReset : core::EventKind::kPayloadState;
    e.actor = core::Actor::kControl;
    e.level = core::EventLevel::kWarning;
    store->AppendEvent(e);
  }
  ASSERT_TRUE(store->Commit().ok());
  auto page = store->ListEvents(2, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 3);
  EXPECT_EQ(page[0].detail, "d2");
  EXPECT_EQ(page[0].kind, core::EventKind::kWorldReset);
  EXPECT_EQ(page[0].actor, core::Actor::kControl);
  EXPECT_EQ(page[0].level, core::EventLevel::kWarning);
}

TEST(SqliteWorldStoreTest, AFileInUseIsRefusedWithAClearError) {
  const std::filesystem::path path = test::TempPath("busy") + ".db";
  auto first = SqliteWorldStore::Open(path.string());
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = SqliteWorldStore::Open(path.string());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(),
            "state file '" + path.string() + "' is in use by another process (another emulator?)");
  first->reset();
  EXPECT_TRUE(SqliteWorldStore::Open(path.string()).ok()) << "free once the first has closed";
}

TEST(SqliteWorldStoreTest, FileIsVersionedAndRefusedWhenNewer) {
  const std::filesystem::path path = test::TempPath("store") + ".db";
  {
    auto store = SqliteWorldStore::Open(path.string());
    ASSERT_TRUE(store.ok());
    (*store)->Begin();
    (*store)->PutMeta("next_seq", "5");
    ASSERT_TRUE((*store)->Commit().ok());
  }
  {
    auto store = SqliteWorldStore::Open(path.string());
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->HoldsWorld());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  int version = 0;
  sqlite3_exec(
      db, "PRAGMA user_version",
      [](void* v, int, char** cols, char**) {
        *static_cast<int*>(v) = std::atoi(cols[0]);
        return 0;
      },
      &version, nullptr);
  EXPECT_EQ(version, kSchemaVersion);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto newer = SqliteWorldStore::Open(path.string());
  EXPECT_EQ(newer.status().code(), StatusCode::kInternal);
  EXPECT_NE(newer.status().message().find("99"), std::string::npos);
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

}  // namespace
}  // namespace imsemu::store
