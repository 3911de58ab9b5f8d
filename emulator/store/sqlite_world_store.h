// SqliteWorldStore: the WorldStore on SQLite, the emulator's only state.
//
// `:memory:` by default, or a file (WAL mode) that a restarted emulator
// resumes from. The schema is versioned with PRAGMA user_version and migrated
// forward on open. Allocations and payloads are rows with their queried
// fields as columns and the rest as a JSON document (records.h). Statements
// are prepared once and reused. Decoded payloads are kept in a write-through
// cache (GET /api/v0/payload is the hottest call); entries written by a
// transaction that rolls back are dropped. Not thread-safe: the World
// serialises calls.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "emulator/core/world_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace imsemu::store {

inline constexpr int kSchemaVersion = 5;

class SqliteWorldStore final : public core::WorldStore {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for none)
  // and migrates it. Internal if the file cannot be opened or is newer.
  static StatusOr<std::unique_ptr<SqliteWorldStore>> Open(const std::string& path);
  ~SqliteWorldStore() override;

  void Begin() override;
  Status Commit() override;
  void Rollback() override;
  void BeginStep() override;
  Status EndStep(bool keep) override;
  void Clear() override;
  bool HoldsWorld() override;

  std::optional<std::string> GetMeta(const std::string& key) override;
  void PutMeta(const std::string& key, const std::string& value) override;

  bool HasProject(const std::string& id) override;
  void PutProject(const std::string& id) override;
  std::vector<std::string> ListProjects() override;

  std::optional<core::Allocation> GetAllocation(const std::string& id) override;
  void PutAllocation(const core::Allocation& allocation) override;
  void DeleteAllocation(const std::string& id) override;
  std::vector<core::Allocation> ListAllocations(const std::string& project_id) override;

  std::optional<core::Payload> GetPayload(const std::string& id) override;
  void PutPayload(const core::Payload& payload) override;
  void DeletePayload(const std::string& id) override;
  void VisitPayloads(const std::string& allocation_id, std::optional<core::PayloadState> state,
                     const std::function<bool(const core::Payload&)>& visit) override;
  core::StateCounts CountPayloads(const std::string& allocation_id) override;
  std::optional<Time> NextTimer() override;
  std::optional<core::Payload> NextDuePayload(Time now) override;

  long long AppendEvent(const core::Event& event) override;
  std::vector<core::Event> ListEvents(long long after, int limit) override;

  // Beyond WorldStore, for loading a file's world into memory: every meta
  // key and value, and the last event's seq (0: none).
  std::vector<std::pair<std::string, std::string>> ListMeta();
  long long LastEventSeq();
  // Whether payloads stay decoded in memory after they are written (on: the
  // store answers reads; off: a store written behind memory, which answers
  // them itself, keeps no second copy).
  // Turning it off drops what is decoded now. Outside a transaction.
  void KeepPayloadsDecoded(bool keep);

 private:
  class Statement;

  explicit SqliteWorldStore(sqlite3* db) : db_(db) {}
  Status Migrate();
  Status Exec(const char* sql);
  Statement Prepare(const char* sql);
  void Fail(const std::string& what);

  // Drops the cache entries the current transaction wrote (and, with
  // `forget_list`, the list of them: at the transaction's end).
  void ForgetTouched(bool forget_list = true);
  // Writes the payloads put since the last write to their rows.
  void WriteUnwritten();
  void DropUnwritten();
  // The payload of the current row, from the cache or decoded into it.
  const core::Payload* Cached(Statement& row, int id_column, int body_column);

  sqlite3* db_;
  std::map<const char*, sqlite3_stmt*> statements_;
  std::unordered_map<std::string, core::Payload> payload_cache_;
  // Allocations as last written or read; cleared when a transaction fails.
  std::unordered_map<std::string, core::Allocation> allocation_cache_;
  std::vector<std::string> touched_;
  // Payloads put in this transaction whose rows are not written yet: a
  // payload put several times in one transaction (created, started, Ready)
  // is encoded and written once, before the next query that reads rows, or
  // at commit. The cache holds their latest version.
  std::unordered_set<std::string> unwritten_;
  Status error_;
  bool in_transaction_ = false;
  bool keep_decoded_ = true;
};

}  // namespace imsemu::store
