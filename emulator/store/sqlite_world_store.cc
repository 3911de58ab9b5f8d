#include "emulator/store/sqlite_world_store.h"

#include <sqlite3.h>

#include <utility>

#include "emulator/core/control_loop.h"
#include "emulator/store/records.h"
#include "emulator/util/file_problem.h"

namespace imsemu::store {

// A prepared statement borrowed from the cache, reset when it goes out of
// scope so the next user starts clean.
class SqliteWorldStore::Statement {
 public:
  Statement(SqliteWorldStore* store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}
  ~Statement() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, const std::string& v) {
    if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, long long v) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // `v` must outlive the statement's run.
  Statement& BindStatic(int i, std::string_view v) {
    if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Statement& BindNull(int i) {
    if (stmt_) sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Returns true while a row is available.
  bool Step() {
    if (stmt_ == nullptr) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) store_->Fail(sqlite3_errmsg(store_->db_));
    return false;
  }
  void Run() {
    while (Step()) {
    }
  }
  std::string Text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  long long Int(int col) { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  SqliteWorldStore* store_;
  sqlite3_stmt* stmt_;
};

namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE projects(id TEXT PRIMARY KEY);
CREATE TABLE allocations(
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX allocations_by_project ON allocations(project_id, seq);
CREATE TABLE payloads(
  id TEXT PRIMARY KEY, allocation_id TEXT NOT NULL, seq INTEGER NOT NULL,
  state TEXT NOT NULL, timer_at INTEGER, body TEXT NOT NULL);
CREATE INDEX payloads_by_allocation ON payloads(allocation_id, seq);
CREATE INDEX payloads_by_state ON payloads(allocation_id, state, seq);
CREATE INDEX payloads_by_timer ON payloads(timer_at) WHERE timer_at IS NOT NULL;
CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, level TEXT NOT NULL,
  actor TEXT NOT NULL, kind TEXT NOT NULL, project_id TEXT NOT NULL,
  allocation_id TEXT NOT NULL, payload_id TEXT NOT NULL, old_state TEXT NOT NULL,
  new_state TEXT NOT NULL, detail TEXT NOT NULL);
)sql";

// Version 2 keeps payload counts per allocation and state, maintained by
// triggers, so the control loop reads a handful of rows instead of scanning
// every payload of an allocation after each reservation.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE payload_counts(
  allocation_id TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (allocation_id, state)) WITHOUT ROWID;
INSERT INTO payload_counts(allocation_id, state, n)
  SELECT allocation_id, state, count(*) FROM payloads GROUP BY allocation_id, state;
CREATE TRIGGER payload_counts_insert AFTER INSERT ON payloads BEGIN
  INSERT INTO payload_counts(allocation_id, state, n) VALUES(new.allocation_id, new.state, 1)
    ON CONFLICT(allocation_id, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER payload_counts_delete AFTER DELETE ON payloads BEGIN
  UPDATE payload_counts SET n = n - 1
    WHERE allocation_id = old.allocation_id AND state = old.state;
END;
CREATE TRIGGER payload_counts_update AFTER UPDATE OF state ON payloads
  WHEN old.state <> new.state BEGIN
  UPDATE payload_counts SET n = n - 1
    WHERE allocation_id = old.allocation_id AND state = old.state;
  INSERT INTO payload_counts(allocation_id, state, n) VALUES(new.allocation_id, new.state, 1)
    ON CONFLICT(allocation_id, state) DO UPDATE SET n = n + 1;
END;
)sql";

// Version 3 orders due timers by (timer_at, seq) in the index itself: with
// thousands of timers due at one instant, picking the next one no longer
// sorts them all.
constexpr const char* kSchemaV3 = R"sql(
DROP INDEX payloads_by_timer;
CREATE INDEX payloads_by_timer ON payloads(timer_at, seq) WHERE timer_at IS NOT NULL;
)sql";

