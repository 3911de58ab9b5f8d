#include "emulator/http/http_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <functional>

#include <spdlog/spdlog.h>

#include "emulator/http/connection_stream.h"
#include "emulator/http/idle_connections.h"
#include "emulator/http/worker_pool.h"

namespace imsemu::http {
namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

// An idle keep-alive connection waits in IdleConnections, holding no worker,
// once it has been quiet for kQuietAfter after an answer (a client sending
// requests back to back is served by the same worker throughout), until its
// idle timeout (ConnectionLimits). With 1,000 clients each polling once a
// second, the window keeps about ten workers busy.
constexpr std::chrono::milliseconds kQuietAfter{10};
// A request's bytes must keep coming: a connection that starts a request and
// stalls (half-open) is closed after this, freeing its worker.
constexpr std::chrono::seconds kReadTimeout{5};
constexpr std::chrono::seconds kWriteTimeout{5};
constexpr size_t kKeepAliveMaxRequests = 1000;
// A client still sending a refused body (a 413) reads no answer if the
// socket closes under it (the kernel resets the connection), so the rest is
// read and dropped first, within these bounds.
constexpr size_t kLingerBytes = 4 * kMaxBodyBytes;
constexpr std::chrono::seconds kLingerTime{2};

// Set while a request is handled when its connection must close after the
// answer: the rest of the bytes (an unread body) cannot be trusted to start
// the next request. One connection is served on one thread.
thread_local bool t_close_after_response = false;
// Set when the request checks refused the request being answered.
thread_local bool t_refused_by_checks = false;
// Bit i set when the i-th ExchangeObserver asked to see the answer being
// prepared.
thread_local uint32_t t_observed = 0;
// Set when a RequestBracket began the request being answered.
thread_local bool t_bracketed = false;

// Tells the client and the connection loop that the connection ends here.
void CloseAfterResponse(httplib::Response& res) {
  res.set_header("Connection", "close");
  t_close_after_response = true;
}

// Answers `status` in the error shape and closes the connection afterwards.
HandlerResponse Refuse(httplib::Response& res, int status, const std::string& message,
                       RequestIds& ids) {
  WriteErrorBody(res, status, message, ids);
  CloseAfterResponse(res);
  return HandlerResponse::Handled;
}

// Content types cpp-httplib parses by itself: a form body over 8 KB gets 413
// and a multipart one never reaches req.body. Every body here is JSON text,
// read up to the documented 1 MiB whatever its type says.
bool ParsedByHttplib(const std::string& content_type) {
  return content_type.starts_with("application/x-www-form-urlencoded") ||
         content_type.starts_with("multipart/form-data");
}

// The checks every request passes before a handler sees it (see the header).
HandlerResponse CheckRequest(const httplib::Request& req, httplib::Response& res, RequestIds& ids,
                             const AccessPolicy& access) {
  const std::string host = req.get_header_value("Host");
  if (Status s = CheckHost(host, access); !s.ok()) {
    return Refuse(res, s.code() == StatusCode::kPermissionDenied ? 403 : 400, s.message(), ids);
  }
  if (Status s = CheckOrigin(req.get_header_value("Origin"), host, access); !s.ok()) {
    return Refuse(res, 403, s.message(), ids);
  }
  bool utf8 = IsValidUtf8(req.path);
  for (const auto& [key, value] : req.params) utf8 = utf8 && IsValidUtf8(key) && IsValidUtf8(value);
  if (!utf8) return Refuse(res, 400, "the request path or query is not valid UTF-8", ids);

  std::vector<std::string_view> lengths;
  for (auto [it, end] = req.headers.equal_range("Content-Length"); it != end; ++it) {
    lengths.push_back(it->second);
  }
  StatusOr<BodyLength> length = ParseContentLength(lengths);
  if (!length.ok()) return Refuse(res, 400, length.status().message(), ids);
  const bool chunked = req.has_header("Transfer-Encoding");
  if (chunked && length->present) {
    return Refuse(res, 400, "a request may not carry both Content-Length and Transfer-Encoding",
                  ids);
  }
  if (length->bytes > kMaxBodyBytes) {
    return Refuse(res, 413, "request body is larger than 1 MiB", ids);
  }
  // The Request is not const where httplib owns it; only headers change.
  auto& headers = const_cast<httplib::Headers&>(req.headers);
  // A request with neither Content-Length nor Transfer-Encoding has an empty
  // body (RFC 9112 6.3), but cpp-httplib 0.11 then reads until the connection
  // closes and answers 400. `curl -X POST .../ready` sends just that.
  if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") && !length->present &&
      !chunked) {
    headers.emplace("Content-Length", "0");
  }
  if (auto it = headers.find("Content-Type"); it != headers.end() && ParsedByHttplib(it->second)) {
    it->second = "application/octet-stream";
  }
  return HandlerResponse::Unhandled;
}

