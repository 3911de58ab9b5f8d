// IdleConnections: keep-alive connections between requests, watched by one
// epoll thread instead of holding a worker thread each.
//
// cpp-httplib gives every open connection a thread for its whole life, so a
// thousand game clients polling once a second on keep-alive connections need
// a thousand threads, and the 33rd waits behind the first 32. Here a worker
// serves a connection only while it has bytes to read; when it goes quiet the
// worker parks it here and moves on. When the client sends its next request
// the connection is handed back (to a worker pool); when it stays quiet past
// its idle timeout, or its server stops, it is closed. One watcher serves
// every listener in the process. Thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>

#include "emulator/clock/stopwatch.h"
#include "emulator/util/mutex.h"

namespace imsemu::http {

class IdleConnections {
 public:
  // Called once per Park, on the watcher thread with its lock held, when the
  // connection is handed back: `has_bytes` when the client sent something
  // (or closed it), false when it stayed quiet past its idle time or its
  // owner was forgotten (then the callee closes it). Must not block.
  using Handback = std::function<void(int fd, bool has_bytes)>;

  // The process's watcher, started on first use.
  static IdleConnections& Shared();

  // Watches `fd` (an open connection with nothing buffered) for `owner`;
  // false if it cannot (the caller still holds `fd`).
  bool Park(const void* owner, int fd, std::chrono::milliseconds idle, Handback handback);
  // Hands back every connection parked for `owner` as quiet; no handback of
  // `owner`'s runs after this returns.
  void Forget(const void* owner);
  // How many connections are parked.
  size_t size() const;

 private:
  IdleConnections();
  void Watch();
  void HandBackLocked(int fd, bool has_bytes) IMSEMU_REQUIRES(mu_);

  struct Parked {
    const void* owner;
    std::chrono::milliseconds deadline;  // on `since_`
    Handback handback;
  };

  const int epoll_;
  const Stopwatch since_;
  mutable Mutex mu_;
  std::map<int, Parked> parked_ IMSEMU_GUARDED_BY(mu_);
};

}  // namespace imsemu::http