// Version 4 counts payloads whose state was forced under a state of their
// own, 'Forced': the control loop leaves them alone, so a forced Error or
// Starting must not count towards the buffer (nor be scaled away).
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE payloads ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER payload_counts_insert;
DROP TRIGGER payload_counts_delete;
DROP TRIGGER payload_counts_update;
CREATE TRIGGER payload_counts_insert AFTER INSERT ON payloads BEGIN
  INSERT INTO payload_counts(allocation_id, state, n)
    VALUES(new.allocation_id, CASE WHEN new.forced THEN 'Forced' ELSE new.state END, 1)
    ON CONFLICT(allocation_id, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER payload_counts_delete AFTER DELETE ON payloads BEGIN
  UPDATE payload_counts SET n = n - 1 WHERE allocation_id = old.allocation_id
    AND state = CASE WHEN old.forced THEN 'Forced' ELSE old.state END;
END;
CREATE TRIGGER payload_counts_update AFTER UPDATE OF state, forced ON payloads
  WHEN old.state <> new.state OR old.forced <> new.forced BEGIN
  UPDATE payload_counts SET n = n - 1 WHERE allocation_id = old.allocation_id
    AND state = CASE WHEN old.forced THEN 'Forced' ELSE old.state END;
  INSERT INTO payload_counts(allocation_id, state, n)
    VALUES(new.allocation_id, CASE WHEN new.forced THEN 'Forced' ELSE new.state END, 1)
    ON CONFLICT(allocation_id, state) DO UPDATE SET n = n + 1;
END;
)sql";

// Forward migrations: kMigrations[i] takes a database from version i to i+1.
// Version 5 keeps how a game server ended on the journal's state change it
// caused, typed (exited with a code, ended by a signal, never started):
// `check` and people read it, where the detail's prose was ambiguous (an exit
// code of 255 is not "signal 127").
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE events ADD COLUMN exit_how TEXT;
ALTER TABLE events ADD COLUMN exit_code INTEGER;
)sql";

constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5};

}  // namespace

StatusOr<std::unique_ptr<SqliteWorldStore>> SqliteWorldStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const bool in_memory = path == ":memory:" || path.empty();
  // SQLite says "unable to open database file" for every cause: find it.
  if (const std::string why = in_memory ? "" : FileProblem(path, FileUse::kWrite); !why.empty()) {
    return InvalidArgument("cannot open state file '" + path + "': " + why);
  }
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Internal("cannot open state file '" + path + "': " + message);
  }
  std::unique_ptr<SqliteWorldStore> store(new SqliteWorldStore(db));
  const Status opened = [&] {
    if (in_memory) return store->Migrate();
    // One emulator per file, holding it from the first write on (and no
    // shared-memory index: fewer system calls a commit); each commit is in
    // the WAL before it is acknowledged, so a killed emulator loses nothing
    // acknowledged (only a crash of the machine can); the page cache holds
    // a large world (64 MB), so reads do not go back to the file.
    IMSEMU_RETURN_IF_ERROR(store->Exec("PRAGMA locking_mode=EXCLUSIVE"));
    IMSEMU_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
    IMSEMU_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
    IMSEMU_RETURN_IF_ERROR(store->Exec("PRAGMA cache_size=-65536"));
    return store->Migrate();
  }();
  if (!opened.ok() && sqlite3_errcode(db) == SQLITE_BUSY) {
    return FailedPrecondition("state file '" + path +
                              "' is in use by another process (another emulator?)");
  }
  if (!opened.ok() && sqlite3_errcode(db) == SQLITE_NOTADB) {
    return InvalidArgument("state file '" + path +
                           "' is not an ims-emulator state file (SQLite: file is not a database); "
                           "give --state a new file or one an emulator wrote");
  }
  if (!opened.ok()) {
    return Status(opened.code(), "state file '" + path + "': " + opened.message());
  }
  return store;
}

SqliteWorldStore::~SqliteWorldStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status SqliteWorldStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("sqlite: " + message);
  }
  return OkStatus();
}

