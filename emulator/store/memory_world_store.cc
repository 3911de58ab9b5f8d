#include "emulator/store/memory_world_store.h"

#include <algorithm>

#include "emulator/core/control_loop.h"

namespace imsemu::store {

// ----------------------------------------------------------------------------
// Transactions

void MemoryWorldStore::Begin() {
  in_transaction_ = true;
  undo_.clear();
  steps_.clear();
}

Status MemoryWorldStore::Commit() {
  in_transaction_ = false;
  ForgetUndo();
  steps_.clear();
  while (journal_limit_ > 0 && events_.size() > journal_limit_) events_.pop_front();
  return OkStatus();
}

void MemoryWorldStore::Rollback() {
  UndoTo(0);
  in_transaction_ = false;
  ForgetUndo();
  steps_.clear();
}

void MemoryWorldStore::ForgetUndo() {
  // A big transaction's log gives its memory back; a small one keeps it.
  if (undo_.capacity() > 4096) {
    std::vector<Undo>().swap(undo_);
  } else {
    undo_.clear();
  }
}

void MemoryWorldStore::BeginStep() { steps_.push_back(undo_.size()); }

Status MemoryWorldStore::EndStep(bool keep) {
  if (steps_.empty()) return OkStatus();
  const size_t begun = steps_.back();
  steps_.pop_back();
  if (!keep) UndoTo(begun);
  return OkStatus();
}

void MemoryWorldStore::Remember(Undo undo) {
  if (in_transaction_) undo_.push_back(std::move(undo));
}

void MemoryWorldStore::UndoTo(size_t keep) {
  // The log is switched off while undoing: putting back is not a new write.
  const bool was = std::exchange(in_transaction_, false);
  while (undo_.size() > keep) {
    Undo undo = std::move(undo_.back());
    undo_.pop_back();
    if (auto* m = std::get_if<MetaWas>(&undo)) {
      if (m->value) {
        meta_[m->key] = *m->value;
      } else {
        meta_.erase(m->key);
      }
    } else if (auto* p = std::get_if<ProjectWas>(&undo)) {
      if (p->present) {
        projects_.insert(p->id);
      } else {
        projects_.erase(p->id);
      }
    } else if (auto* a = std::get_if<AllocationWas>(&undo)) {
      SetAllocation(a->id, a->value ? std::optional(std::move(*a->value)) : std::nullopt);
    } else if (auto* w = std::get_if<PayloadWas>(&undo)) {
      SetPayload(w->id, w->value ? std::optional(std::move(*w->value)) : std::nullopt);
    } else {
      events_.pop_back();
      --next_event_seq_;
    }
  }
  in_transaction_ = was;
}

void MemoryWorldStore::Clear() {
  std::vector<std::string> ids;
  for (const auto& [seq, p] : payload_order_) ids.push_back(p->id);
  for (const std::string& id : ids) DeletePayload(id);
  ids.clear();
  for (const auto& [seq, id] : allocation_order_) ids.push_back(id);
  for (const std::string& id : ids) DeleteAllocation(id);
  for (const std::string& id : projects_) Remember(ProjectWas{id, true});
  projects_.clear();
}

bool MemoryWorldStore::HoldsWorld() { return meta_.count("next_seq") > 0; }

// ----------------------------------------------------------------------------
// Meta and projects

std::optional<std::string> MemoryWorldStore::GetMeta(const std::string& key) {
  auto it = meta_.find(key);
  if (it == meta_.end()) return std::nullopt;
  return it->second;
}

void MemoryWorldStore::PutMeta(const std::string& key, const std::string& value) {
  auto it = meta_.find(key);
  if (it != meta_.end() && it->second == value) return;
  Remember(MetaWas{key, it == meta_.end() ? std::nullopt : std::optional(it->second)});
  meta_[key] = value;
}

bool MemoryWorldStore::HasProject(const std::string& id) { return projects_.count(id) > 0; }

void MemoryWorldStore::PutProject(const std::string& id) {
  if (projects_.insert(id).second) Remember(ProjectWas{id, false});
}

std::vector<std::string> MemoryWorldStore::ListProjects() {
  return {projects_.begin(), projects_.end()};
}

// ----------------------------------------------------------------------------
// Allocations

void MemoryWorldStore::SetAllocation(const std::string& id, std::optional<core::Allocation> value) {
  auto it = allocations_.find(id);
  if (it != allocations_.end()) {
    Remember(AllocationWas{id, std::make_unique<core::Allocation>(it->second)});
    allocation_order_.erase(it->second.seq);
    allocations_.erase(it);
  } else {
    Remember(AllocationWas{id, nullptr});
  }
  if (!value) return;
  allocation_order_[value->seq] = id;
  allocations_.emplace(id, *std::move(value));
}

std::optional<core::Allocation> MemoryWorldStore::GetAllocation(const std::string& id) {
  auto it = allocations_.find(id);
  if (it == allocations_.end()) return std::nullopt;
  return it->second;
}

void MemoryWorldStore::PutAllocation(const core::Allocation& a) { SetAllocation(a.id, a); }

void MemoryWorldStore::DeleteAllocation(const std::string& id) {
  if (allocations_.count(id) > 0) SetAllocation(id, std::nullopt);
}

std::vector<core::Allocation> MemoryWorldStore::ListAllocations(const std::string& project_id) {
  std::vector<core::Allocation> out;
  for (const auto& [seq, id] : allocation_order_) {
    const core::Allocation& a = allocations_.at(id);
    if (project_id.empty() || a.project_id == project_id) out.push_back(a);
  }
  return out;
}

// ----------------------------------------------------------------------------
// Payloads

void MemoryWorldStore::Index(const core::Payload& p, int sign) {
  AllocationIndex& index = by_allocation_[p.allocation_id];
  const std::optional<Time> deadline = p.NextDeadline();
  if (sign > 0) {
    payload_order_[p.seq] = &p;
    index.all[p.seq] = &p;
    index.by_state[p.state][p.seq] = &p;
    if (deadline) deadlines_.emplace(*deadline, p.seq);
  } else {
    payload_order_.erase(p.seq);
    index.all.erase(p.seq);
    index.by_state[p.state].erase(p.seq);
    if (deadline) deadlines_.erase({*deadline, p.seq});
  }
  // As SQLite counts them: a forced payload in the total only.
  core::StateCounts& c = index.counts;
  c.total += sign;
  if (p.forced) return;
  if (p.state == core::PayloadState::kReady) c.ready += sign;
  if (p.state == core::PayloadState::kReserved) c.reserved += sign;
  if (core::IsPending(p.state)) c.pending += sign;
}

void MemoryWorldStore::SetPayload(const std::string& id, std::optional<core::Payload> value) {
  auto it = payloads_.find(id);
  if (it != payloads_.end()) {
    Index(it->second, -1);
    if (value) {
      // The node stays where it is: the indexes point at it.
      if (in_transaction_) {
        undo_.push_back(PayloadWas{id, std::make_unique<core::Payload>(std::move(it->second))});
      }
      it->second = *std::move(value);
      Index(it->second, +1);
      return;
    }
    Remember(PayloadWas{id, std::make_unique<core::Payload>(std::move(it->second))});
    payloads_.erase(it);
    return;
  }
  if (!value) return;
  Remember(PayloadWas{id, nullptr});
  auto [inserted, ok] = payloads_.emplace(id, *std::move(value));
  Index(inserted->second, +1);
}

std::optional<core::Payload> MemoryWorldStore::GetPayload(const std::string& id) {
  auto it = payloads_.find(id);
  if (it == payloads_.end()) return std::nullopt;
  return it->second;
}

void MemoryWorldStore::PutPayload(const core::Payload& p) { SetPayload(p.id, p); }

void MemoryWorldStore::DeletePayload(const std::string& id) {
  if (payloads_.count(id) > 0) SetPayload(id, std::nullopt);
}

void MemoryWorldStore::VisitPayloads(const std::string& allocation_id,
                                     std::optional<core::PayloadState> state,
                                     const std::function<bool(const core::Payload&)>& visit) {
  const BySeq* order = &payload_order_;
  if (!allocation_id.empty()) {
    auto it = by_allocation_.find(allocation_id);
    if (it == by_allocation_.end()) return;
    order = &it->second.all;
    if (state) {
      auto s = it->second.by_state.find(*state);
      if (s == it->second.by_state.end()) return;
      order = &s->second;
    }
  }
  for (const auto& [seq, p] : *order) {
    if (state && p->state != *state) continue;
    if (!visit(*p)) break;
  }
}

core::StateCounts MemoryWorldStore::CountPayloads(const std::string& allocation_id) {
  auto it = by_allocation_.find(allocation_id);
  return it == by_allocation_.end() ? core::StateCounts{} : it->second.counts;
}

std::optional<Time> MemoryWorldStore::NextTimer() {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

std::optional<core::Payload> MemoryWorldStore::NextDuePayload(Time now) {
  if (deadlines_.empty() || deadlines_.begin()->first > now) return std::nullopt;
  return *payload_order_.at(deadlines_.begin()->second);
}

// ----------------------------------------------------------------------------
// The journal

long long MemoryWorldStore::AppendEvent(const core::Event& event) {
  events_.push_back(event);
  events_.back().seq = next_event_seq_;
  if (in_transaction_) undo_.push_back(EventAppended{});
  return next_event_seq_++;
}

std::vector<core::Event> MemoryWorldStore::ListEvents(long long after, int limit) {
  std::vector<core::Event> out;
  if (events_.empty() || limit <= 0) return out;
  const long long first = events_.front().seq;
  const long long skip = std::max(0LL, after + 1 - first);
  for (auto it =
           events_.begin() + std::min<long long>(skip, static_cast<long long>(events_.size()));
       it != events_.end() && static_cast<int>(out.size()) < limit; ++it) {
    out.push_back(*it);
  }
  return out;
}

}  // namespace imsemu::store
