// WorkerPool: the task queue behind each HTTP listener, growing on demand.
//
// cpp-httplib hands each accepted connection to a task queue; its ThreadPool
// starts every thread up front, so a thousand idle payload listeners would
// hold eight thousand threads. This pool starts none, adds a worker only when
// a connection arrives and every worker is busy (up to `max_workers`), and
// keeps workers for reuse. A keep-alive connection occupies a worker, as in
// httplib. Thread-safe; shutdown() waits for queued work to finish.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include <httplib.h>

#include "emulator/util/mutex.h"

namespace imsemu::http {

class WorkerPool final : public httplib::TaskQueue {
 public:
  explicit WorkerPool(size_t max_workers) : max_workers_(max_workers) {}
  ~WorkerPool() override { shutdown(); }

  void enqueue(std::function<void()> task) override;
  void shutdown() override;

 private:
  void Work();

  const size_t max_workers_;
  Mutex mu_;
  CondVar wake_{mu_};
  std::deque<std::function<void()>> tasks_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ IMSEMU_GUARDED_BY(mu_);
  size_t idle_ IMSEMU_GUARDED_BY(mu_) = 0;
  bool stopping_ IMSEMU_GUARDED_BY(mu_) = false;
};

}  // namespace imsemu::http
