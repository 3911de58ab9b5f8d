#include "emulator/http/worker_pool.h"

namespace imsemu::http {

bool WorkerPool::TryEnqueue(std::function<void()> task) {
  JoinRetired();
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

size_t WorkerPool::workers() const {
  MutexLock lock(mu_);
  return workers_.size();
}

void WorkerPool::RetireLocked() {
  const std::thread::id self = std::this_thread::get_id();
  for (auto it = workers_.begin(); it != workers_.end(); ++it) {
    if (it->get_id() != self) continue;
    retired_.push_back(std::move(*it));
    workers_.erase(it);
    return;
  }
}

void WorkerPool::JoinRetired() {
  std::vector<std::thread> retired;
  {
    MutexLock lock(mu_);
    retired.swap(retired_);
  }
  for (std::thread& t : retired) t.join();  // each has left Work(), or is about to
}

void WorkerPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      MutexLock lock(mu_);
      ++idle_;
      bool idle_too_long = false;
      while (!stopping_ && tasks_.empty() && !idle_too_long) {
        idle_too_long = !wake_.WaitFor(idle_worker_);
      }
      --idle_;
      if (tasks_.empty()) {
        if (!stopping_) RetireLocked();  // idle too long; stopping joins every worker
        return;
      }
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
  JoinRetired();
  if (before_shutdown_) before_shutdown_();  // what a last worker parked
}

}  // namespace imsemu::http
