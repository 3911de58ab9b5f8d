// HttpServer: a cpp-httplib server set up the way every emulator listener
// must be.
//
// Before any handler runs, a request is checked (RequestChecks): a foreign
// Host or Origin gets 403, a path or query that is not UTF-8 or a malformed
// Content-Length gets 400, a body over 1 MiB gets 413 at once (whatever its
// content type), each on a connection then closed, with nothing changed.
// Connections are served by our own loop (ConnectionStream), so pipelined
// requests are answered in order; between requests a keep-alive connection
// waits in IdleConnections (closed after 5 s idle) rather than on a worker,
// a request that stalls half way is closed after 5 s, and a connection over
// the listener's limit gets a 503. TCP_NODELAY is on (Debian's cpp-httplib 0.11
// leaves it off: ~40 ms a request on loopback), every error httplib answers by
// itself gets the documented body shape, handler exceptions become 500s, and
// a last-resort guard turns any exception that escapes httplib into a 500 and
// a closed connection: no byte a client sends stops the process. Start()
// binds and serves on a thread of its own; Stop() (idempotent) waits for it.
// Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>

#include "emulator/http/faults.h"
#include "emulator/http/request_checks.h"
#include "emulator/http/responses.h"
#include "emulator/util/api_routes.h"
#include "emulator/util/mutex.h"
#include "ims_emulator/status.h"

namespace imsemu::http {

inline constexpr size_t kMaxBodyBytes = 1024 * 1024;
struct ConnectionLimits {
  // Open connections one listener serves at once; one more gets a 503 and
  // is closed.
  size_t max_connections = 4096;
  // How long a keep-alive connection may stay quiet between requests.
  std::chrono::milliseconds idle_timeout{5000};
};

// Sees requests and their answers (serve --record). `payload_id` names the
// payload whose own port answers ("" on the main port). Shared by listeners:
// thread-safe.
class ExchangeObserver {
 public:
  virtual ~ExchangeObserver() = default;
  // Before the request is checked and handled: true to see its answer
  // (OnAnswer then follows, on the same thread).
  virtual bool OnRequest(const std::string& payload_id, const httplib::Request& req) = 0;
  // Just before the answer is sent; `refused` when the request checks
  // answered it (a foreign origin, bad bytes) and no handler ran.
  virtual void OnAnswer(const std::string& payload_id, const httplib::Request& req,
                        const httplib::Response& res, bool refused) = 0;
};

// Brackets each request on the worker thread that serves it (the world's
// group commit): Begin() before the request is checked and handled, End()
// just before its answer is written; an error from End() replaces the answer
// with a 500 in the documented shape. Shared by listeners: thread-safe.
class RequestBracket {
 public:
  virtual ~RequestBracket() = default;
  virtual void Begin() = 0;
  virtual Status End() = 0;
};

class HttpServer {
 public:
  // `access` decides who may ask; `faults`, when given, may answer a request
  // before its handler does. Both must outlive the server. At most
  // `worker_threads` requests are served at once; idle keep-alive
  // connections hold no worker (IdleConnections).
  HttpServer(RequestIds& ids, size_t worker_threads, const AccessPolicy& access,
             Faults* faults = nullptr, ConnectionLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes are registered on this before Start().
  httplib::Server& routes();
  // Set before Start() or Serve(): `observer` (which must outlive the
  // server) sees every request and answer, with `payload_id` naming this
  // listener's payload. Several observers may be added (up to 32).
  void ObserveExchanges(ExchangeObserver* observer, std::string payload_id = "");
  // Set before Start() or Serve(): `bracket` (which must outlive the server)
  // brackets every request; the observer sees the answer End() left.
  void BracketRequests(RequestBracket* bracket) { bracket_ = bracket; }
  // Set before Start() or Serve(): which routes this listener serves (the
  // main port's by default), so that a known path asked with a method it is
  // not served with is a 405 naming the ones it is, not a 404.
  void ServeRoutesOf(routes::Listener listener) { listener_ = listener; }

  // Binds `host:port` (0 picks a free port) and starts serving. Unavailable if
  // the address cannot be bound.
  Status Start(const std::string& host, int port);
  // Start() in two steps, for a port that must be known before requests are
  // served: connections wait in the backlog until Serve().
  Status Bind(const std::string& host, int port);
  void Serve();
  // Asks the server to stop without waiting for it; a server not yet
  // serving closes its port and never serves. Any thread, also while another
  // is in Serve().
  void RequestStop();
  // RequestStop(), then waits for the serving thread. The owner's thread.
  void Stop();

  int port() const { return port_; }

  // Serves `bytes` as one connection's requests, in-process and without a
  // socket, and returns every byte answered (for tests and the fuzzer).
  std::string ServeBytes(std::string_view bytes);

 private:
  class Listener;

  std::unique_ptr<Listener> server_;
  std::vector<ExchangeObserver*> observers_;
  std::string observed_payload_;
  RequestBracket* bracket_ = nullptr;
  routes::Listener listener_ = routes::Listener::kMain;
  Mutex serve_mu_;  // Serve() against RequestStop()
  bool stop_requested_ IMSEMU_GUARDED_BY(serve_mu_) = false;
  std::thread thread_;
  int port_ = 0;
  int listen_socket_ = -1;
  std::atomic<bool> finished_{false};
};

}  // namespace imsemu::http
