// WriteBehindStore: a state file's world, kept in memory and written behind.
//
// `serve --state FILE`: the world is read from a MemoryWorldStore (every
// query answered from an index, nothing decoded), and SQLite receives only
// what changed: each transaction's writes (steps undone are never written; a
// counter stored unchanged is not written), in order. When they reach the
// file is the store's `FileWrites`:
// - kBeforeAnswer (the default): Commit() returns once SQLite has committed
//   them, so a change is in the file before it is answered (kill -9 loses
//   nothing answered; group commit makes concurrent requests share the
//   write); when SQLite fails, the memory is rolled back too and the error
//   returned: a failed commit changes nothing, as with SQLite alone.
// - kBehind: Commit() queues them and returns; a thread of the store writes
//   whatever is queued in one SQLite transaction, so the file trails the
//   answers by one write (kill -9 can lose the last of them; the file is
//   always a world as it was at a commit; closing the store writes
//   everything). Once a write fails, every later commit that changes
//   something fails with its error and is undone: the file is never written
//   with a hole in it.
//
// Open() loads the file's world into memory; the journal stays in the file
// (this run's newest events are also kept in memory, up to a bound, and
// ListEvents reads older ones from the file). Not thread-safe: the World
// serialises calls.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "emulator/store/memory_world_store.h"
#include "emulator/store/sqlite_world_store.h"
#include "emulator/util/mutex.h"

namespace imsemu::store {

enum class FileWrites { kBeforeAnswer, kBehind };

class WriteBehindStore final : public core::WorldStore {
 public:
  // Opens (creating) the SQLite file at `path` and loads its world; keeps
  // this run's newest `events_in_memory` events in memory.
  static StatusOr<std::unique_ptr<WriteBehindStore>> Open(
      const std::string& path, size_t events_in_memory = 100000,
      FileWrites writes = FileWrites::kBeforeAnswer);
  // Writes what is queued (kBehind) and stops its writer.
  ~WriteBehindStore() override;

  // Returns once every committed change is in the file; the error of the
  // write that failed, if one did.
  Status Flush();

  void Begin() override;
  Status Commit() override;
  void Rollback() override;
  void BeginStep() override;
  Status EndStep(bool keep) override;
  void Clear() override;
  bool HoldsWorld() override { return memory_.HoldsWorld(); }

  std::optional<std::string> GetMeta(const std::string& key) override {
    return memory_.GetMeta(key);
  }
  void PutMeta(const std::string& key, const std::string& value) override;

  bool HasProject(const std::string& id) override { return memory_.HasProject(id); }
  void PutProject(const std::string& id) override;
  std::vector<std::string> ListProjects() override { return memory_.ListProjects(); }

  std::optional<core::Allocation> GetAllocation(const std::string& id) override {
    return memory_.GetAllocation(id);
  }
  void PutAllocation(const core::Allocation& allocation) override;
  void DeleteAllocation(const std::string& id) override;
  std::vector<core::Allocation> ListAllocations(const std::string& project_id) override {
    return memory_.ListAllocations(project_id);
  }

  std::optional<core::Payload> GetPayload(const std::string& id) override {
    return memory_.GetPayload(id);
  }
  void PutPayload(const core::Payload& payload) override;
  void DeletePayload(const std::string& id) override;
  void VisitPayloads(const std::string& allocation_id, std::optional<core::PayloadState> state,
                     const std::function<bool(const core::Payload&)>& visit) override {
    memory_.VisitPayloads(allocation_id, state, visit);
  }
  core::StateCounts CountPayloads(const std::string& allocation_id) override {
    return memory_.CountPayloads(allocation_id);
  }
  std::optional<Time> NextTimer() override { return memory_.NextTimer(); }
  std::optional<core::Payload> NextDuePayload(Time now) override {
    return memory_.NextDuePayload(now);
  }

  long long AppendEvent(const core::Event& event) override;
  std::vector<core::Event> ListEvents(long long after, int limit) override;

 private:
  // One write, to be made in SQLite at commit.
  struct MetaPut {
    std::string key, value;
  };
  struct ProjectPut {
    std::string id;
  };
  struct AllocationPut {
    core::Allocation value;
  };
  struct AllocationDelete {
    std::string id;
  };
  struct PayloadPut {
    core::Payload value;
  };
  struct PayloadDelete {
    std::string id;
  };
  struct EventAppend {
    core::Event value;
  };
  struct Cleared {};
  using Write = std::variant<MetaPut, ProjectPut, AllocationPut, AllocationDelete, PayloadPut,
                             PayloadDelete, EventAppend, Cleared>;

  // The writer of FileWrites::kBehind: what is queued for the file.
  struct Behind {
    Mutex mu;
    CondVar queued{mu};   // something to write, or stopping
    CondVar written{mu};  // the queue was written
    std::vector<Write> queue IMSEMU_GUARDED_BY(mu);
    bool writing IMSEMU_GUARDED_BY(mu) = false;
    bool stopping IMSEMU_GUARDED_BY(mu) = false;
    Status failed IMSEMU_GUARDED_BY(mu);  // the first write that failed
    std::thread thread;
  };

  // `journal_end`: the file's last event; the memory's journal goes on from it.
  WriteBehindStore(std::unique_ptr<SqliteWorldStore> file, long long journal_end,
                   size_t events_in_memory);
  // Makes `writes` in SQLite and commits them there.
  Status WriteToFile(const std::vector<Write>& writes);
  // kBehind: the writer's loop.
  void WriteQueued();

  std::string path_;
  std::unique_ptr<SqliteWorldStore> file_;
  MemoryWorldStore memory_;
  std::vector<Write> writes_;
  std::vector<size_t> steps_;       // where each open step began in writes_
  std::unique_ptr<Behind> behind_;  // null: kBeforeAnswer
};

}  // namespace imsemu::store
