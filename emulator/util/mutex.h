// Mutex and MutexLock: std::mutex with clang's thread-safety annotations, so
// a clang build (-Wthread-safety, the fuzz build in CI) proves that state
// marked IMSEMU_GUARDED_BY is touched only under its lock, as leveldb's
// port::Mutex does. Under other compilers the annotations are empty.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define IMSEMU_TSA(x) __attribute__((x))
#else
#define IMSEMU_TSA(x)
#endif

#define IMSEMU_CAPABILITY(name) IMSEMU_TSA(capability(name))
#define IMSEMU_SCOPED_CAPABILITY IMSEMU_TSA(scoped_lockable)
#define IMSEMU_GUARDED_BY(mu) IMSEMU_TSA(guarded_by(mu))
#define IMSEMU_REQUIRES(...) IMSEMU_TSA(requires_capability(__VA_ARGS__))
#define IMSEMU_EXCLUDES(...) IMSEMU_TSA(locks_excluded(__VA_ARGS__))
#define IMSEMU_ACQUIRE(...) IMSEMU_TSA(acquire_capability(__VA_ARGS__))
#define IMSEMU_RELEASE(...) IMSEMU_TSA(release_capability(__VA_ARGS__))
#define IMSEMU_NO_THREAD_SAFETY_ANALYSIS IMSEMU_TSA(no_thread_safety_analysis)

namespace imsemu {

class IMSEMU_CAPABILITY("mutex") Mutex {
 public:
  void lock() IMSEMU_ACQUIRE() { mu_.lock(); }
  void unlock() IMSEMU_RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A condition variable tied to one Mutex, which the caller holds while waiting
// (leveldb's port::CondVar). Callers re-check their condition in a loop.
// (Not annotated: clang cannot tie `mu_` here to the caller's mutex.)
class CondVar {
 public:
  explicit CondVar(Mutex& mu) : mu_(mu) {}
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // False if `timeout` passed without a signal (or spuriously).
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_.mu_, std::adopt_lock);
    const bool signalled = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  Mutex& mu_;
  std::condition_variable cv_;
};

// Holds `mu` for its scope.
class IMSEMU_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) IMSEMU_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() IMSEMU_RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace imsemu
