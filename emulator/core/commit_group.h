// CommitGroup: the world's transactions, which World::Transact is the one
// path through.
//
// Each change the world makes is a step. A step that finds no transaction
// open opens one and needs no savepoint: undoing it is rolling back. A step
// that joins an open transaction is a savepoint of its own
// (WorldStore::BeginStep/EndStep), so a refused one undoes only itself. The
// transaction, a group of steps, commits when the step's request is done: at
// once, unless the request defers its commits (group commit, for a store
// whose commits are writes to a file). Then the changes of concurrent requests
// join one transaction, and the first of them to reach its answer commits it
// once the requests in flight have joined it (waiting at most 2 ms, real
// time: it saves a real write). What each step tells observers is delivered,
// step by step, once its group commits. A failed commit or write undoes the
// whole group, and `on_undone` puts back what the world handed out since the
// group began; every request in it is told.
//
// Not thread-safe: the world calls it under its lock (its member is guarded
// by it). Only CommitJoined() waits, on that lock's condition.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "emulator/core/world_store.h"
#include "emulator/util/mutex.h"

namespace imsemu::core {

class CommitGroup {
 public:
  // What a kept step tells observers, run once its group has committed.
  using Delivery = std::function<void()>;

  // `mu` is the lock the world calls under; `enabled` turns group commit on.
  CommitGroup(WorldStore& store, Mutex& mu, bool enabled, std::function<void()> on_undone);

  // --- The request bracket (no-ops unless enabled) ---------------------------
  // Before a request is handled: its steps are deferred and may be joined.
  void Defer();
  // Before it is answered: commits the open group (everything the request saw
  // is stored before it is answered), leading it or waiting for its leader;
  // the error of the group this request's changes joined, if it failed.
  Status CommitJoined();
  // This thread's request will change nothing more: the group need not wait
  // for it.
  void StopJoining();

  // --- Steps -----------------------------------------------------------------
  // Opens a step; true when it opened the transaction (the group is new).
  bool BeginStep();
  // Ends the open step, kept (its delivery waits for the commit) or undone. An
  // error when the store failed: the whole group is undone.
  Status EndStep(bool keep, Delivery delivery);
  // Commits the open group unless this thread's request defers its commits.
  Status CommitUnlessDeferred();
  // Commits the open group, if any, and delivers what it changed.
  Status Commit();
  // Commits a group left open without telling anyone (the world is closing).
  void Close();

 private:
  bool Deferring() const;
  void Undone(const Status& status);

  WorldStore& store_;
  const bool enabled_;
  const std::function<void()> on_undone_;
  bool open_ = false;
  bool step_opened_ = false;  // the open step opened the transaction
  // Groups are numbered; a failed one is remembered a while for the requests
  // that joined it.
  uint64_t seq_ = 0;
  uint64_t done_ = 0;            // committed or failed
  bool leader_ = false;          // a request waits to commit
  std::atomic<int> joining_{0};  // requests between Defer() and CommitJoined()
  CondVar moved_;                // a group ended, or the last joiner arrived
  std::vector<Delivery> deliveries_;
  std::map<uint64_t, Status> failed_;
};

}  // namespace imsemu::core
