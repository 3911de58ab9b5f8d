// Mutex and MutexLock: std::mutex with clang's thread-safety annotations, so
// a clang build (-Wthread-safety, the fuzz build in CI) proves that state
// marked IMSEMU_GUARDED_BY is touched only under its lock, as leveldb's
// port::Mutex does. Under other compilers the annotations are empty.
#pragma once

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
  std::mutex mu_;
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
