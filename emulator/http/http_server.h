// HttpServer: a cpp-httplib server set up the way every emulator listener
// must be.
//
// TCP_NODELAY on (Debian's cpp-httplib 0.11 leaves it off, which costs ~40 ms
// a request on loopback), bodies over 1 MiB refused with 413, an error body
// of the documented shape on every error httplib answers by itself (404 for
// an unknown path, 413, 400 for a malformed request), handler exceptions
// turned into 500s, and a bounded worker pool. Start() binds and serves on a
// thread of its own; Stop() (idempotent) waits for it. Not copyable.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "emulator/http/faults.h"
#include "emulator/http/responses.h"
#include "emulator/util/status.h"

namespace imsemu::http {

inline constexpr size_t kMaxBodyBytes = 1024 * 1024;

class HttpServer {
 public:
  // `faults`, when given, may answer a request before its handler does.
  HttpServer(RequestIds& ids, size_t worker_threads, Faults* faults = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes are registered on this before Start().
  httplib::Server& routes() { return server_; }

  // Binds `host:port` (0 picks a free port) and starts serving. Unavailable if
  // the address cannot be bound.
  Status Start(const std::string& host, int port);
  // Start() in two steps, for a port that must be known before requests are
  // served: connections wait in the backlog until Serve().
  Status Bind(const std::string& host, int port);
  void Serve();
  // Asks the server to stop without waiting for it.
  void RequestStop();
  // Stops and waits for the serving thread.
  void Stop();

  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int listen_socket_ = -1;
  std::atomic<bool> finished_{false};
};

}  // namespace imsemu::http
