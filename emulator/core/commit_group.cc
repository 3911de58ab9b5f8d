#include "emulator/core/commit_group.h"

#include <utility>

#include "emulator/clock/stopwatch.h"

namespace imsemu::core {
namespace {

// The group whose commits this thread's request defers, the group its changes
// joined (0: none), and whether it is counted among the requests that may
// still join the open group.
thread_local const CommitGroup* t_deferring = nullptr;
thread_local uint64_t t_group = 0;
thread_local bool t_joining = false;
// How long a group's first request waits for the requests in flight to join
// it. Real time: the commit it saves is a real write.
constexpr std::chrono::microseconds kMaxGroupWait{2000};

}  // namespace

CommitGroup::CommitGroup(WorldStore& store, Mutex& mu, bool enabled,
                         std::function<void()> on_undone)
    : store_(store), enabled_(enabled), on_undone_(std::move(on_undone)), moved_(mu) {}

bool CommitGroup::Deferring() const { return enabled_ && t_deferring == this; }

void CommitGroup::Defer() {
  if (!enabled_) return;
  // Counted once, even if the last request on this thread never ended.
  if (t_deferring == this && t_joining) return;
  t_deferring = this;
  t_group = 0;
  t_joining = true;
  joining_.fetch_add(1);
}

void CommitGroup::StopJoining() {
  if (t_deferring != this || !t_joining) return;
  t_joining = false;
  if (joining_.fetch_sub(1) == 1) moved_.SignalAll();
}

bool CommitGroup::BeginStep() {
  step_opened_ = !open_;
  if (step_opened_) {
    store_.Begin();
    open_ = true;
    ++seq_;
  } else {
    store_.BeginStep();
  }
  return step_opened_;
}

Status CommitGroup::EndStep(bool keep, Delivery delivery) {
  if (step_opened_ && !keep) {
    // Nothing else is in the transaction: undoing the step is rolling back.
    store_.Rollback();
    open_ = false;
    done_ = seq_;
    moved_.SignalAll();
    return OkStatus();
  }
  if (!step_opened_) {
    const Status stored = store_.EndStep(keep);
    if (!stored.ok()) {
      // A write failed, or undoing the step did: the whole group goes.
      store_.Rollback();
      Undone(stored);
      return stored;
    }
  }
  if (keep) {
    if (Deferring()) t_group = seq_;
    deliveries_.push_back(std::move(delivery));
  }
  return OkStatus();
}

Status CommitGroup::CommitUnlessDeferred() { return Deferring() ? OkStatus() : Commit(); }

Status CommitGroup::Commit() {
  if (!open_) return OkStatus();
  open_ = false;
  const Status status = store_.Commit();
  if (!status.ok()) {
    Undone(status);
    return status;
  }
  // Step by step: one may remove what an earlier one added.
  for (Delivery& delivery : std::exchange(deliveries_, {})) delivery();
  done_ = seq_;
  moved_.SignalAll();
  return OkStatus();
}

void CommitGroup::Close() {
  if (open_) (void)store_.Commit();
  open_ = false;
}

void CommitGroup::Undone(const Status& status) {
  open_ = false;
  deliveries_.clear();
  on_undone_();
  failed_.emplace(seq_, status);
  constexpr size_t kRemembered = 1024;
  if (failed_.size() > kRemembered) failed_.erase(failed_.begin());
  done_ = seq_;
  moved_.SignalAll();
}

Status CommitGroup::CommitJoined() {
  if (!Deferring()) return OkStatus();
  StopJoining();
  t_deferring = nullptr;
  const uint64_t joined = std::exchange(t_group, 0);
  // Everything this request saw is stored before it is answered: the open
  // group too, even when only others' changes are in it. Its first request
  // to get here commits it, once the requests in flight have joined it (or
  // a moment has passed); the rest wait for that commit.
  const uint64_t target = open_ ? seq_ : 0;
  while (done_ < target) {
    if (leader_) {
      moved_.Wait();
      continue;
    }
    leader_ = true;
    const Stopwatch waited;
    while (joining_.load() > 0 && done_ < target) {
      const auto left = kMaxGroupWait - waited.Elapsed();
      if (left.count() <= 0) break;
      moved_.WaitFor(left);
    }
    leader_ = false;
    if (done_ < target) {
      (void)Commit();  // a failure is reported to each request that joined
    } else {
      moved_.SignalAll();  // another may lead the next group
    }
  }
  const auto failed = failed_.find(joined);
  if (failed == failed_.end()) return OkStatus();
  return failed->second;
}

}  // namespace imsemu::core