std::string ErrorMessageFor(const httplib::Request& req, int status) {
  switch (status) {
    case 404:
      return "no endpoint " + req.method + " " + req.path;
    case 405:
      return "method " + req.method + " is not allowed on " + req.path;
    case 413:
      return "request body is larger than 1 MiB";
    case 414:
      return "request line is too long";
    case 400:
      return "malformed HTTP request";
    default:
      return "request failed with HTTP status " + std::to_string(status);
  }
}

// Writes an error answer straight to the stream, closing the connection.
void WriteRawError(httplib::Stream& stream, RequestIds& ids, int status, const char* reason,
                   const std::string& message) {
  httplib::Response res;
  WriteErrorBody(res, status, message, ids);
  std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : res.headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n\r\n";
  stream.write(head.data(), head.size());
  stream.write(res.body.data(), res.body.size());
}

// The answer of the last-resort guard.
void WriteInternalError(httplib::Stream& stream, RequestIds& ids, const char* what) {
  WriteRawError(stream, ids, 500, "Internal Server Error", std::string("internal error: ") + what);
}

// The answer to a connection over the listener's limit.
void WriteServiceUnavailable(httplib::Stream& stream, RequestIds& ids, size_t limit) {
  WriteRawError(
      stream, ids, 503, "Service Unavailable",
      "too many open connections (the limit is " + std::to_string(limit) + "); retry shortly");
}

}  // namespace

// httplib::Server with our own connection loop: one stream per connection
// (pipelining), the close-after-response rule, and the last-resort guard.
class HttpServer::Listener final : public httplib::Server {
 public:
  Listener(RequestIds& ids, size_t max_workers, ConnectionLimits limits)
      : ids_(ids), max_workers_(max_workers), limits_(limits) {
    new_task_queue = [this] {
      pool_ = new WorkerPool(max_workers_, [this] { IdleConnections::Shared().Forget(this); });
      return pool_;
    };
  }

  // Serves requests from `stream` until the connection closes, a request
  // asks to, an error, or `next` says no further request comes. True when it
  // stopped with bytes of the client's possibly unread (a refused body).
  bool ServeConnection(httplib::Stream& stream, const std::function<bool()>& next, bool in_memory) {
    for (size_t left = kKeepAliveMaxRequests; left > 0; --left) {
      if (!in_memory && svr_sock_ == INVALID_SOCKET) return false;
      if (!next()) return false;
      t_close_after_response = false;
      bool closed = false;
      bool ok = false;
      try {
        ok = process_request(stream, left == 1, closed, nullptr);
      } catch (const std::exception& e) {
        spdlog::error("request failed outside its handler: {}", e.what());
        WriteInternalError(stream, ids_, e.what());
        return true;
      } catch (...) {
        WriteInternalError(stream, ids_, "unknown exception");
        return true;
      }
      if (!ok || closed || t_close_after_response) return t_close_after_response;
    }
    return false;
  }

 private:
  // A connection httplib accepted.
  bool process_and_close_socket(socket_t sock) override {
    if (open_.fetch_add(1) >= limits_.max_connections) {
      RefuseConnection(sock);
      Close(sock);
      return true;
    }
    Serve(sock);
    return true;
  }

