// WorldStore: the persistence the world needs, in domain terms.
//
// The store is the single source of truth for projects, allocations,
// payloads, the event journal and a few counters. The world calls it under
// its own lock, inside Begin()/Commit(), so implementations need not be
// thread-safe. Writes do not return errors one by one: the first failure is
// remembered and Commit() reports it (and rolls the transaction back), so a
// failed request changes nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/allocation.h"
#include "emulator/core/event.h"
#include "emulator/core/payload.h"
#include "ims_emulator/status.h"

namespace imsemu::core {

struct StateCounts {
  int total = 0;
  int ready = 0;
  int reserved = 0;
  int pending = 0;  // IsPending (control_loop.h): on their way to Ready
};

class WorldStore {
 public:
  virtual ~WorldStore() = default;

  virtual void Begin() = 0;
  // Commits; on any error during the transaction, rolls back and returns it.
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // A step inside the open transaction (a savepoint), so several requests'
  // changes can commit together (group commit) while each one's failure
  // undoes only its own. EndStep(false) undoes the step; EndStep(true) keeps
  // it unless one of its writes failed, which it then undoes and returns.
  virtual void BeginStep() = 0;
  virtual Status EndStep(bool keep) = 0;

  // Removes the world (projects, allocations, payloads and their counts);
  // the journal and the meta counters stay (a reset is history too).
  virtual void Clear() = 0;
  // True when the store holds a world (the meta counter was ever written).
  virtual bool HoldsWorld() = 0;

  virtual std::optional<std::string> GetMeta(const std::string& key) = 0;
  virtual void PutMeta(const std::string& key, const std::string& value) = 0;

  virtual bool HasProject(const std::string& id) = 0;
  virtual void PutProject(const std::string& id) = 0;
  virtual std::vector<std::string> ListProjects() = 0;

  virtual std::optional<Allocation> GetAllocation(const std::string& id) = 0;
  virtual void PutAllocation(const Allocation& allocation) = 0;
  virtual void DeleteAllocation(const std::string& id) = 0;
  // In creation order; all projects when `project_id` is empty.
  virtual std::vector<Allocation> ListAllocations(const std::string& project_id) = 0;

  virtual std::optional<Payload> GetPayload(const std::string& id) = 0;
  virtual void PutPayload(const Payload& payload) = 0;
  virtual void DeletePayload(const std::string& id) = 0;
  // Calls `visit` for the payloads of `allocation_id` (all when empty) in
  // creation order, only those in `state` when given, until it returns false.
  // `visit` must not write to the store.
  virtual void VisitPayloads(const std::string& allocation_id, std::optional<PayloadState> state,
                             const std::function<bool(const Payload&)>& visit) = 0;
  virtual StateCounts CountPayloads(const std::string& allocation_id) = 0;
  // The first payload deadline (Payload::NextDeadline), if any.
  virtual std::optional<Time> NextTimer() = 0;
  // The payload whose deadline is due first at or before `now`.
  virtual std::optional<Payload> NextDuePayload(Time now) = 0;

  // Appends `event` and returns its sequence number.
  virtual long long AppendEvent(const Event& event) = 0;
  // Events with seq > `after`, oldest first, at most `limit`.
  virtual std::vector<Event> ListEvents(long long after, int limit) = 0;
};

}  // namespace imsemu::core
