#include "emulator/store/write_behind_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace imsemu::store {
StatusOr<std::unique_ptr<WriteBehindStore>> WriteBehindStore::Open(const std::string& path,
                                                                   size_t events_in_memory,
                                                                   FileWrites writes) {
  IMSEMU_ASSIGN_OR_RETURN(std::unique_ptr<SqliteWorldStore> file, SqliteWorldStore::Open(path));
  const long long journal_end = file->LastEventSeq();
  std::unique_ptr<WriteBehindStore> store(
      new WriteBehindStore(std::move(file), journal_end, events_in_memory));
  store->path_ = path;
  // The file's world, into memory (outside a transaction: nothing to write).
  SqliteWorldStore& f = *store->file_;
  MemoryWorldStore& m = store->memory_;
  for (const auto& [key, value] : f.ListMeta()) m.PutMeta(key, value);
  for (const std::string& id : f.ListProjects()) m.PutProject(id);
  for (const core::Allocation& a : f.ListAllocations("")) m.PutAllocation(a);
  f.VisitPayloads("", std::nullopt, [&](const core::Payload& p) {
    m.PutPayload(p);
    return true;
  });
  f.KeepPayloadsDecoded(false);
  if (writes == FileWrites::kBehind) {
    store->behind_ = std::make_unique<Behind>();
    store->behind_->thread = std::thread([s = store.get()] { s->WriteQueued(); });
  }
  return store;
}

WriteBehindStore::~WriteBehindStore() {
  if (!behind_) return;
  {
    MutexLock lock(behind_->mu);
    behind_->stopping = true;
    behind_->queued.SignalAll();
  }
  behind_->thread.join();
}

void WriteBehindStore::WriteQueued() {
  Behind& b = *behind_;
  MutexLock lock(b.mu);
  for (;;) {
    while (b.queue.empty() && !b.stopping) b.queued.Wait();
    if (b.queue.empty()) return;  // stopping, and everything is written
    const std::vector<Write> batch = std::exchange(b.queue, {});
    if (b.failed.ok()) {
      b.writing = true;
      b.mu.unlock();
      const Status written = WriteToFile(batch);
      b.mu.lock();
      b.writing = false;
      if (!written.ok()) {
        b.failed =
            Status(written.code(),
                   "the state file " + path_ + " could not be written (" + written.message() +
                       "); every change is refused until the emulator is restarted "
                       "(the file holds the world as it was before the failed write)");
      }
    }  // after a failure nothing more is written: it would leave a hole
    b.written.SignalAll();
  }
}

Status WriteBehindStore::Flush() {
  if (!behind_) return OkStatus();
  MutexLock lock(behind_->mu);
  while (!behind_->queue.empty() || behind_->writing) behind_->written.Wait();
  return behind_->failed;
}

WriteBehindStore::WriteBehindStore(std::unique_ptr<SqliteWorldStore> file, long long journal_end,
                                   size_t events_in_memory)
    : file_(std::move(file)), memory_(events_in_memory, journal_end) {}

// ----------------------------------------------------------------------------
// Transactions

void WriteBehindStore::Begin() {
  memory_.Begin();
  writes_.clear();
  steps_.clear();
}

Status WriteBehindStore::Commit() {
  Status written;
  if (!behind_) {
    written = WriteToFile(writes_);
  } else if (!writes_.empty()) {
    MutexLock lock(behind_->mu);
    written = behind_->failed;
    if (written.ok()) {
      std::move(writes_.begin(), writes_.end(), std::back_inserter(behind_->queue));
      behind_->queued.Signal();
    }
  }
  if (written.ok()) {
    IMSEMU_RETURN_IF_ERROR(memory_.Commit());
  } else {
    memory_.Rollback();
  }
  writes_.clear();
  steps_.clear();
  return written;
}

void WriteBehindStore::Rollback() {
  memory_.Rollback();
  writes_.clear();
  steps_.clear();
}

void WriteBehindStore::BeginStep() {
  memory_.BeginStep();
  steps_.push_back(writes_.size());
}