  // Serves `sock`'s requests while they come; parks it when it goes quiet.
  void Serve(int sock) {
    ConnectionStream stream(sock, kReadTimeout, kWriteTimeout);
    bool quiet = false;
    const bool unread = ServeConnection(
        stream,
        [&] {
          // While other connections wait for a worker, this one waits in
          // IdleConnections instead of on its worker.
          const ConnectionStream::Next next =
              stream.AwaitNext(pool_->Backlogged() ? std::chrono::milliseconds(0) : kQuietAfter);
          quiet = next == ConnectionStream::Next::kQuiet;
          return next == ConnectionStream::Next::kRequest;
        },
        false);
    if (quiet && !unread && svr_sock_ != INVALID_SOCKET &&
        IdleConnections::Shared().Park(
            this, sock, limits_.idle_timeout, [this](int fd, bool has_bytes) {
              if (!has_bytes || !pool_->TryEnqueue([this, fd] { Serve(fd); })) {
                Close(fd);
              }
            })) {
      return;
    }
    if (unread) stream.DrainBeforeClose(kLingerBytes, kLingerTime);
    Close(sock);
  }

  // A connection over the limit gets a 503 in the error shape and is closed
  // (after a short drain, so a client already sending reads the answer
  // rather than a reset connection).
  void RefuseConnection(int sock) {
    ConnectionStream stream(sock, kReadTimeout, kWriteTimeout);
    WriteServiceUnavailable(stream, ids_, limits_.max_connections);
    stream.DrainBeforeClose(kMaxBodyBytes, std::chrono::milliseconds(100));
  }

  void Close(int sock) {
    open_.fetch_sub(1);  // first: a client that sees the close may connect again at once
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }

  RequestIds& ids_;
  const size_t max_workers_;
  const ConnectionLimits limits_;
  WorkerPool* pool_ = nullptr;   // owned by httplib's accept loop, which outlives its tasks
  std::atomic<size_t> open_{0};  // connections accepted and not yet closed
};

HttpServer::HttpServer(RequestIds& ids, size_t worker_threads, const AccessPolicy& access,
                       Faults* faults, ConnectionLimits limits)
    : server_(std::make_unique<Listener>(ids, worker_threads, limits)) {
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(kMaxBodyBytes);
  // Remember the listening socket: Start() widens its backlog.
  server_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  // Only the Keep-Alive header httplib writes reads these; the loop is ours.
  server_->set_keep_alive_timeout(
      std::chrono::duration_cast<std::chrono::seconds>(limits.idle_timeout).count());
  server_->set_keep_alive_max_count(kKeepAliveMaxRequests);
  server_->set_pre_routing_handler(
      [this, &ids, &access, faults](const httplib::Request& req, httplib::Response& res) {
        t_observed = 0;
        for (size_t i = 0; i < observers_.size(); ++i) {
          if (observers_[i]->OnRequest(observed_payload_, req)) t_observed |= 1u << i;
        }
        t_refused_by_checks = CheckRequest(req, res, ids, access) == HandlerResponse::Handled;
        if (t_refused_by_checks) return HandlerResponse::Handled;
        std::optional<Fault> fault = faults ? faults->Fire(req.method, req.path) : std::nullopt;
        // A delay is real time on purpose: it is the client's timeouts under test.
        if (fault && fault->spec.delay.count() > 0) std::this_thread::sleep_for(fault->spec.delay);
        if (fault && fault->spec.status != 0) {
          return Refuse(res, fault->spec.status, fault->spec.message, ids);
        }
        // Only now: a refused or delayed request is nothing a group waits for.
        t_bracketed = bracket_ != nullptr;
        if (t_bracketed) bracket_->Begin();
        return HandlerResponse::Unhandled;
      });
  server_->set_post_routing_handler(
      [this, &ids](const httplib::Request& req, httplib::Response& res) {
        if (std::exchange(t_bracketed, false)) {
          const Status stored = bracket_->End();
          if (!stored.ok()) {
            WriteErrorBody(res, 500, "the change could not be stored: " + stored.message(), ids);
            // httplib measured the handler's body already.
            res.headers.erase("Content-Length");
            res.set_header("Content-Length", std::to_string(res.body.size()));
          }
        }
        const bool refused = std::exchange(t_refused_by_checks, false);
        const uint32_t observed = std::exchange(t_observed, 0);
        for (size_t i = 0; i < observers_.size(); ++i) {
          if (observed & (1u << i)) observers_[i]->OnAnswer(observed_payload_, req, res, refused);
        }
      });
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this, &ids](const httplib::Request& req, httplib::Response& res) {
        // httplib's own 400, 413 and 414 leave unread bytes behind.
        if (res.status == 400 || res.status == 413 || res.status == 414) CloseAfterResponse(res);
        if (!res.body.empty()) return HandlerResponse::Unhandled;
        // httplib finds no handler for a known path asked with another method.
        if (res.status == 404) {
          const std::vector<std::string_view> allowed = routes::MethodsAt(req.path, listener_);
          if (!allowed.empty()) {
            std::string allow;
            for (std::string_view m : allowed)
              allow += (allow.empty() ? "" : ", ") + std::string(m);
            res.status = 405;
            res.set_header("Allow", allow);
            WriteErrorBody(res, 405, ErrorMessageFor(req, 405) + " (allowed: " + allow + ")", ids);
            return HandlerResponse::Handled;
          }
        }
        WriteErrorBody(res, res.status, ErrorMessageFor(req, res.status), ids);
        return HandlerResponse::Handled;
      }));
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("{} {} -> {}", req.method, req.target, res.status);
    }
  });
  server_->set_exception_handler(
      [&ids](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string message = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          message = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        WriteErrorBody(res, 500, message, ids);
      });
}