Status SqliteWorldStore::Migrate() {
  int version = 0;
  {
    Statement s = Prepare("PRAGMA user_version");
    if (s.Step()) version = static_cast<int>(s.Int(0));
  }
  if (version > kSchemaVersion) {
    return Internal("state file has schema version " + std::to_string(version) +
                    ", newer than this emulator's " + std::to_string(kSchemaVersion));
  }
  for (; version < kSchemaVersion; ++version) {
    IMSEMU_RETURN_IF_ERROR(Exec("BEGIN"));
    Status s = Exec(kMigrations[version]);
    const std::string bump = "PRAGMA user_version = " + std::to_string(version + 1);
    if (s.ok()) s = Exec(bump.c_str());
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    IMSEMU_RETURN_IF_ERROR(Exec("COMMIT"));
  }
  return OkStatus();
}

SqliteWorldStore::Statement SqliteWorldStore::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      Fail(sqlite3_errmsg(db_));
      return Statement(this, nullptr);
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return Statement(this, it->second);
}

void SqliteWorldStore::Fail(const std::string& what) {
  if (error_.ok()) error_ = Internal("sqlite: " + what);
}

void SqliteWorldStore::ForgetTouched(bool forget_list) {
  for (const std::string& id : touched_) payload_cache_.erase(id);
  if (forget_list) touched_.clear();
  DropUnwritten();
  allocation_cache_.clear();  // few: decoded again on demand
}

void SqliteWorldStore::Begin() {
  error_ = OkStatus();
  touched_.clear();
  Prepare("BEGIN").Run();
  in_transaction_ = true;
}

Status SqliteWorldStore::Commit() {
  if (!error_.ok()) {
    Rollback();
    Status failed = error_;
    error_ = OkStatus();
    return failed;
  }
  WriteUnwritten();
  if (!error_.ok()) {
    Rollback();
    Status failed = error_;
    error_ = OkStatus();
    return failed;
  }
  Prepare("COMMIT").Run();
  in_transaction_ = false;
  Status result = error_;
  error_ = OkStatus();
  if (!result.ok()) {
    // A failed COMMIT may have ended the transaction itself; end it if not.
    if (sqlite3_get_autocommit(db_) == 0) {
      Status rolled_back = Exec("ROLLBACK");
      if (!rolled_back.ok()) {
        result = Internal(result.message() + "; ROLLBACK failed too: " + rolled_back.message());
      }
    }
    ForgetTouched();
  }
  touched_.clear();
  return result;
}

void SqliteWorldStore::Rollback() {
  if (in_transaction_) Prepare("ROLLBACK").Run();
  in_transaction_ = false;
  ForgetTouched();
}

void SqliteWorldStore::BeginStep() { Prepare("SAVEPOINT step").Run(); }

Status SqliteWorldStore::EndStep(bool keep) {
  if (keep) WriteUnwritten();  // so a failed write is this step's
  Status failed = std::exchange(error_, OkStatus());
  if (keep && failed.ok()) {
    Prepare("RELEASE step").Run();
    return std::exchange(error_, OkStatus());
  }
  Prepare("ROLLBACK TO step").Run();
  Prepare("RELEASE step").Run();
  // Rows the step wrote are read again; the list stays, for the transaction.
  ForgetTouched(/*forget_list=*/false);
  Status undo = std::exchange(error_, OkStatus());
  if (!undo.ok()) {
    return Internal((failed.ok() ? "" : failed.message() + "; ") +
                    "undoing a step failed: " + undo.message());
  }
  return failed;
}

void SqliteWorldStore::Clear() {
  payload_cache_.clear();
  allocation_cache_.clear();
  DropUnwritten();
  Prepare("DELETE FROM payloads").Run();
  Prepare("DELETE FROM payload_counts").Run();
  Prepare("DELETE FROM allocations").Run();
  Prepare("DELETE FROM projects").Run();
}

