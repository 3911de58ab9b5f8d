// WorkerPool: the task queue behind each HTTP listener, growing on demand.
//
// cpp-httplib hands each accepted connection to a task queue; its ThreadPool
// starts every thread up front, so a thousand idle payload listeners would
// hold eight thousand threads. This pool starts none, adds a worker only when
// a connection arrives and every worker is busy (up to `max_workers`), and
// keeps workers for reuse until they have been idle for a while. A connection
// occupies a worker only while it has a request to serve; between requests it
// waits in IdleConnections.
// Thread-safe; shutdown() waits for queued work to finish.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include <httplib.h>

#include "emulator/util/mutex.h"

namespace imsemu::http {

class WorkerPool final : public httplib::TaskQueue {
 public:
  // `before_shutdown`, when given, runs as shutdown() begins and again once
  // the workers are done (the listener forgets its parked connections). A
  // worker with nothing to do for `idle_worker` ends.
  explicit WorkerPool(size_t max_workers, std::function<void()> before_shutdown = nullptr,
                      std::chrono::milliseconds idle_worker = std::chrono::seconds(30))
      : max_workers_(max_workers),
        before_shutdown_(std::move(before_shutdown)),
        idle_worker_(idle_worker) {}
  ~WorkerPool() override { shutdown(); }

  void enqueue(std::function<void()> task) override { (void)TryEnqueue(std::move(task)); }
  // False (and `task` dropped) once shutting down.
  bool TryEnqueue(std::function<void()> task);
  // Whether tasks are waiting for a worker (a hint: no lock is taken).
  bool Backlogged() const { return waiting_.load(std::memory_order_relaxed) > 0; }
  // Workers running now.
  size_t workers() const;
  void shutdown() override;

 private:
  void Work();
  // Hands the calling worker's thread to retired_, to be joined by another.
  void RetireLocked() IMSEMU_REQUIRES(mu_);
  // Joins the threads of workers that ended for being idle.
  void JoinRetired() IMSEMU_EXCLUDES(mu_);

  const size_t max_workers_;
  const std::function<void()> before_shutdown_;
  const std::chrono::milliseconds idle_worker_;
  mutable Mutex mu_;
  CondVar wake_{mu_};
  std::deque<std::function<void()>> tasks_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::thread> retired_ IMSEMU_GUARDED_BY(mu_);
  size_t idle_ IMSEMU_GUARDED_BY(mu_) = 0;
  std::atomic<size_t> waiting_{0};  // tasks_.size(), readable without the lock
  bool stopping_ IMSEMU_GUARDED_BY(mu_) = false;
};

}  // namespace imsemu::http