HttpServer::~HttpServer() { Stop(); }

httplib::Server& HttpServer::routes() { return *server_; }

void HttpServer::ObserveExchanges(ExchangeObserver* observer, std::string payload_id) {
  if (observers_.size() >= 32) return;  // t_observed's bits
  observers_.push_back(observer);
  observed_payload_ = std::move(payload_id);
}

Status HttpServer::Bind(const std::string& host, int port) {
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    return {StatusCode::kUnavailable,
            "cannot listen on " + host + ":" + std::to_string(port) + " (address in use?)"};
  }
  // cpp-httplib 0.11 listens with a backlog of 5, so a burst of clients
  // (32 game clients creating sessions at once) overflows it and connections
  // stall or fail. Listening again on a listening socket only resizes it.
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  return OkStatus();
}

void HttpServer::Serve() {
  MutexLock lock(serve_mu_);
  if (stop_requested_ || thread_.joinable()) return;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_ = true;
  });
  // stop() is a no-op until the accept loop runs, so wait for it to start
  // (holding serve_mu_: a RequestStop() meanwhile waits and then works).
  while (!server_->is_running() && !finished_) std::this_thread::yield();
}

Status HttpServer::Start(const std::string& host, int port) {
  IMSEMU_RETURN_IF_ERROR(Bind(host, port));
  Serve();
  return OkStatus();
}

void HttpServer::RequestStop() {
  MutexLock lock(serve_mu_);
  stop_requested_ = true;
  if (thread_.joinable()) {
    server_->stop();
    listen_socket_ = -1;  // httplib closes it as its accept loop ends
  } else if (listen_socket_ >= 0) {
    // Bound but never served: httplib closes its socket only when serving
    // ends, so close it here; the port is free at once.
    ::close(listen_socket_);
    listen_socket_ = -1;
  }
}

void HttpServer::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpServer::ServeBytes(std::string_view bytes) {
  MemoryStream stream(bytes);
  server_->ServeConnection(
      stream, [&stream] { return !stream.AtEnd(); }, true);
  return stream.output();
}

}  // namespace imsemu::http