Status WriteBehindStore::EndStep(bool keep) {
  IMSEMU_RETURN_IF_ERROR(memory_.EndStep(keep));
  if (steps_.empty()) return OkStatus();
  if (!keep) writes_.resize(steps_.back());
  steps_.pop_back();
  return OkStatus();
}

Status WriteBehindStore::WriteToFile(const std::vector<Write>& writes) {
  if (writes.empty()) return OkStatus();
  file_->Begin();
  for (const Write& w : writes) {
    if (const auto* m = std::get_if<MetaPut>(&w)) {
      file_->PutMeta(m->key, m->value);
    } else if (const auto* p = std::get_if<ProjectPut>(&w)) {
      file_->PutProject(p->id);
    } else if (const auto* a = std::get_if<AllocationPut>(&w)) {
      file_->PutAllocation(a->value);
    } else if (const auto* ad = std::get_if<AllocationDelete>(&w)) {
      file_->DeleteAllocation(ad->id);
    } else if (const auto* pp = std::get_if<PayloadPut>(&w)) {
      file_->PutPayload(pp->value);
    } else if (const auto* pd = std::get_if<PayloadDelete>(&w)) {
      file_->DeletePayload(pd->id);
    } else if (const auto* e = std::get_if<EventAppend>(&w)) {
      const long long seq = file_->AppendEvent(e->value);
      if (seq != e->value.seq) {
        file_->Rollback();
        return Internal("the state file's journal is at event " + std::to_string(seq) +
                        " where the world's is at " + std::to_string(e->value.seq));
      }
    } else {
      file_->Clear();
    }
  }
  return file_->Commit();
}

// ----------------------------------------------------------------------------
// Writes: into memory now, into the file at commit

void WriteBehindStore::Clear() {
  memory_.Clear();
  writes_.push_back(Cleared{});
}

void WriteBehindStore::PutMeta(const std::string& key, const std::string& value) {
  if (memory_.GetMeta(key) == value) return;  // the counters, stored at every change
  memory_.PutMeta(key, value);
  writes_.push_back(MetaPut{key, value});
}

void WriteBehindStore::PutProject(const std::string& id) {
  if (memory_.HasProject(id)) return;
  memory_.PutProject(id);
  writes_.push_back(ProjectPut{id});
}

void WriteBehindStore::PutAllocation(const core::Allocation& allocation) {
  memory_.PutAllocation(allocation);
  writes_.push_back(AllocationPut{allocation});
}

void WriteBehindStore::DeleteAllocation(const std::string& id) {
  memory_.DeleteAllocation(id);
  writes_.push_back(AllocationDelete{id});
}

void WriteBehindStore::PutPayload(const core::Payload& payload) {
  memory_.PutPayload(payload);
  writes_.push_back(PayloadPut{payload});
}

void WriteBehindStore::DeletePayload(const std::string& id) {
  memory_.DeletePayload(id);
  writes_.push_back(PayloadDelete{id});
}

long long WriteBehindStore::AppendEvent(const core::Event& event) {
  const long long seq = memory_.AppendEvent(event);
  EventAppend append{event};
  append.value.seq = seq;
  writes_.push_back(std::move(append));
  return seq;
}

std::vector<core::Event> WriteBehindStore::ListEvents(long long after, int limit) {
  std::vector<core::Event> out;
  const long long in_memory = memory_.OldestEventSeq();
  if (after + 1 < in_memory) {
    // Older than memory holds: in the file (committed, as everything before
    // the open transaction is, once what is queued is written).
    (void)Flush();
    for (core::Event& e : file_->ListEvents(after, limit)) {
      if (e.seq >= in_memory) break;
      after = e.seq;
      out.push_back(std::move(e));
    }
    if (static_cast<int>(out.size()) < limit) after = std::max(after, in_memory - 1);
  }
  if (static_cast<int>(out.size()) >= limit) return out;
  for (core::Event& e : memory_.ListEvents(after, limit - static_cast<int>(out.size()))) {
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace imsemu::store
