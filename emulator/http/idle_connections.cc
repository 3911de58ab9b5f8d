#include "emulator/http/idle_connections.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace imsemu::http {
namespace {

// How often idle timeouts are checked: they are bounds, not exact times.
constexpr int kSweepMs = 100;
constexpr int kMaxEvents = 256;

}  // namespace

IdleConnections& IdleConnections::Shared() {
  static IdleConnections* shared = new IdleConnections();  // lives as long as the process
  return *shared;
}

IdleConnections::IdleConnections() : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  std::thread([this] { Watch(); }).detach();  // as long as the process
}

bool IdleConnections::Park(const void* owner, int fd, std::chrono::milliseconds idle,
                           Handback handback) {
  MutexLock lock(mu_);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) return false;
  parked_[fd] = Parked{owner, since_.Elapsed() + idle, std::move(handback)};
  return true;
}

void IdleConnections::Forget(const void* owner) {
  MutexLock lock(mu_);
  std::vector<int> mine;
  for (const auto& [fd, parked] : parked_) {
    if (parked.owner == owner) mine.push_back(fd);
  }
  for (int fd : mine) HandBackLocked(fd, false);
}

size_t IdleConnections::size() const {
  MutexLock lock(mu_);
  return parked_.size();
}

void IdleConnections::HandBackLocked(int fd, bool has_bytes) {
  auto it = parked_.find(fd);
  if (it == parked_.end()) return;
  Handback handback = std::move(it->second.handback);
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  parked_.erase(it);
  handback(fd, has_bytes);
}

void IdleConnections::Watch() {
  epoll_event events[kMaxEvents];
  while (true) {
    const int n = epoll_wait(epoll_, events, kMaxEvents, kSweepMs);
    MutexLock lock(mu_);
    for (int i = 0; i < n; ++i) HandBackLocked(events[i].data.fd, true);  // unless forgotten
    const std::chrono::milliseconds now = since_.Elapsed();
    std::vector<int> expired;
    for (const auto& [fd, parked] : parked_) {
      if (parked.deadline <= now) expired.push_back(fd);
    }
    for (int fd : expired) HandBackLocked(fd, false);
  }
}

}  // namespace imsemu::http