bool SqliteWorldStore::HoldsWorld() { return GetMeta("next_seq").has_value(); }

std::optional<std::string> SqliteWorldStore::GetMeta(const std::string& key) {
  Statement s = Prepare("SELECT value FROM meta WHERE key = ?1");
  s.Bind(1, key);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SqliteWorldStore::PutMeta(const std::string& key, const std::string& value) {
  Prepare(
      "INSERT INTO meta(key, value) VALUES(?1, ?2) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .Bind(1, key)
      .Bind(2, value)
      .Run();
}

bool SqliteWorldStore::HasProject(const std::string& id) {
  Statement s = Prepare("SELECT 1 FROM projects WHERE id = ?1");
  s.Bind(1, id);
  return s.Step();
}

void SqliteWorldStore::PutProject(const std::string& id) {
  Prepare("INSERT OR IGNORE INTO projects(id) VALUES(?1)").Bind(1, id).Run();
}

std::vector<std::string> SqliteWorldStore::ListProjects() {
  std::vector<std::string> out;
  Statement s = Prepare("SELECT id FROM projects ORDER BY id");
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

std::optional<core::Allocation> SqliteWorldStore::GetAllocation(const std::string& id) {
  if (auto it = allocation_cache_.find(id); it != allocation_cache_.end()) return it->second;
  Statement s = Prepare("SELECT body FROM allocations WHERE id = ?1");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  std::optional<core::Allocation> a = DecodeAllocationRecord(s.Text(0));
  if (a) allocation_cache_.insert_or_assign(id, *a);
  return a;
}

void SqliteWorldStore::PutAllocation(const core::Allocation& a) {
  Prepare(
      "INSERT INTO allocations(id, project_id, seq, body) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(id) DO UPDATE SET body = excluded.body")
      .Bind(1, a.id)
      .Bind(2, a.project_id)
      .Bind(3, a.seq)
      .Bind(4, EncodeAllocationRecord(a))
      .Run();
  allocation_cache_.insert_or_assign(a.id, a);
}

void SqliteWorldStore::DeleteAllocation(const std::string& id) {
  Prepare("DELETE FROM allocations WHERE id = ?1").Bind(1, id).Run();
  allocation_cache_.erase(id);
}

std::vector<core::Allocation> SqliteWorldStore::ListAllocations(const std::string& project_id) {
  std::vector<core::Allocation> out;
  Statement s =
      Prepare("SELECT body FROM allocations WHERE ?1 = '' OR project_id = ?1 ORDER BY seq");
  s.Bind(1, project_id);
  while (s.Step()) {
    if (auto a = DecodeAllocationRecord(s.Text(0))) out.push_back(std::move(*a));
  }
  return out;
}

std::optional<core::Payload> SqliteWorldStore::GetPayload(const std::string& id) {
  if (auto it = payload_cache_.find(id); it != payload_cache_.end()) return it->second;
  Statement s = Prepare("SELECT id, body FROM payloads WHERE id = ?1");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  const core::Payload* p = Cached(s, 0, 1);
  return p ? std::optional<core::Payload>(*p) : std::nullopt;
}

void SqliteWorldStore::PutPayload(const core::Payload& p) {
  payload_cache_.insert_or_assign(p.id, p);
  touched_.push_back(p.id);
  unwritten_.insert(p.id);
}

void SqliteWorldStore::DropUnwritten() {
  // Not clear(): that zeroes every bucket, and after a 100,000-payload
  // transaction the set keeps its buckets, so each later flush of one payload
  // would zero a megabyte. A fresh set has none.
  std::unordered_set<std::string>().swap(unwritten_);
}

void SqliteWorldStore::WriteUnwritten() {
  if (unwritten_.empty()) return;
  for (const std::string& id : unwritten_) {
    const core::Payload& p = payload_cache_.at(id);
    const std::string body = EncodePayloadRecord(p);
    const char* state = core::PayloadStateName(p.state);
    const std::optional<Time> next = p.NextDeadline();
    // The column holds the next deadline of either kind (the name is older).
    auto bind = [&](Statement& s) -> Statement& {
      s.Bind(1, p.id).BindStatic(2, state).BindStatic(4, body);
      s.Bind(5, static_cast<long long>(p.forced ? 1 : 0));
      if (next) {
        s.Bind(3, static_cast<long long>(next->time_since_epoch().count()));
      } else {
        s.BindNull(3);
      }
      return s;
    };
    {
      Statement update = Prepare(
          "UPDATE payloads SET state = ?2, timer_at = ?3, body = ?4, forced = ?5 WHERE id = ?1");
      bind(update).Run();
    }
    if (sqlite3_changes(db_) > 0) continue;
    Statement insert = Prepare(
        "INSERT INTO payloads(id, state, timer_at, body, forced, allocation_id, seq) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    bind(insert).Bind(6, p.allocation_id).Bind(7, p.seq).Run();
  }
  if (!keep_decoded_) {
    for (const std::string& id : unwritten_) payload_cache_.erase(id);
  }
  DropUnwritten();
}

void SqliteWorldStore::DeletePayload(const std::string& id) {
  unwritten_.erase(id);
  Prepare("DELETE FROM payloads WHERE id = ?1").Bind(1, id).Run();
  payload_cache_.erase(id);
  touched_.push_back(id);
}

void SqliteWorldStore::VisitPayloads(const std::string& allocation_id,
                                     std::optional<core::PayloadState> state,
                                     const std::function<bool(const core::Payload&)>& visit) {
  // One statement for each case, so each uses its index.
  static constexpr const char* kSql[2][2] = {
      {"SELECT id, body FROM payloads ORDER BY seq",
       "SELECT id, body FROM payloads WHERE state = ?2 ORDER BY seq"},
      {"SELECT id, body FROM payloads WHERE allocation_id = ?1 ORDER BY seq",
       "SELECT id, body FROM payloads WHERE allocation_id = ?1 AND state = ?2 ORDER BY seq"}};
  WriteUnwritten();
  Statement s = Prepare(kSql[allocation_id.empty() ? 0 : 1][state ? 1 : 0]);
  if (!allocation_id.empty()) s.Bind(1, allocation_id);
  if (state) s.Bind(2, std::string(core::PayloadStateName(*state)));
  while (s.Step()) {
    const core::Payload* p = Cached(s, 0, 1);
    if (p != nullptr && !visit(*p)) break;
  }
}

const core::Payload* SqliteWorldStore::Cached(Statement& row, int id_column, int body_column) {
  std::string id = row.Text(id_column);
  if (auto it = payload_cache_.find(id); it != payload_cache_.end()) return &it->second;
  std::optional<core::Payload> p = DecodePayloadRecord(row.Text(body_column));
  if (!p) return nullptr;
  return &payload_cache_.emplace(std::move(id), *std::move(p)).first->second;
}

core::StateCounts SqliteWorldStore::CountPayloads(const std::string& allocation_id) {
  core::StateCounts counts;
  WriteUnwritten();
  Statement s = Prepare("SELECT state, n FROM payload_counts WHERE allocation_id = ?1");
  s.Bind(1, allocation_id);
  while (s.Step()) {
    // 'Forced' (see the schema) parses as no state: counted in the total only.
    const std::optional<core::PayloadState> state = core::ParsePayloadState(s.Text(0));
    const int n = static_cast<int>(s.Int(1));
    counts.total += n;
    if (!state) continue;
    if (*state == core::PayloadState::kReady) counts.ready += n;
    if (*state == core::PayloadState::kReserved) counts.reserved += n;
    if (core::IsPending(*state)) counts.pending += n;
  }
  return counts;
}

std::optional<Time> SqliteWorldStore::NextTimer() {
  WriteUnwritten();
  Statement s = Prepare("SELECT min(timer_at) FROM payloads WHERE timer_at IS NOT NULL");
  if (!s.Step() || s.IsNull(0)) return std::nullopt;
  return Time(Duration(s.Int(0)));
}

std::optional<core::Payload> SqliteWorldStore::NextDuePayload(Time now) {
  WriteUnwritten();
  Statement s = Prepare(
      "SELECT id, body FROM payloads WHERE timer_at IS NOT NULL AND timer_at <= ?1 "
      "ORDER BY timer_at, seq LIMIT 1");
  s.Bind(1, static_cast<long long>(now.time_since_epoch().count()));
  if (!s.Step()) return std::nullopt;
  const core::Payload* p = Cached(s, 0, 1);
  return p ? std::optional<core::Payload>(*p) : std::nullopt;
}

long long SqliteWorldStore::AppendEvent(const core::Event& e) {
  Statement s = Prepare(
      "INSERT INTO events(time_ms, level, actor, kind, project_id, allocation_id, "
      "payload_id, old_state, new_state, detail, exit_how, exit_code) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  s.Bind(1, static_cast<long long>(e.time.time_since_epoch().count()))
      .Bind(2, core::EventLevelName(e.level))
      .Bind(3, core::ActorName(e.actor))
      .Bind(4, core::EventKindName(e.kind))
      .Bind(5, e.project_id)
      .Bind(6, e.allocation_id)
      .Bind(7, e.payload_id)
      .Bind(8, e.old_state)
      .Bind(9, e.new_state)
      .Bind(10, e.detail);
  if (e.exit) {
    s.Bind(11, core::ProcessExitHowName(e.exit->how))
        .Bind(12, static_cast<long long>(e.exit->code));
  } else {
    s.BindNull(11).BindNull(12);
  }
  s.Run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<core::Event> SqliteWorldStore::ListEvents(long long after, int limit) {
  std::vector<core::Event> out;
  Statement s = Prepare(
      "SELECT seq, time_ms, level, actor, kind, project_id, allocation_id, payload_id, "
      "old_state, new_state, detail, exit_how, exit_code FROM events WHERE seq > ?1 "
      "ORDER BY seq LIMIT ?2");
  s.Bind(1, after).Bind(2, static_cast<long long>(limit));
  while (s.Step()) {
    core::Event e;
    e.seq = s.Int(0);
    e.time = Time(Duration(s.Int(1)));
    // The schema version keeps names this build does not know out.
    e.level = core::ParseEventLevel(s.Text(2)).value_or(core::EventLevel::kInfo);
    e.actor = core::ParseActor(s.Text(3)).value_or(core::Actor::kEmulator);
    e.kind = core::ParseEventKind(s.Text(4)).value_or(core::EventKind::kPayloadState);
    e.project_id = s.Text(5);
    e.allocation_id = s.Text(6);
    e.payload_id = s.Text(7);
    e.old_state = s.Text(8);
    e.new_state = s.Text(9);
    e.detail = s.Text(10);
    if (!s.IsNull(11)) {
      e.exit = core::ProcessExit{
          core::ParseProcessExitHow(s.Text(11)).value_or(core::ProcessExit::How::kExited),
          static_cast<int>(s.Int(12))};
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SqliteWorldStore::ListMeta() {
  std::vector<std::pair<std::string, std::string>> out;
  Statement s = Prepare("SELECT key, value FROM meta ORDER BY key");
  while (s.Step()) out.emplace_back(s.Text(0), s.Text(1));
  return out;
}

void SqliteWorldStore::KeepPayloadsDecoded(bool keep) {
  keep_decoded_ = keep;
  if (!keep) std::unordered_map<std::string, core::Payload>().swap(payload_cache_);
}

long long SqliteWorldStore::LastEventSeq() {
  Statement s = Prepare("SELECT max(seq) FROM events");
  if (!s.Step() || s.IsNull(0)) return 0;
  return s.Int(0);
}

}  // namespace imsemu::store
