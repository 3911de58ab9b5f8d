// MemoryWorldStore: the WorldStore in memory, for worlds nobody resumes.
//
// What `rehearse` simulates thousands of times faster than real time: every
// query the world asks is answered from an index (payloads by id, by
// allocation and state in creation order, by deadline; counts by allocation)
// instead of a SQL statement and a record decoded. Transactions and steps
// are an undo log: a rollback puts back every value a write replaced, in
// reverse order, so a failed operation changes nothing, as on SQLite.
//
// The journal keeps at most `journal_limit` events (the newest; 0: all),
// trimmed only when a transaction commits, so a rollback never needs an
// event it dropped. Sequence numbers go on from the first ever appended.
// Not thread-safe: the World serialises calls.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "emulator/core/world_store.h"

namespace imsemu::store {

class MemoryWorldStore final : public core::WorldStore {
 public:
  // The journal's first event gets `journal_after` + 1 (a journal that goes
  // on from a file's).
  explicit MemoryWorldStore(size_t journal_limit = 0, long long journal_after = 0)
      : journal_limit_(journal_limit), next_event_seq_(journal_after + 1) {}

  // The oldest event kept (the next to come when none is).
  long long OldestEventSeq() const {
    return events_.empty() ? next_event_seq_ : events_.front().seq;
  }

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

 private:
  // Payloads in creation order (seq), as pointers into payloads_ (whose
  // nodes never move).
  using BySeq = std::map<long long, const core::Payload*>;
  struct AllocationIndex {
    BySeq all;
    std::map<core::PayloadState, BySeq> by_state;
    core::StateCounts counts;
  };
  // One undone write: the key and the value it replaced (nullopt: none).
  struct MetaWas {
    std::string key;
    std::optional<std::string> value;
  };
  struct ProjectWas {
    std::string id;
    bool present = false;
  };
  // The values on the heap (null: none), so that an entry of the log is
  // small: a transaction that loads 100,000 payloads logs 100,000 inserts.
  struct AllocationWas {
    std::string id;
    std::unique_ptr<core::Allocation> value;
  };
  struct PayloadWas {
    std::string id;
    std::unique_ptr<core::Payload> value;
  };
  struct EventAppended {};
  using Undo = std::variant<MetaWas, ProjectWas, AllocationWas, PayloadWas, EventAppended>;

  // The one way each kind of value changes, indexes and all.
  void SetAllocation(const std::string& id, std::optional<core::Allocation> value);
  void SetPayload(const std::string& id, std::optional<core::Payload> value);
  void Index(const core::Payload& p, int sign);
  void Remember(Undo undo);
  // Undoes the writes after the first `keep` of the log.
  void UndoTo(size_t keep);
  // Empties the log at a transaction's end.
  void ForgetUndo();

  size_t journal_limit_;
  bool in_transaction_ = false;
  std::vector<Undo> undo_;
  std::vector<size_t> steps_;  // where each open step began in undo_

  std::map<std::string, std::string> meta_;
  std::set<std::string> projects_;
  std::unordered_map<std::string, core::Allocation> allocations_;
  std::map<long long, std::string> allocation_order_;  // seq -> id
  std::unordered_map<std::string, core::Payload> payloads_;
  BySeq payload_order_;
  std::unordered_map<std::string, AllocationIndex> by_allocation_;
  std::set<std::pair<Time, long long>> deadlines_;  // (deadline, seq)
  std::deque<core::Event> events_;
  long long next_event_seq_;
};

}  // namespace imsemu::store
