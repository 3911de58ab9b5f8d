// ConnectionStream: one client connection's bytes, read through a buffer that
// lives as long as the connection; MemoryStream: the same over bytes in memory.
//
// cpp-httplib 0.11 reads each request of a keep-alive connection through a
// fresh stream whose read buffer dies with it, so of three pipelined requests
// the second and third were read off the socket and dropped unanswered.
// HttpServer's connection loop keeps one ConnectionStream per connection, so
// pipelined requests are answered, in order. MemoryStream feeds the same loop
// from memory (tests and the fuzzer). Neither is thread-safe: one connection,
// one worker.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <httplib.h>

namespace imsemu::http {

class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, std::chrono::milliseconds read_timeout,
                   std::chrono::milliseconds write_timeout);

  // True when a byte is buffered or arrives within the read timeout.
  bool is_readable() const override;
  bool is_writable() const override;
  // Up to `size` bytes: buffered ones first; -1 on timeout or error, 0 at the
  // end of the stream.
  ssize_t read(char* ptr, size_t size) override;
  // All of `size` bytes, or -1.
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

  enum class Next { kRequest, kClosed, kQuiet };
  // Whether a next request has begun within `wait`: bytes are buffered or
  // arrive (kRequest), the peer closed the connection (kClosed), or nothing
  // came (kQuiet: the connection may be parked, see IdleConnections).
  Next AwaitNext(std::chrono::milliseconds wait);
  // Closes the sending side, then reads and drops what the client still
  // sends, up to `max_bytes` or `max_time`, so that it reads the answer
  // instead of a reset connection.
  void DrainBeforeClose(size_t max_bytes, std::chrono::milliseconds max_time);

 private:
  bool Poll(short events, std::chrono::milliseconds timeout) const;

  int fd_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  std::string buffer_;
  size_t offset_ = 0;
};

class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view input) : input_(input) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return INVALID_SOCKET; }

  bool AtEnd() const { return offset_ >= input_.size(); }
  const std::string& output() const { return output_; }

 private:
  std::string_view input_;
  size_t offset_ = 0;
  std::string output_;
};

}  // namespace imsemu::http
