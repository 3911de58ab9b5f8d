#include "emulator/http/connection_stream.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace imsemu::http {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

void AddressOf(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) ==
      0) {
    ip = host;
    port = std::atoi(serv);
  }
}

}  // namespace

ConnectionStream::ConnectionStream(int fd, std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout)
    : fd_(fd), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

bool ConnectionStream::Poll(short events, std::chrono::milliseconds timeout) const {
  pollfd p{fd_, events, 0};
  while (true) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

bool ConnectionStream::is_readable() const {
  return offset_ < buffer_.size() || Poll(POLLIN, read_timeout_);
}

bool ConnectionStream::is_writable() const { return Poll(POLLOUT, write_timeout_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (offset_ >= buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
    if (!Poll(POLLIN, read_timeout_)) return -1;
    buffer_.resize(kReadChunk);
    ssize_t n;
    do {
      n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
    } while (n < 0 && errno == EINTR);
    buffer_.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n <= 0) return n;
  }
  const size_t n = std::min(size, buffer_.size() - offset_);
  std::memcpy(ptr, buffer_.data() + offset_, n);
  offset_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    if (!Poll(POLLOUT, write_timeout_)) return -1;
    ssize_t n = ::send(fd_, ptr + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    sent += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(size);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  AddressOf(fd_, true, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  AddressOf(fd_, false, ip, port);
}

ConnectionStream::Next ConnectionStream::AwaitNext(std::chrono::milliseconds wait) {
  if (offset_ < buffer_.size()) return Next::kRequest;
  if (!Poll(POLLIN, wait)) return Next::kQuiet;
  // Readable also means "closed by the peer": look without consuming.
  char byte;
  ssize_t n;
  do {
    n = ::recv(fd_, &byte, 1, MSG_PEEK);
  } while (n < 0 && errno == EINTR);
  return n > 0 ? Next::kRequest : Next::kClosed;
}

void ConnectionStream::DrainBeforeClose(size_t max_bytes, std::chrono::milliseconds max_time) {
  ::shutdown(fd_, SHUT_WR);
  // Bounded by bytes and by rounds of the poll timeout: a steady clock is not
  // read outside clock/, and this need not be exact.
  constexpr std::chrono::milliseconds kRound{100};
  char sink[16 * 1024];
  size_t drained = 0;
  for (auto waited = std::chrono::milliseconds(0); drained < max_bytes && waited < max_time;) {
    if (!Poll(POLLIN, kRound)) {
      waited += kRound;
      continue;
    }
    ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

ssize_t MemoryStream::read(char* ptr, size_t size) {
  const size_t n = std::min(size, input_.size() - offset_);
  std::memcpy(ptr, input_.data() + offset_, n);
  offset_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t MemoryStream::write(const char* ptr, size_t size) {
  output_.append(ptr, size);
  return static_cast<ssize_t>(size);
}

void MemoryStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 1;
}

void MemoryStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 2;
}

}  // namespace imsemu::http
