#include "emulator/http/worker_pool.h"

namespace imsemu::http {

bool WorkerPool::TryEnqueue(std::function<void()> task) {
  MutexLock lock(mu_);
  if (stopping_) return false;
  tasks_.push_back(std::move(task));
  waiting_.store(tasks_.size(), std::memory_order_relaxed);
  if (idle_ < tasks_.size() && workers_.size() < max_workers_) {
    workers_.emplace_back([this] { Work(); });
  } else {
    wake_.Signal();
  }
  return true;
}

void WorkerPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      MutexLock lock(mu_);
      ++idle_;
      while (!stopping_ && tasks_.empty()) wake_.Wait();
      --idle_;
      if (tasks_.empty()) return;  // stopping, and nothing left to do
      task = std::move(tasks_.front());
      tasks_.pop_front();
      waiting_.store(tasks_.size(), std::memory_order_relaxed);
    }
    task();
  }
}

void WorkerPool::shutdown() {
  std::vector<std::thread> workers;
  {
    MutexLock lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    workers.swap(workers_);
  }
  if (before_shutdown_) before_shutdown_();
  wake_.SignalAll();
  for (std::thread& t : workers) t.join();
  if (before_shutdown_) before_shutdown_();  // what a last worker parked
}

}  // namespace imsemu::http
